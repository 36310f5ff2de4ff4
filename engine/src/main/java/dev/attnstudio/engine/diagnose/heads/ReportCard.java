package dev.attnstudio.engine.diagnose.heads;

import java.util.List;

/**
 * The head report card of one model over a set of prompts: a {@link HeadCard} per head of every attention
 * sub-layer, and what it was measured on.
 *
 * @param family        the model family ({@code gpt2}, {@code bert}, {@code llama}, {@code t5})
 * @param passes        forward passes whose patterns were pooled (a prompt batch each, plus decode passes)
 * @param queryRows     real query rows pooled per head of a single-stack model's (or the output stack's) layer 0
 * @param probe         the induction probe (period, repeats, rows, seed)
 * @param baseLoss      mean next-token loss of the prompts (nats); NaN for encoders
 * @param importance    how importance was measured, e.g. "mean ablation and gradient" or why ablation was skipped
 * @param heads         one card per head, sub-layer by sub-layer
 */
public record ReportCard(String family, int passes, long queryRows, InductionProbe probe, double baseLoss,
                         String importance, List<HeadCard> heads) {

    public ReportCard {
        heads = List.copyOf(heads);
    }

    /** The card of one head of a single-stack model's self-attention (or of the site named). */
    public HeadCard head(String site, int layer, int head) {
        return heads.stream().filter(h -> h.site().equals(site) && h.layer() == layer && h.head() == head).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no head " + site + " L" + layer + " H" + head));
    }

    /** The card of head {@code head} of layer {@code layer} of the first site. */
    public HeadCard head(int layer, int head) {
        return head(heads.get(0).site(), layer, head);
    }

    /** Every head with a flag of this kind. */
    public List<HeadCard> flagged(HeadFlag.Kind kind) {
        return heads.stream().filter(h -> h.flagged(kind)).toList();
    }
}
