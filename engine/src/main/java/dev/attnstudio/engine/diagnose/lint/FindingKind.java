package dev.attnstudio.engine.diagnose.lint;

/** What the mask linter can find, each with a one-line hint at the bug that usually causes it. */
public enum FindingKind {
    FUTURE_KEY_MASS("queries attend to later positions: the causal mask is missing or flipped (0 and -inf swapped)"),
    PADDING_KEY_MASS("real queries attend to padding keys: the padding mask is broadcast over the query axis instead"
            + " of the key axis ([:, None, :, None] for [:, None, None, :]), or not applied"),
    SEGMENT_CROSSING("queries attend across the segment boundary the model must not cross: the segment mask is"
            + " missing"),
    ALLOWED_KEY_BLOCKED("the applied mask blocks keys the model's own rule allows: an off-by-one causal mask"
            + " (key < query), a stale mask reused from an earlier pass, or a flipped convention"),
    FULLY_MASKED_ROW("a real query sees no key at all (its row is all zeros): the mask blocks its own position too"),
    NON_FINITE_ROW("NaN or Inf in a real query's attention: softmax of a row whose every score is -inf is 0/0; a mask"
            + " blocks every key of this query (off by one? flipped?)"),
    ROW_SUM("attention rows do not sum to 1: the mask was applied after the softmax (zeroing weights) instead of adding"
            + " -inf to the scores before it"),
    LOSS_COUNTS_PADDING("the mean loss includes positions whose target is padding: weight each position by the"
            + " attention mask of its target"),
    POSITION_IDS("left padding with absolute position embeddings: this row's real tokens start at a position above 0;"
            + " give position ids that start at each row's first real token, or pad on the right"),
    PADDED_ROW_CHANGED("a real row's output changes with the padding around it: padding leaks into real positions or"
            + " shifts their positions"),
    CACHE_DIVERGENCE("cached decoding disagrees with a full recompute: the decode pass reuses a stale mask or positions"
            + " built for the prompt, or the cache is appended wrongly");

    /** The likely bug, in one line. */
    public final String hint;

    FindingKind(String hint) {
        this.hint = hint;
    }
}
