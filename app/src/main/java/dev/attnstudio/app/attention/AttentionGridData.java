package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.metrics.Pooling;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.step.WholeSequence;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Every layer's softmax pattern of one batch row, for the overview grid and the line view: per layer a
 * [H, tr, tc] block of row-major floats, or null while the layer's pattern is not computed yet (pending).
 *
 * <p>Passes longer than {@link #MAX_CELLS} positions are stored pooled (blocks of {@link #factor()} x factor,
 * once with each {@link Pooling.Rule}) so a 12 x 12-head model at 1024 tokens needs megabytes, not 600 MB;
 * a thumbnail never has more pixels than that anyway. At {@code factor == 1} both lists hold the same,
 * exact patterns.
 *
 * <p>In whole-sequence mode the rows are every query position of the sequence so far, stitched from the passes up to
 * the one under the cursor ({@link WholeSequence}); a layer the cursor's pass has not reached yet lacks that pass's
 * rows, which are drawn empty (weight 0) until it is computed.
 *
 * @param rows       query positions T of the pass (whole sequence: of the sequence)
 * @param cols       key positions K
 * @param rowLabels  one per query position
 * @param colLabels  one per key position
 * @param factor     block side of the stored pooling (1 = exact)
 * @param maxPooled  per layer [H, tr, tc] under max pooling, or null (pending)
 * @param meanPooled per layer [H, tr, tc] under mean pooling, or null (pending)
 * @param scope      what the rows are, for captions: "pass 2 of 3", or "whole sequence: 3 passes stitched"
 */
public record AttentionGridData(AttentionSource source, int layers, int heads, int batchRow, int rows, int cols,
                                List<String> rowLabels, List<String> colLabels, int factor,
                                List<float[]> maxPooled, List<float[]> meanPooled, String scope) {

    /** Longest side stored exactly; longer passes are pooled down to at most this many blocks a side. */
    public static final int MAX_CELLS = 256;

    public AttentionGridData {
        Objects.requireNonNull(source, "source");
        rowLabels = List.copyOf(rowLabels);
        colLabels = List.copyOf(colLabels);
        maxPooled = Collections.unmodifiableList(new ArrayList<>(maxPooled)); // nulls: pending layers
        meanPooled = Collections.unmodifiableList(new ArrayList<>(meanPooled));
        if (maxPooled.size() != layers || meanPooled.size() != layers) {
            throw new IllegalArgumentException(layers + " layers but " + maxPooled.size() + " pooled patterns");
        }
        int size = heads * thumbRows(rows, factor) * thumbCols(cols, factor);
        for (int i = 0; i < layers; i++) {
            if (maxPooled.get(i) != null && maxPooled.get(i).length != size
                    || meanPooled.get(i) != null && meanPooled.get(i).length != size) {
                throw new IllegalArgumentException("layer " + i + " does not hold " + heads + " heads of "
                        + thumbRows(rows, factor) + "x" + thumbCols(cols, factor));
            }
        }
    }

    /**
     * The selected attention and batch row of a view context: the whole sequence or the pass under the cursor, as the
     * context says (the same while there is one pass). Runs on the ENGINE thread.
     */
    public static AttentionGridData from(Stepper stepper, ViewContext c) {
        return c.wholeSequence() && stepper.groups().size() > 1
                ? wholeSequence(stepper, c.source(), c.batchRow(), c.queryLabels(), c.keyLabels())
                : from(stepper, c.source(), c.batchRow(), c.queryLabels(), c.keyLabels());
    }

    /**
     * Reads every computed layer's pattern from the group under the stepper's cursor. Runs on the ENGINE thread.
     *
     * @param queryTokens texts of the query sequence by absolute position
     * @param keyTokens   texts of the key sequence by position (the same list for self-attention)
     */
    public static AttentionGridData from(Stepper stepper, AttentionSource source, int batchRow,
                                         List<String> queryTokens, List<String> keyTokens) {
        Stepper.Group group = stepper.group();
        Trace trace = group.trace();
        int layers = source.layers(trace.program());
        int heads = 0;
        int rows = group.ids()[0].length;
        int cols = group.past() + rows;
        List<TensorData> patterns = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            String name = source.hook(i, AttentionSource.PATTERN);
            if (!trace.available(name)) {
                patterns.add(null);
                continue;
            }
            long[] shape = trace.shapeOf(name); // [B, H, T, K]
            if (batchRow < 0 || batchRow >= shape[0]) {
                throw new IllegalArgumentException(name + " has " + shape[0] + " batch rows; there is no row " + batchRow);
            }
            heads = (int) shape[1];
            rows = (int) shape[2];
            cols = (int) shape[3];
            patterns.add(trace.read(name, "{}", batchRow)); // [H, T, K]
        }
        return pooled(source, layers, heads, batchRow, rows, cols, PositionLabels.of(queryTokens, group.past(), rows),
                PositionLabels.of(keyTokens, 0, cols), patterns, PositionLabels.passScope(stepper));
    }

    /**
     * Every layer's pattern over the whole sequence, stitched from the passes up to the one under the cursor. Runs on
     * the ENGINE thread.
     *
     * @param queryTokens texts of the query sequence by position
     * @param keyTokens   texts of the key sequence by position (the same list for self-attention)
     */
    public static AttentionGridData wholeSequence(Stepper stepper, AttentionSource source, int batchRow,
                                                  List<String> queryTokens, List<String> keyTokens) {
        int layers = source.layers(stepper.groups().get(0).trace().program()); // the prompt's pass runs every stack
        List<WholeSequence.Stitched> stitched = new ArrayList<>(layers);
        int heads = 0;
        int rows = 0;
        int cols = 0;
        for (int i = 0; i < layers; i++) {
            WholeSequence.Stitched w = WholeSequence.of(stepper, source.hook(i, AttentionSource.PATTERN), batchRow);
            stitched.add(w);
            if (w != null) {
                heads = w.heads();
                rows = Math.max(rows, w.rows());
                cols = Math.max(cols, w.keys());
            }
        }
        List<TensorData> patterns = new ArrayList<>(layers);
        for (WholeSequence.Stitched w : stitched) {
            patterns.add(w == null ? null : padded(w, rows, cols));
        }
        return pooled(source, layers, heads, batchRow, rows, cols, PositionLabels.of(queryTokens, 0, rows),
                PositionLabels.of(keyTokens, 0, cols), patterns, stitched.stream().filter(java.util.Objects::nonNull)
                        .max(java.util.Comparator.comparingInt(WholeSequence.Stitched::rows))
                        .map(WholeSequence.Stitched::describe).orElse("whole sequence"));
    }

    /**
     * A stitched pattern [1, H, t, k] as [H, rows, cols]: a layer the cursor's pass has not reached lacks that pass's
     * rows (and its new key), which a pattern leaves at weight 0.
     */
    private static TensorData padded(WholeSequence.Stitched w, int rows, int cols) {
        if (w.rows() == rows && w.keys() == cols) {
            return w.values();
        }
        float[] v = new float[w.heads() * rows * cols];
        float[] from = w.values().values();
        for (int h = 0; h < w.heads(); h++) {
            for (int q = 0; q < w.rows(); q++) {
                System.arraycopy(from, (h * w.rows() + q) * w.keys(), v, (h * rows + q) * cols, w.keys());
            }
        }
        return new TensorData(w.values().name(), new long[] {w.heads(), rows, cols}, v);
    }

    private static AttentionGridData pooled(AttentionSource source, int layers, int heads, int batchRow, int rows,
                                            int cols, List<String> rowLabels, List<String> colLabels,
                                            List<TensorData> patterns, String scope) {
        int factor = Pooling.factor(Math.max(rows, cols), MAX_CELLS);
        List<float[]> max = new ArrayList<>(layers);
        List<float[]> mean = new ArrayList<>(layers);
        for (TensorData p : patterns) {
            max.add(p == null ? null : pool(p.values(), heads, rows, cols, factor, Pooling.Rule.MAX));
            mean.add(p == null ? null : factor == 1 ? max.get(max.size() - 1) : pool(p.values(), heads, rows, cols, factor, Pooling.Rule.MEAN));
        }
        return new AttentionGridData(source, layers, heads, batchRow, rows, cols, rowLabels, colLabels, factor, max, mean,
                scope);
    }

    /** Self-attention of batch row 0 over one token sequence. */
    public static AttentionGridData from(Stepper stepper, List<String> tokens) {
        return from(stepper, AttentionSource.SELF, 0, tokens, tokens);
    }

    private static float[] pool(float[] values, int heads, int rows, int cols, int factor, Pooling.Rule rule) {
        if (factor == 1) {
            return values;
        }
        int tr = thumbRows(rows, factor);
        int tc = thumbCols(cols, factor);
        float[] out = new float[heads * tr * tc];
        for (int h = 0; h < heads; h++) {
            float[] one = Pooling.pool(values, h * rows * cols, cols, 0, 0, rows, cols, factor, rule);
            System.arraycopy(one, 0, out, h * tr * tc, tr * tc);
        }
        return out;
    }

    private static int thumbRows(int rows, int factor) {
        return Pooling.blocks(rows, factor);
    }

    private static int thumbCols(int cols, int factor) {
        return Pooling.blocks(cols, factor);
    }

    /** Rows of a stored head: T, or T pooled. */
    public int storedRows() {
        return thumbRows(rows, factor);
    }

    /** Columns of a stored head: K, or K pooled. */
    public int storedCols() {
        return thumbCols(cols, factor);
    }

    /**
     * Whether a layer's pattern is computed; not so for a layer this model does not have (the selection may move to
     * the next model's layers before the data does).
     */
    public boolean computed(int layer) {
        return layer >= 0 && layer < maxPooled.size() && maxPooled.get(layer) != null;
    }

    /** A layer's stored [H, storedRows, storedCols] values under a pooling rule, or null while pending. */
    public float[] layer(int layer, Pooling.Rule rule) {
        return (rule == Pooling.Rule.MEAN ? meanPooled : maxPooled).get(layer);
    }

    /** How many layers are computed. */
    public int computedLayers() {
        int n = 0;
        for (int i = 0; i < layers; i++) {
            n += computed(i) ? 1 : 0;
        }
        return n;
    }
}
