package dev.attnstudio.engine.step;

/** How much of a pass a trace keeps. */
public enum Capture {
    /** A plain forward pass: every intermediate is freed after its last use; only logits (and cache inputs) stay. */
    OFF,
    /**
     * Every hook stays reachable, but steps marked derivable (score stages, LayerNorm outputs, residual sums)
     * are recomputed from kept inputs when read, which keeps long prompts within memory.
     */
    COMPACT,
    /** Every step's output is kept. */
    FULL
}
