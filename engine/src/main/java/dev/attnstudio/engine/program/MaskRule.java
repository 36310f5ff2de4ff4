package dev.attnstudio.engine.program;

/**
 * Which key positions each query position may see. Positions are absolute (0 = first token of the prompt), so one
 * rule serves prefill and decode.
 */
@FunctionalInterface
public interface MaskRule {

    boolean allowed(int queryPos, int keyPos);

    /** Every query sees every key: an encoder, or a decoder run without its causal mask. */
    MaskRule BIDIRECTIONAL = (q, k) -> true;

    /** The causal mask: a query sees its own position and the ones before it. */
    MaskRule CAUSAL = (q, k) -> k <= q;

    /** Each query sees only the last {@code window} positions up to itself. */
    static MaskRule slidingWindow(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, was " + window);
        }
        return (q, k) -> k <= q && q - k < window;
    }
}
