package dev.attnstudio.engine.model;

/**
 * A mask chosen by the user instead of the model's own: which key positions each query position may see.
 * Positions are absolute (0 = first token of the prompt), so one override serves prefill and decode.
 */
@FunctionalInterface
public interface MaskOverride {

    boolean allowed(int queryPos, int keyPos);

    /** Every query sees every key: a decoder run without its causal mask. */
    MaskOverride BIDIRECTIONAL = (q, k) -> true;

    /** The causal mask, stated explicitly. */
    MaskOverride CAUSAL = (q, k) -> k <= q;

    /** Each query sees only the last {@code window} positions up to itself. */
    static MaskOverride slidingWindow(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, was " + window);
        }
        return (q, k) -> k <= q && q - k < window;
    }
}
