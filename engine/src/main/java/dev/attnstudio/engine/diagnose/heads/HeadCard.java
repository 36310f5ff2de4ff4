package dev.attnstudio.engine.diagnose.heads;

import java.util.List;
import java.util.Map;

/**
 * Every number the report card has on one head, with its flags. NaN where a number does not apply (no loss for an
 * encoder, no template for cross-attention, ablation not measured).
 *
 * @param site               {@code self}, {@code encoder}, {@code decoder} or {@code cross}
 * @param layer              the block
 * @param head               the query head
 * @param entropyMean        mean normalized entropy H_i / log n_i over rows ({@link PatternStats})
 * @param entropySpread      its standard deviation over rows
 * @param confidence         mean max weight (Voita et al. 2019)
 * @param previousToken      mean A[i, i-1]
 * @param sinkAlpha          alpha per watched key: {@code first} and each special token's text (Gu et al. 2025)
 * @param specialMass        mean weight on special-token keys together
 * @param duplicateToken     duplicate-token score on the probe ({@link InductionProbe})
 * @param induction          induction (prefix-matching) score on the probe
 * @param nearestHead        the most similar other head of the layer, or -1
 * @param nearestJs          mean JS divergence to it (nats per row)
 * @param nearestInGroup     the most similar head sharing its key/value head (grouped-query attention), or -1
 * @param groupJs            mean JS divergence to that one
 * @param outputRatio        mean ||z_h W_O[h]|| / ||residual|| ({@link HeadOutputNorms})
 * @param ablationDelta      loss change when ablated (nats)
 * @param gradient           Michel et al.'s I_h
 * @param gradientNormalized I_h / ||I_layer||_2
 * @param flags              what the numbers say, each with its evidence
 */
public record HeadCard(String site, int layer, int head, double entropyMean, double entropySpread, double confidence,
                       double previousToken, Map<String, Double> sinkAlpha, double specialMass, double duplicateToken,
                       double induction, int nearestHead, double nearestJs, int nearestInGroup, double groupJs,
                       double outputRatio, double ablationDelta, double gradient, double gradientNormalized,
                       List<HeadFlag> flags) {

    public HeadCard {
        sinkAlpha = Map.copyOf(sinkAlpha);
        flags = List.copyOf(flags);
    }

    /** {@code L1 H2}, or {@code cross L1 H2} for a site other than a single stack's self-attention. */
    public String name() {
        return name(site, layer, head);
    }

    /** The name of any head: {@code L1 H2}, {@code cross L1 H2}. */
    public static String name(String site, int layer, int head) {
        return (site.equals("self") ? "" : site + " ") + "L" + layer + " H" + head;
    }

    /** The same head with these flags. */
    public HeadCard withFlags(List<HeadFlag> newFlags) {
        return new HeadCard(site, layer, head, entropyMean, entropySpread, confidence, previousToken, sinkAlpha,
                specialMass, duplicateToken, induction, nearestHead, nearestJs, nearestInGroup, groupJs, outputRatio,
                ablationDelta, gradient, gradientNormalized, newFlags);
    }

    /** Whether the head has a flag of this kind. */
    public boolean flagged(HeadFlag.Kind kind) {
        return flags.stream().anyMatch(f -> f.kind() == kind);
    }

    /** The flag of this kind, or null. */
    public HeadFlag flag(HeadFlag.Kind kind) {
        return flags.stream().filter(f -> f.kind() == kind).findFirst().orElse(null);
    }
}
