package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.step.WholeSequence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Head entropy of one batch row: for the pass under the cursor (or the whole sequence, stitched from every pass up to
 * it), every head's mean normalized entropy (0 = all weight on one key, 1 = uniform over the keys the mask allows;
 * padding queries left out) and every query's own; and across passes, each head's mean per pass, i.e. its evolution as
 * tokens are generated.
 *
 * @param group        the pass under the cursor
 * @param batchRow     the batch row
 * @param layers       blocks (L)
 * @param heads        heads per block (H)
 * @param mean         mean normalized entropy per (layer, head), [L, H] row-major; NaN where not computed yet
 * @param queries      query positions of the pass (T); whole sequence: of the sequence so far
 * @param perQuery     normalized entropy per (layer, head, query), [L, H, T] row-major; NaN where not computed
 * @param paddingQuery whether each query is padding (left out of the means), T
 * @param queryLabels  the token at each query, T
 * @param evolution    every pass's means, in order (the most recent {@link #EVOLUTION_LIMIT})
 */
public record EntropyData(int group, int batchRow, int layers, int heads, float[] mean, int queries, float[] perQuery,
                          boolean[] paddingQuery, List<String> queryLabels, List<Step> evolution) {

    /** Passes kept in {@link #evolution}. */
    public static final int EVOLUTION_LIMIT = 256;

    /**
     * One pass's means.
     *
     * @param group its index among the stepper's groups
     * @param label "prompt", or the token the pass reads
     * @param mean  [L, H] row-major, NaN where not computed
     */
    public record Step(int group, String label, float[] mean) {
    }

    /**
     * The entropy of a view context's attention and batch row: over the whole sequence or in the pass under the cursor,
     * as the context says (the same while there is one pass). Engine thread only.
     */
    public static EntropyData from(Stepper stepper, ViewContext c) {
        return c.wholeSequence() && stepper.groups().size() > 1
                ? wholeSequence(stepper, c.loaded(), c.source(), c.batchRow())
                : from(stepper, c.loaded(), c.source(), c.batchRow());
    }

    /**
     * The entropy of every query of the whole sequence, each layer's pattern and mask stitched from every pass up to the
     * one under the cursor (a layer that pass has not reached yet lacks its rows: NaN there), and every pass's means.
     * Engine thread only.
     */
    public static EntropyData wholeSequence(Stepper stepper, LoadedModel model, AttentionSource source, int batchRow) {
        int layers = source.layers(stepper.groups().get(0).trace().program()); // the prompt's pass runs every stack
        int heads = model.config().nHead();
        List<HeadEntropy> entropies = new ArrayList<>(layers);
        int t = 0;
        for (int l = 0; l < layers; l++) {
            WholeSequence.Stitched pattern = WholeSequence.of(stepper, source.hook(l, AttentionSource.PATTERN), batchRow);
            WholeSequence.Stitched mask = pattern == null ? null
                    : WholeSequence.of(stepper, source.hook(l, AttentionSource.MASK), batchRow, pattern.lastPass());
            entropies.add(mask == null ? null : HeadEntropy.of(l, pattern.values(), mask.values()));
            t = Math.max(t, pattern == null ? 0 : pattern.rows());
        }
        Batch prompt = stepper.groups().get(0).inputs();
        boolean decoderQueries = source.stack().startsWith("decoder");
        long[] queryIds = decoderQueries || prompt.decoderIds() == null ? stepper.tokens() : prompt.ids()[batchRow];
        long[] promptMask = decoderQueries ? new long[0] : prompt.attentionMask()[batchRow];
        long[] queryMask = new long[t];
        boolean[] padding = new boolean[t];
        for (int q = 0; q < t; q++) {
            queryMask[q] = q < promptMask.length ? promptMask[q] : 1; // generated positions are real tokens
            padding[q] = queryMask[q] == 0;
        }
        float[] mean = new float[layers * heads];
        float[] perQuery = new float[layers * heads * t];
        Arrays.fill(mean, Float.NaN);
        Arrays.fill(perQuery, Float.NaN);
        for (int l = 0; l < layers; l++) {
            HeadEntropy e = entropies.get(l);
            if (e == null) {
                continue;
            }
            for (int h = 0; h < heads; h++) {
                mean[l * heads + h] = e.meanNormalized(0, h, Arrays.copyOf(queryMask, e.queries()));
                for (int q = 0; q < e.queries(); q++) {
                    perQuery[(l * heads + h) * t + q] = e.normalized(0, h, q);
                }
            }
        }
        return new EntropyData(stepper.groups().indexOf(stepper.group()), batchRow, layers, heads, mean, t, perQuery, padding,
                TokenLabels.of(model.tokenizer(), queryIds, 0, t), evolution(stepper, model, source, batchRow, null, layers, heads));
    }

    /** Reads the entropy of every layer of the pass under the cursor, and of every earlier pass. Engine thread only. */
    public static EntropyData from(Stepper stepper, LoadedModel model, AttentionSource source, int batchRow) {
        Stepper.Group current = stepper.group();
        Trace trace = current.trace();
        int layers = source.layers(trace.program());
        int heads = model.config().nHead();
        boolean decoderQueries = source.stack().startsWith("decoder");
        int t = decoderQueries ? current.inputs().decoderLength() : current.inputs().length();
        float[] perQuery = new float[layers * heads * t];
        Arrays.fill(perQuery, Float.NaN);
        float[] mean = means(current, source, layers, heads, batchRow, perQuery);
        List<Step> evolution = evolution(stepper, model, source, batchRow, mean, layers, heads);
        long[] queryMask = queryMask(current, source, batchRow);
        boolean[] padding = new boolean[t];
        for (int q = 0; q < t; q++) {
            padding[q] = queryMask[q] == 0;
        }
        return new EntropyData(stepper.groups().indexOf(current), batchRow, layers, heads, mean, t, perQuery, padding,
                TokenLabels.of(model.tokenizer(), queryIds(current, source, batchRow), 0, t), evolution);
    }

    /**
     * Every pass's own means (the most recent {@link #EVOLUTION_LIMIT}), labelled "prompt" or by the token the pass reads.
     *
     * @param currentMean the cursor's pass's means when already computed, else null
     */
    private static List<Step> evolution(Stepper stepper, LoadedModel model, AttentionSource source, int batchRow,
                                        float[] currentMean, int layers, int heads) {
        List<Stepper.Group> groups = stepper.groups();
        Stepper.Group current = stepper.group();
        List<Step> evolution = new ArrayList<>();
        for (int g = Math.max(0, groups.size() - EVOLUTION_LIMIT); g < groups.size(); g++) {
            Stepper.Group group = groups.get(g);
            long[] ids = queryIds(group, source, 0);
            String label = g == 0 ? "prompt" : TokenLabels.label(model.tokenizer(), ids[ids.length - 1]);
            evolution.add(new Step(g, label, group == current && currentMean != null ? currentMean
                    : means(group, source, layers, heads, batchRow, null)));
        }
        return List.copyOf(evolution);
    }

    /** The tokens a pass's queries read: the source for encoder attention, the decoder's tokens for decoder attention. */
    private static long[] queryIds(Stepper.Group group, AttentionSource source, int batchRow) {
        return source.stack().startsWith("decoder") ? group.inputs().decoderIds()[batchRow] : group.inputs().ids()[batchRow];
    }

    /**
     * Which queries are real tokens (1) or padding (0): the attention mask for queries over the source; all ones for
     * an encoder-decoder's decoder queries, whose rows are unpadded (batch 1) and which the source's mask does not
     * describe.
     */
    private static long[] queryMask(Stepper.Group group, AttentionSource source, int batchRow) {
        if (source.stack().startsWith("decoder")) {
            long[] ones = new long[group.inputs().decoderLength()];
            Arrays.fill(ones, 1);
            return ones;
        }
        return group.inputs().attentionMask()[batchRow];
    }

    /** Padding-aware means per (layer, head) of one pass; fills perQuery [L, H, T] too when given. */
    private static float[] means(Stepper.Group group, AttentionSource source, int layers, int heads, int batchRow,
                                 float[] perQuery) {
        float[] mean = new float[layers * heads];
        Arrays.fill(mean, Float.NaN);
        Trace trace = group.trace();
        long[] queryMask = queryMask(group, source, batchRow);
        for (int l = 0; l < layers; l++) {
            String pattern = source.hook(l, AttentionSource.PATTERN);
            String mask = source.hook(l, AttentionSource.MASK);
            if (!trace.available(pattern) || !trace.available(mask)) {
                continue;
            }
            HeadEntropy e = HeadEntropy.of(l, trace.read(pattern), trace.read(mask));
            for (int h = 0; h < heads; h++) {
                mean[l * heads + h] = e.meanNormalized(batchRow, h, queryMask);
            }
            if (perQuery != null) {
                for (int h = 0; h < heads; h++) {
                    for (int q = 0; q < e.queries(); q++) {
                        perQuery[(l * heads + h) * e.queries() + q] = e.normalized(batchRow, h, q);
                    }
                }
            }
        }
        return mean;
    }

    public float mean(int layer, int head) {
        return mean[layer * heads + head];
    }

    public float perQuery(int layer, int head, int query) {
        return perQuery[(layer * heads + head) * queries + query];
    }
}
