package dev.attnstudio.lessons.probe;

import java.util.Arrays;
import java.util.List;

/**
 * How an attention map is computed: as the model computed it, or the way a classic mistake would. Misconception
 * probes are the same probes with one of the mistaken variants.
 */
public enum Variant {
    /** What the trace holds. */
    AS_COMPUTED("as-computed", "the values the model computed"),
    /** The softmax of the scores under the mask the model intends (its own rule and the padding), whatever was applied. */
    INTENDED_MASK("intended-mask", "what a correct mask would give"),
    /** Scores divided by sqrt(d_model) instead of sqrt(d_head). */
    SCALED_BY_D_MODEL("scaled-by-d-model", "scores divided by sqrt(d_model) instead of sqrt(d_head)"),
    /** Scores not divided at all. */
    UNSCALED("unscaled", "scores not divided by sqrt(d_head)"),
    /** The softmax taken over the query axis (each key's column sums to 1) instead of over the keys. */
    SOFTMAX_OVER_QUERIES("softmax-over-queries", "softmax over the query axis instead of the key axis"),
    /** Softmax over every key, then the blocked weights zeroed: rows no longer sum to 1. */
    MASK_AFTER_SOFTMAX("mask-after-softmax", "mask applied after the softmax"),
    /** Layer norm with epsilon added after the square root: (x - mean) / (sqrt(var) + eps). */
    EPS_OUTSIDE_SQRT("eps-outside-sqrt", "epsilon added outside the square root");

    public final String id;
    public final String description;

    Variant(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The variants of attention weights. */
    public static final List<Variant> WEIGHTS = List.of(AS_COMPUTED, INTENDED_MASK, SCALED_BY_D_MODEL, UNSCALED,
            SOFTMAX_OVER_QUERIES, MASK_AFTER_SOFTMAX);

    /** The variants of a score. */
    public static final List<Variant> SCORES = List.of(AS_COMPUTED, SCALED_BY_D_MODEL, UNSCALED, INTENDED_MASK);

    /** The variants of a mask count. */
    public static final List<Variant> MASKS = List.of(AS_COMPUTED, INTENDED_MASK);

    public static List<String> ids(List<Variant> variants) {
        return variants.stream().map(v -> v.id).toList();
    }

    /** The variant of an id the reader has already checked against the probe's choices. */
    public static Variant of(String id) {
        return Arrays.stream(values()).filter(v -> v.id.equals(id)).findFirst()
                .orElseThrow(() -> new ProbeException("variant", "no variant \"" + id + "\""));
    }

    /** The variant a call asks for; as-computed when it names none. */
    public static Variant of(ProbeCall call) {
        return of(call.string("variant", AS_COMPUTED.id));
    }
}
