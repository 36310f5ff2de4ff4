package dev.attnstudio.app.attention;

import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.Objects;

/**
 * How a layer's second attention stage ({@code hook_attn_scores_unmasked}) was made from q·k, as the engine's op
 * for it says: divided by √d_head (GPT-2, BERT, Llama), left alone because the model never scales (T5), or left
 * alone because an intervention turned scaling off; and whether a position bias was added (T5's self-attention).
 * Without scaling and bias the stage equals the raw scores.
 *
 * @param kind         what happened to the scale
 * @param positionBias the hook of the bias added to the scores, or null
 * @param math         the engine's own description of the op, e.g. "scores / sqrt(d_head) = scores / 4"
 */
public record ScoreScaling(Kind kind, String positionBias, String math) {

    /** What the op did to the scale of q·k. */
    public enum Kind {
        /** Divided by √d_head. */
        DIVIDED,
        /** The model does not scale (T5). */
        NEVER,
        /** The model scales, but an intervention turned it off. */
        DISABLED
    }

    public ScoreScaling {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(math, "math");
    }

    /**
     * Reads the op of a {@code hook_attn_scores_unmasked} hook in a pass's program (which knows it before it runs).
     *
     * @return the scaling, or null when the program has no such hook
     */
    public static ScoreScaling of(Program program, String hook) {
        int at = program.indexOf(hook);
        if (at < 0) {
            return null;
        }
        Op op = program.op(at);
        String math = op.math();
        // The engine writes "scores / sqrt(d_head) = scores / 8", "scaling disabled (intervention): ..." or
        // "scores unscaled (T5 has no 1/sqrt(d_head))"; its inputs are q·k and, when there is one, the bias.
        Kind kind = math.contains("sqrt(d_head) =") ? Kind.DIVIDED
                : math.contains("intervention") ? Kind.DISABLED : Kind.NEVER;
        return new ScoreScaling(kind, op.inputs().size() > 1 ? op.inputs().get(1) : null, math);
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
            case DISABLED -> "The raw scores, not scaled: an intervention turned the \u00f7\u221ad_head off";
        };
        String bias = positionBias != null ? ", plus the position bias (" + positionBias + ")"
                : kind == Kind.DIVIDED ? "" : ", so equal to them";
        return scale + bias + ": hook_attn_scores_unmasked\nengine: " + math;
    }
}
