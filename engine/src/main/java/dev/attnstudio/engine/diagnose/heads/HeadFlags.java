package dev.attnstudio.engine.diagnose.heads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.attnstudio.engine.diagnose.heads.CardThresholds.*;

/** Turns a head's numbers into flags, each carrying the numbers that triggered it and its threshold. */
final class HeadFlags {

    private HeadFlags() {
    }

    /**
     * @param card       the head's numbers (its flags are ignored)
     * @param nearest    the name of the nearest head ({@code L1 H2}), or null
     * @param ablated    whether the ablation delta was measured
     */
    static List<HeadFlag> of(HeadCard card, String nearest, boolean ablated) {
        List<HeadFlag> out = new ArrayList<>();
        double e = card.entropyMean();
        if (e > NEAR_UNIFORM_ENTROPY) {
            out.add(HeadFlag.of(HeadFlag.Kind.NEAR_UNIFORM, fmt("near-uniform: mean normalized entropy %.3f > %.2f", e,
                    NEAR_UNIFORM_ENTROPY), Map.of("entropyMean", e, "threshold", NEAR_UNIFORM_ENTROPY)));
        }
        if (e < COLLAPSED_ENTROPY && card.confidence() > COLLAPSED_CONFIDENCE) {
            out.add(HeadFlag.of(HeadFlag.Kind.ONE_HOT, fmt("one-hot: mean normalized entropy %.4f < %.2f,"
                            + " confidence %.3f > %.2f", e, COLLAPSED_ENTROPY, card.confidence(), COLLAPSED_CONFIDENCE),
                    Map.of("entropyMean", e, "confidence", card.confidence(), "threshold", COLLAPSED_ENTROPY,
                            "confidenceThreshold", COLLAPSED_CONFIDENCE)));
        }
        String sinkKey = null;
        double sink = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> a : card.sinkAlpha().entrySet()) {
            if (a.getValue() > sink) {
                sink = a.getValue();
                sinkKey = a.getKey();
            }
        }
        if (sinkKey != null && sink > SINK_ALPHA) {
            Map<String, Double> evidence = new LinkedHashMap<>();
            card.sinkAlpha().forEach((k, v) -> evidence.put("alpha[" + k + "]", v));
            evidence.put("specialMass", card.specialMass());
            evidence.put("threshold", SINK_ALPHA);
            out.add(HeadFlag.of(HeadFlag.Kind.SINK, fmt("sink on %s: alpha %.3f > %.1f (special-token mass %.3f)",
                    sinkKey, sink, SINK_ALPHA, card.specialMass()), evidence));
        }
        if (card.outputRatio() < DEAD_RATIO) {
            out.add(HeadFlag.of(HeadFlag.Kind.DEAD, fmt("dead: ||head output|| / ||residual|| = %.4f < %.2f",
                    card.outputRatio(), DEAD_RATIO), Map.of("outputRatio", card.outputRatio(), "threshold", DEAD_RATIO)));
        }
        if (nearest != null && card.nearestJs() < DUPLICATE_JS) {
            out.add(new HeadFlag(HeadFlag.Kind.DUPLICATE, HeadFlag.Kind.DUPLICATE.severity,
                    fmt("duplicate of %s: JS %.4f nats < %.2f", nearest, card.nearestJs(), DUPLICATE_JS),
                    Map.of("js", card.nearestJs(), "threshold", DUPLICATE_JS), nearest));
        }
        if (ablated && Math.abs(card.ablationDelta()) < UNIMPORTANT_DELTA) {
            out.add(HeadFlag.of(HeadFlag.Kind.UNIMPORTANT, fmt("unimportant: ablating it changes the loss by %+.4f nats"
                    + " (|change| < %.2f)", card.ablationDelta(), UNIMPORTANT_DELTA),
                    Map.of("ablationDelta", card.ablationDelta(), "threshold", UNIMPORTANT_DELTA)));
        } else if (!ablated && card.gradientNormalized() < UNIMPORTANT_GRADIENT) {
            out.add(HeadFlag.of(HeadFlag.Kind.UNIMPORTANT, fmt("unimportant: normalized gradient importance %.4f < %.2f",
                    card.gradientNormalized(), UNIMPORTANT_GRADIENT),
                    Map.of("gradientNormalized", card.gradientNormalized(), "threshold", UNIMPORTANT_GRADIENT)));
        }
        return out;
    }

    /**
     * The cards with every one-hot flag turned into a collapsed flag when at least {@link CardThresholds#COLLAPSED_SHARE}
     * of the heads are one-hot (the share is added to the evidence); unchanged otherwise.
     */
    static List<HeadCard> collapse(List<HeadCard> cards) {
        long oneHot = cards.stream().filter(c -> c.flagged(HeadFlag.Kind.ONE_HOT)).count();
        double share = cards.isEmpty() ? 0 : (double) oneHot / cards.size();
        if (share < COLLAPSED_SHARE) {
            return cards;
        }
        List<HeadCard> out = new ArrayList<>();
        for (HeadCard c : cards) {
            List<HeadFlag> flags = new ArrayList<>();
            for (HeadFlag f : c.flags()) {
                if (f.kind() == HeadFlag.Kind.ONE_HOT) {
                    Map<String, Double> evidence = new LinkedHashMap<>(f.evidence());
                    evidence.put("oneHotShare", share);
                    evidence.put("shareThreshold", COLLAPSED_SHARE);
                    f = HeadFlag.of(HeadFlag.Kind.COLLAPSED, "collapsed: " + f.message().substring("one-hot: ".length())
                            + fmt("; %d of %d heads are one-hot (>= %.0f%%): entropy collapse", oneHot, cards.size(),
                            100 * COLLAPSED_SHARE), evidence);
                }
                flags.add(f);
            }
            out.add(c.withFlags(flags));
        }
        return out;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
