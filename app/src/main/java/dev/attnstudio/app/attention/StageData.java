package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.step.WholeSequence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The four stages of one head's attention, each a [T, K] matrix of one batch row: q . k (raw), scaled by
 * 1/sqrt(d_head) (or not: see {@link ScoreScaling}), masked (plus the additive mask, -inf where blocked) and the
 * softmax pattern. A stage the pass has not computed yet is null (shown as pending).
 *
 * @param heads   the layer's head count (0 while no stage is computed)
 * @param scaling how the engine makes the second stage in this pass, or null when the pass has no such layer
 * @param stages  raw, scaled, masked, pattern, in that order; an element is null while pending
 * @param patches what interventions replaced among the layer's attention values, one line per hook
 *                ("hook_mask: mask bug: ...", "hook_z: ablate L1.H2 (zero)"); empty when nothing was
 * @param scope   what the rows are, for the caption: "" for the only pass, "pass 2 of 3", or "whole sequence ·
 *                passes 1–3" when the rows are stitched from every pass ({@link WholeSequence}); then the masked
 *                scores and the softmax are exactly a pass over the whole sequence, while q·k and the scaled scores
 *                have no value where a row meets a key after its pass (no pass computed those): they are -inf there,
 *                hatched, and the stage's title says so
 */
public record StageData(AttentionSource source, int layer, int head, int heads, int batchRow, ScoreScaling scaling,
                        List<AttentionMatrix> stages, List<String> patches, String scope) {

    /**
     * Stage titles, in order, before the engine says how the second stage is made ({@link #title(int)} then
     * tells).
     */
    public static final List<String> TITLES = List.of("q\u00b7k (raw)", "scaled", "masked", "softmax");
    /** The index of the masked stage: the stages before it are scores before the mask. */
    private static final int MASKED = 2;
    /**
     * Appended to the title of a whole sequence's stage before the mask: a generated token's pass dotted its query with
     * the keys that existed, so the cells of later keys were never computed (the engine gives NaN there); they are
     * hatched like the masked cells they become.
     */
    public static final String NOT_COMPUTED = " \u00b7 \u25a8 not computed";
    /** The hook of each stage, in order. */
    public static final List<String> HOOKS = List.of(AttentionSource.QK_RAW, AttentionSource.SCORES_UNMASKED,
            AttentionSource.SCORES, AttentionSource.PATTERN);

    public StageData {
        Objects.requireNonNull(source, "source");
        if (stages.size() != HOOKS.size()) {
            throw new IllegalArgumentException("a head has " + HOOKS.size() + " stages, got " + stages.size());
        }
        stages = Collections.unmodifiableList(new ArrayList<>(stages)); // nulls allowed: pending stages
        patches = List.copyOf(patches);
        Objects.requireNonNull(scope, "scope");
    }

    /**
     * The selected head of a view context: over the whole sequence or in the pass under the cursor, as the context
     * says (the same while there is one pass). Runs on the ENGINE thread.
     */
    public static StageData from(Stepper stepper, ViewContext c) {
        return c.wholeSequence() && stepper.groups().size() > 1
                ? wholeSequence(stepper, c.source(), c.layer(), c.head(), c.batchRow(), c.queryLabels(), c.keyLabels())
                : from(stepper, c.source(), c.layer(), c.head(), c.batchRow(), c.queryLabels(), c.keyLabels());
    }

    /**
     * Reads one head's stages from the group under the stepper's cursor. Runs on the ENGINE thread.
     *
     * @param queryTokens texts of the query sequence by absolute position (rows are positions past .. past+T-1)
     * @param keyTokens   texts of the key sequence by position (the same list for self-attention; the encoder's
     *                    tokens for cross-attention)
     * @throws IllegalArgumentException if the layer has no such head or batch row
     */
    public static StageData from(Stepper stepper, AttentionSource source, int layer, int head, int batchRow,
                                 List<String> queryTokens, List<String> keyTokens) {
        Stepper.Group group = stepper.group();
        Trace trace = group.trace();
        int heads = 0;
        ScoreScaling scaling = ScoreScaling.of(trace, source.hook(layer, AttentionSource.SCORES_UNMASKED));
        List<AttentionMatrix> stages = new ArrayList<>(HOOKS.size());
        for (int s = 0; s < HOOKS.size(); s++) {
            String name = source.hook(layer, HOOKS.get(s));
            if (!trace.available(name)) {
                stages.add(null);
                continue;
            }
            long[] shape = trace.shapeOf(name); // [B, H, T, K]
            heads = (int) shape[1];
            if (head < 0 || head >= shape[1] || batchRow < 0 || batchRow >= shape[0]) {
                throw new IllegalArgumentException(name + " has " + shape[0] + " batch rows and " + shape[1]
                        + " heads; there is no batch row " + batchRow + ", head " + head);
            }
            TensorData d = trace.read(name, "{}, {}", batchRow, head); // [T, K]
            int rows = (int) d.shape()[0];
            int cols = (int) d.shape()[1];
            AttentionMatrix.Kind kind = s == HOOKS.size() - 1 ? AttentionMatrix.Kind.WEIGHTS : AttentionMatrix.Kind.SCORES;
            stages.add(AttentionMatrix.of(name, title(s, scaling, trace, source, layer), kind, rows, cols, d.values(),
                    PositionLabels.of(queryTokens, group.past(), rows), PositionLabels.of(keyTokens, 0, cols)));
        }
        return new StageData(source, layer, head, heads, batchRow, scaling, stages, patches(trace, source, layer),
                PositionLabels.passScope(stepper));
    }

    /**
     * One head's stages over the whole sequence, each stitched from the passes up to the one under the cursor (a stage
     * that pass has not reached lacks its rows). Runs on the ENGINE thread.
     *
     * @param queryTokens texts of the query sequence by position
     * @param keyTokens   texts of the key sequence by position
     * @throws IllegalArgumentException if the layer has no such head or batch row
     */
    public static StageData wholeSequence(Stepper stepper, AttentionSource source, int layer, int head, int batchRow,
                                          List<String> queryTokens, List<String> keyTokens) {
        // scaling and patches as the newest pass with this attention made them (every pass runs the same interventions)
        Trace trace = newestWith(stepper, source.hook(layer, AttentionSource.PATTERN));
        ScoreScaling scaling = ScoreScaling.of(trace, source.hook(layer, AttentionSource.SCORES_UNMASKED));
        List<AttentionMatrix> stages = new ArrayList<>(HOOKS.size());
        int heads = 0;
        String scope = "whole sequence";
        for (int s = 0; s < HOOKS.size(); s++) {
            String name = source.hook(layer, HOOKS.get(s));
            WholeSequence.Stitched w = WholeSequence.of(stepper, name, batchRow);
            if (w == null) {
                stages.add(null);
                continue;
            }
            heads = w.heads();
            if (head < 0 || head >= heads) {
                throw new IllegalArgumentException(name + " has " + heads + " heads; there is no head " + head);
            }
            scope = s == 0 ? w.describe() : scope; // q·k is computed first: it has the most rows
            int rows = w.rows();
            int cols = w.keys();
            float[] one = Arrays.copyOfRange(w.values().values(), head * rows * cols, (head + 1) * rows * cols);
            String title = title(s, scaling, trace, source, layer);
            boolean hatched = false;
            for (int q = 0; q < rows && s < MASKED; q++) { // no pass computed q·k with a key after its own: hatched,
                hatched |= w.rowKeys()[q] < cols;           // as the mask blocks them (cross-attention meets every key)
                Arrays.fill(one, q * cols + w.rowKeys()[q], (q + 1) * cols, Float.NEGATIVE_INFINITY);
            }
            title += hatched ? NOT_COMPUTED : "";
            AttentionMatrix.Kind kind = s == HOOKS.size() - 1 ? AttentionMatrix.Kind.WEIGHTS : AttentionMatrix.Kind.SCORES;
            stages.add(AttentionMatrix.of(name, title, kind, rows, cols, one,
                    PositionLabels.of(queryTokens, 0, rows), PositionLabels.of(keyTokens, 0, cols)));
        }
        return new StageData(source, layer, head, heads, batchRow, scaling, stages, patches(trace, source, layer), scope);
    }

    /** The trace of the newest pass up to the cursor's whose program has a hook (an encoder's: the prompt's pass). */
    private static Trace newestWith(Stepper stepper, String hook) {
        for (int g = stepper.groups().indexOf(stepper.group()); g > 0; g--) {
            if (stepper.groups().get(g).trace().program().indexOf(hook) >= 0) {
                return stepper.groups().get(g).trace();
            }
        }
        return stepper.groups().get(0).trace();
    }

    /** The layer's attention hooks whose values interventions replaced, as "hook: labels" lines (z: ablated heads). */
    private static List<String> patches(Trace trace, AttentionSource source, int layer) {
        List<String> lines = new ArrayList<>();
        for (String hook : List.of(AttentionSource.QK_RAW, AttentionSource.SCORES_UNMASKED, AttentionSource.MASK,
                AttentionSource.SCORES, AttentionSource.PATTERN, AttentionSource.Z)) {
            List<String> labels = trace.patches(source.hook(layer, hook));
            if (!labels.isEmpty()) {
                lines.add(hook + ": " + String.join("; ", labels));
            }
        }
        return lines;
    }

    private static String title(int stage, ScoreScaling scaling) {
        return stage == 1 && scaling != null ? scaling.title() : TITLES.get(stage);
    }

    /**
     * A stage's title in a layer of a pass: as {@link #title(int, ScoreScaling)}, and the masked stage says it was
     * soft-capped first where the layer caps its scores (Gemma 2: the mask is added to {@code hook_attn_scores_capped},
     * so the stage before it shows the scores before the cap and this one after it).
     */
    private static String title(int stage, ScoreScaling scaling, Trace trace, AttentionSource source, int layer) {
        boolean capped = stage == MASKED && trace.program().indexOf(source.hook(layer, AttentionSource.SCORES_CAPPED)) >= 0;
        return capped ? "soft-capped, masked" : title(stage, scaling);
    }

    /**
     * A stage's title: {@link #TITLES}, the second one as the engine computed it ("scaled \u00f7\u221ad_head"); over the
     * whole sequence, the stages before the mask say their hatched cells were not computed.
     */
    public String title(int stage) {
        AttentionMatrix m = stages.get(stage);
        return m != null ? m.title() : title(stage, scaling);
    }

    /** A stage's name in one word, for readouts: "q\u00b7k", "scaled" (or "unscaled", "biased"), "masked", "softmax". */
    public String shortTitle(int stage) {
        return stage == 1 && scaling != null ? scaling.shortTitle() : TITLES.get(stage).split(" ")[0];
    }

    /** Self-attention over one token sequence. */
    public static StageData from(Stepper stepper, int layer, int head, List<String> tokens) {
        return from(stepper, AttentionSource.SELF, layer, head, 0, tokens, tokens);
    }

    public AttentionMatrix raw() {
        return stages.get(0);
    }

    public AttentionMatrix scaled() {
        return stages.get(1);
    }

    public AttentionMatrix masked() {
        return stages.get(2);
    }

    public AttentionMatrix pattern() {
        return stages.get(3);
    }

    /** A caption for the head, e.g. "layer 0 · head 3", or "layer 0 · head 3 · whole sequence · passes 1–4". */
    public String caption() {
        return source.caption(layer, head) + (scope.isEmpty() ? "" : "  \u00b7  " + scope);
    }
}
