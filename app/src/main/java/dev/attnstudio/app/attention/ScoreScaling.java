package dev.attnstudio.app.attention;

import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Trace;

import java.util.List;
import java.util.Objects;

/**
 * How a layer's second attention stage ({@code hook_attn_scores_unmasked}) was made from q·k, as the engine's step
 * says in its data: divided by √d_head (its scale factor is below 1: GPT-2, BERT, Llama), left alone because the
 * model never scales (factor 1: T5), or replaced by an intervention (the trace records the patch, e.g. scaling
 * turned off); and whether a position bias was added (a second input: T5's self-attention). Without scaling and
 * bias the stage equals the raw scores.
 *
 * @param kind         what happened to the scale
 * @param positionBias the hook of the bias added to the scores, or null
 * @param math         the engine's own description of the step, for people
 * @param patches      the labels of the interventions that replaced the stage's value; empty if none did
 */
public record ScoreScaling(Kind kind, String positionBias, String math, List<String> patches) {

    /** What the op did to the scale of q·k. */
    public enum Kind {
        /** Divided by √d_head. */
        DIVIDED,
        /** The model does not scale (T5). */
        NEVER,
        /** The model scales, but an intervention replaced the scaled scores (scaling turned off). */
        DISABLED
    }

    public ScoreScaling {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(math, "math");
        patches = List.copyOf(patches);
    }

    /**
     * Reads the step of a {@code hook_attn_scores_unmasked} hook in a pass (its program knows the step before it runs;
     * whether an intervention replaced its value is known once it ran).
     *
     * @return the scaling, or null when the pass has no such hook
     */
    public static ScoreScaling of(Trace trace, String hook) {
        Program program = trace.program();
        int at = program.indexOf(hook);
        if (at < 0) {
            return null;
        }
        Op op = program.op(at);
        List<String> patches = trace.patches(hook);
        Kind kind = op.scale() == 1f ? Kind.NEVER : patches.isEmpty() ? Kind.DIVIDED : Kind.DISABLED;
        return new ScoreScaling(kind, op.inputs().size() > 1 ? op.inputs().get(1) : null, op.math(), patches);
    }

    /** The stage's title, e.g. "scaled ÷√d_head" or "scaled (T5: no scaling, = raw)". */
    public String title() {
        String why = kind == Kind.NEVER ? "T5: no scaling" : "scaling off";
        return switch (kind) {
            case DIVIDED -> "scaled \u00f7\u221ad_head" + (positionBias == null ? "" : " + position bias");
            case NEVER, DISABLED -> positionBias == null ? "scaled (" + why + ", = raw)" : "+ position bias (" + why + ")";
        };
    }

    /** One word for readouts: "scaled", "unscaled" or "biased". */
    public String shortTitle() {
        return kind == Kind.DIVIDED ? "scaled" : positionBias == null ? "unscaled" : "biased";
    }

    /** What the stage is and the engine's own math for it. */
    public String tooltip() {
        String scale = switch (kind) {
            case DIVIDED -> "The raw scores divided by \u221ad_head";
            case NEVER -> "The raw scores, not scaled: T5 does not divide by \u221ad_head";
            case DISABLED -> "The raw scores, not scaled: an intervention replaced the scaled ones (" + String.join(", ", patches) + ")";
        };
        String bias = positionBias != null ? ", plus the position bias (" + positionBias + ")"
                : kind == Kind.DIVIDED ? "" : ", so equal to them";
        return scale + bias + ": hook_attn_scores_unmasked\nengine: " + math;
    }
}
