package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.step.WholeSequence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The attention mask one layer actually applied, for one batch row, with every cell explained: allowed, blocked
 * because the key lies in the query's future (causal), blocked because the key is padding, or blocked for another
 * because it lies outside the model's sliding window, or blocked for another reason (a mask override). Carries the layer's attention pattern too, so a view can overlay it and show that a
 * blocked cell ({@code -inf} before the softmax) is not the same thing as an allowed cell of weight ~0.
 *
 * @param maskHook     the hook read, e.g. {@code blocks.0.attn.hook_mask}
 * @param maskShape    the mask's own shape, [B or 1, 1, T, K]
 * @param targetShape  what it is broadcast over: the scores, [B, H, T, K]
 * @param layer        the block
 * @param batchRow     the batch row shown
 * @param group        the step group (pass) read
 * @param past         keys before this pass's own (keys 0..past-1 come from the KV cache); 0 for cross-attention,
 *                     whose keys are the encoder's
 * @param firstQuery   position of the pass's first query in its sequence: the decoder positions before this pass,
 *                     for cross-attention too (where {@code past} is 0)
 * @param queries      T (an encoder-decoder's decoder attention: decoder positions)
 * @param keys         K = past + T; cross-attention: the encoder's positions S
 * @param queryLabels  token of every query position, T
 * @param keyLabels    token of every key position, K
 * @param cells        every cell's class, [T, K] row-major
 * @param paddingQuery whether each query position is padding, T
 * @param paddingKey   whether each key position is padding, K
 * @param heads        heads of the pattern (0 when the pattern is not computed yet)
 * @param pattern      the attention pattern of this batch row [H, T, K] row-major, or null when not computed yet
 * @param scope        what the rows are: "" for one pass, or "whole sequence · passes 1–4" when mask and pattern are
 *                     stitched from every pass up to the cursor's ({@link WholeSequence}); then {@code group} is the
 *                     last pass that gave rows, {@code past} and {@code firstQuery} are 0, and the queries are every
 *                     position of the sequence
 */
public record MaskData(String maskHook, long[] maskShape, long[] targetShape, int layer, int batchRow, int group,
                       int past, int firstQuery, int queries, int keys, List<String> queryLabels, List<String> keyLabels, Cell[] cells,
                       boolean[] paddingQuery, boolean[] paddingKey, int heads, float[] pattern, List<String> patches,
                       String scope) {

    /** Pattern weights below this are "near zero": allowed, but hardly attended. */
    public static final float NEAR_ZERO = 0.01f;

    /** Why a cell is or is not attended. */
    public enum Cell {
        ALLOWED("allowed"),
        CAUSAL("blocked: future key (causal)"),
        PADDING("blocked: padding key"),
        /** The model's own sliding window (Mistral, Gemma 2's sliding layers): the key is W or more positions back. */
        WINDOW("blocked: outside the sliding window"),
        OTHER("blocked: mask override");

        public final String label;

        Cell(String label) {
            this.label = label;
        }

        public boolean blocked() {
            return this != ALLOWED;
        }
    }

    /**
     * Reads the mask of a layer in the pass under the stepper's cursor. Engine thread only.
     *
     * @return the data, or null while that pass has not computed the layer's mask yet
     */
    public static MaskData from(Stepper stepper, LoadedModel model, AttentionSource source, int layer, int batchRow) {
        Stepper.Group group = stepper.group();
        Trace trace = group.trace();
        String maskHook = source.hook(layer, AttentionSource.MASK);
        if (!trace.available(maskHook)) {
            return null;
        }
        Batch inputs = group.inputs();
        if (batchRow < 0 || batchRow >= inputs.size()) {
            throw new IllegalArgumentException("batch row " + batchRow + " does not exist; the batch has " + inputs.size()
                    + " row(s)");
        }
        TensorData mask = trace.read(maskHook);
        long[] ms = mask.shape();
        // an encoder-decoder's decoder queries read the decoder's tokens (unpadded); its cross-attention keys the source
        boolean decoderQueries = source.stack().startsWith("decoder");
        long[] ones = new long[inputs.decoderLength()];
        Arrays.fill(ones, 1);
        long[] queryMask = decoderQueries ? ones : inputs.attentionMask()[batchRow];
        long[] rowIds = decoderQueries ? inputs.decoderIds()[batchRow] : inputs.ids()[batchRow];
        int t = rowIds.length;
        int k = (int) ms[3];
        int past = source.cross() ? 0 : group.past();
        long[] keyMask = source.cross() ? inputs.attentionMask()[batchRow] : queryMask; // this pass's own keys
        if (k != past + keyMask.length) {
            throw new IllegalStateException(maskHook + " has " + k + " keys; the pass has " + past + " past + "
                    + keyMask.length + " new");
        }
        String scoresHook = source.hook(layer, AttentionSource.SCORES_UNMASKED);
        long[] target = trace.program().indexOf(scoresHook) >= 0 && trace.executed() > trace.program().indexOf(scoresHook)
                ? trace.shapeOf(scoresHook) : ms;

        boolean[] paddingQuery = new boolean[t];
        for (int q = 0; q < t; q++) {
            paddingQuery[q] = queryMask[q] == 0;
        }
        boolean[] paddingKey = new boolean[k];
        for (int key = past; key < k; key++) {
            paddingKey[key] = keyMask[key - past] == 0;
        }
        Cell[] cells = cells(mask, ms[0] == 1 ? 0 : batchRow, t, k, past, paddingKey,
                source.causal(model.model().capabilities()), window(model, source, layer, trace, maskHook));

        long[] keyIds = source.cross() ? inputs.ids()[batchRow] : past == 0 ? rowIds : Arrays.copyOf(stepper.tokens(), k);
        String patternHook = source.hook(layer, AttentionSource.PATTERN);
        float[] pattern = null;
        int heads = 0;
        if (trace.available(patternHook)) {
            TensorData p = trace.read(patternHook, "{}", batchRow);
            heads = (int) p.shape()[0];
            pattern = p.values();
        }
        return new MaskData(maskHook, ms, target, layer, batchRow, stepper.groups().indexOf(group), past, group.past(), t, k,
                TokenLabels.of(model.tokenizer(), rowIds, 0, t), TokenLabels.of(model.tokenizer(), keyIds, 0, k), cells,
                paddingQuery, paddingKey, heads, pattern, patches(trace, maskHook, patternHook), "");
    }

    /**
     * The mask and pattern of a layer over the whole sequence, stitched from every pass up to the one under the cursor
     * (a generation's passes are batch 1). Engine thread only.
     *
     * @return the data, or null while no pass has computed the layer's mask
     */
    public static MaskData wholeSequence(Stepper stepper, LoadedModel model, AttentionSource source, int layer,
                                         int batchRow) {
        String maskHook = source.hook(layer, AttentionSource.MASK);
        WholeSequence.Stitched mask = WholeSequence.of(stepper, maskHook, batchRow);
        if (mask == null) {
            return null;
        }
        int t = mask.rows();
        int k = mask.keys();
        Batch prompt = stepper.groups().get(0).inputs();
        boolean decoderQueries = source.stack().startsWith("decoder");
        long[] sequence = stepper.tokens(); // the decoder's, or a decoder-only model's prompt and generated tokens
        long[] queryIds = decoderQueries || prompt.decoderIds() == null ? sequence : prompt.ids()[batchRow];
        long[] keyIds = source.cross() ? prompt.ids()[batchRow] : queryIds;
        // padding: the prompt's own (a decoder's rows are unpadded); generated positions are real tokens
        long[] queryMask = decoderQueries ? new long[0] : prompt.attentionMask()[batchRow];
        long[] keyMask = source.cross() ? prompt.attentionMask()[batchRow] : queryMask;
        boolean[] paddingQuery = new boolean[t];
        for (int q = 0; q < t && q < queryMask.length; q++) {
            paddingQuery[q] = queryMask[q] == 0;
        }
        boolean[] paddingKey = new boolean[k];
        for (int key = 0; key < k && key < keyMask.length; key++) {
            paddingKey[key] = keyMask[key] == 0;
        }
        Trace trace = stepper.groups().get(mask.lastPass()).trace();
        Cell[] cells = cells(mask.values(), 0, t, k, 0, paddingKey, source.causal(model.model().capabilities()),
                window(model, source, layer, trace, maskHook));
        String patternHook = source.hook(layer, AttentionSource.PATTERN);
        WholeSequence.Stitched pattern = WholeSequence.of(stepper, patternHook, batchRow, mask.lastPass());
        boolean withPattern = pattern != null && pattern.rows() == t && pattern.keys() == k; // else its row is pending
        int heads = model.config().nHead();
        return new MaskData(maskHook, mask.values().shape(), new long[] {1, heads, t, k}, layer, batchRow,
                mask.lastPass(), 0, 0, t, k, TokenLabels.of(model.tokenizer(), queryIds, 0, t),
                TokenLabels.of(model.tokenizer(), keyIds, 0, k), cells, paddingQuery, paddingKey,
                withPattern ? pattern.heads() : 0, withPattern ? pattern.values().values() : null,
                patches(trace, maskHook, patternHook), mask.describe());
    }

    /**
     * The mask of a view context's layer: over the whole sequence or in the pass under the cursor, as the context says
     * (the same while there is one pass). Engine thread only.
     */
    public static MaskData from(Stepper stepper, ViewContext c) {
        return c.wholeSequence() && stepper.groups().size() > 1
                ? wholeSequence(stepper, c.loaded(), c.source(), c.layer(), c.batchRow())
                : from(stepper, c.loaded(), c.source(), c.layer(), c.batchRow());
    }

    /**
     * The sliding window W of a layer's self-attention as the model defines it (Capabilities), or 0 when it has none or
     * when an intervention replaced the mask (its blocked cells are then the override's, not the window's).
     */
    private static int window(LoadedModel model, AttentionSource source, int layer, Trace trace, String maskHook) {
        return source.cross() || !trace.patches(maskHook).isEmpty() ? 0 : model.model().capabilities().window(layer);
    }

    /**
     * Classifies every cell of a mask [B or 1, 1, T or 1, K] for batch row {@code mb}: allowed (0), else blocked
     * because the key is padding, lies after the query (a causal attention, query t at position past + t), lies
     * {@code window} or more positions before it (a sliding window; 0 for none), or for another reason.
     */
    private static Cell[] cells(TensorData mask, int mb, int t, int k, int past, boolean[] paddingKey, boolean causal,
                                int window) {
        long[] ms = mask.shape();
        Cell[] cells = new Cell[t * k];
        for (int q = 0; q < t; q++) {
            int mq = ms[2] == 1 ? 0 : q;
            for (int key = 0; key < k; key++) {
                float m = mask.get(mb, 0, mq, key);
                Cell c;
                if (m == 0f) {
                    c = Cell.ALLOWED;
                } else if (paddingKey[key]) {
                    c = Cell.PADDING;
                } else if (causal && key > past + q) {
                    c = Cell.CAUSAL;
                } else if (window > 0 && past + q - key >= window) {
                    c = Cell.WINDOW;
                } else {
                    c = Cell.OTHER;
                }
                cells[q * k + key] = c;
            }
        }
        return cells;
    }

    /** "hook_mask: labels" and "hook_pattern: labels" for what interventions replaced; empty when nothing was. */
    private static List<String> patches(Trace trace, String maskHook, String patternHook) {
        List<String> lines = new ArrayList<>();
        for (String hook : List.of(maskHook, patternHook)) {
            List<String> labels = trace.patches(hook);
            if (!labels.isEmpty()) {
                lines.add(hook.substring(hook.lastIndexOf('.') + 1) + ": " + String.join("; ", labels));
            }
        }
        return List.copyOf(lines);
    }

    public Cell cell(int query, int key) {
        return cells[query * keys + key];
    }

    /** The pattern weight of a cell for one head, or NaN when the pattern is not computed. */
    public float weight(int head, int query, int key) {
        return pattern == null ? Float.NaN : pattern[(head * queries + query) * keys + key];
    }

    /** How many cells of each class, indexed by {@link Cell#ordinal()}. */
    public int[] counts() {
        int[] n = new int[Cell.values().length];
        for (Cell c : cells) {
            n[c.ordinal()]++;
        }
        return n;
    }

    /** "[1, 1, 5, 5] broadcast over [1, 4, 5, 5]", then the scope: "  ·  whole sequence · passes 1–4". */
    public String broadcastText() {
        return Arrays.toString(maskShape) + (Arrays.equals(maskShape, targetShape) ? ""
                : " broadcast over " + Arrays.toString(targetShape)) + (scope.isEmpty() ? "" : "  \u00b7  " + scope);
    }
}
