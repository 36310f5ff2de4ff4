package dev.attnstudio.engine.program;

/** What kind of forward pass a program is. */
public enum PassKind {
    /** The prompt: every position at once (an encoder-decoder: the encoder, then the decoder's given tokens). */
    PREFILL,
    /** One generated token over the KV cache. */
    DECODE,
    /** One generated token by recomputing the whole sequence (no cache). */
    RECOMPUTE
}
