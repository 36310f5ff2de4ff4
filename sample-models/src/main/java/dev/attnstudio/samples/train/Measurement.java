package dev.attnstudio.samples.train;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a model card reports about an induction model, measured from its weights through the engine: accuracy and
 * loss on the held-out repeated halves, each head's scores ({@link HeadScores}) and entropy on the probe
 * ({@link Probe}), and the accuracy with heads ablated (their output {@code hook_z} zeroed). Deterministic for given
 * weights.
 *
 * @param accuracy                    next-token accuracy on the repeated halves of {@link InductionTask#evalSet()}
 * @param loss                        mean cross-entropy there (nats)
 * @param previousToken               [layer][head], all queries
 * @param previousTokenFirstHalf      [layer][head], first-half queries (heads are named by this one)
 * @param induction                   [layer][head]
 * @param probeEntropy                mean normalized entropy on the probe [layer][head]
 * @param accuracyWithHeadAblated     the accuracy with one head ablated [layer][head]
 * @param previousTokenHeads          heads named previous-token heads, "layer.head"
 * @param inductionHeads              heads named induction heads, "layer.head"
 * @param accuracyWithoutPreviousTokenHeads the accuracy with all previous-token heads ablated (null if there are none)
 * @param accuracyWithoutInductionHeads     the accuracy with all induction heads ablated (null if there are none)
 */
public record Measurement(double accuracy, double loss, double[][] previousToken, double[][] previousTokenFirstHalf,
                          double[][] induction, float[][] probeEntropy, double[][] accuracyWithHeadAblated,
                          List<String> previousTokenHeads, List<String> inductionHeads,
                          Double accuracyWithoutPreviousTokenHeads, Double accuracyWithoutInductionHeads) {

    public static Measurement of(TransformerModel model) {
        double[] accLoss = InductionTask.accuracyAndLoss(model, Interventions.NONE);
        HeadScores scores = HeadScores.measure(model, Interventions.NONE);
        Probe probe = Probe.measure(model, Interventions.NONE);
        int layers = model.config().nLayer();
        int heads = model.config().nHead();
        double[][] ablated = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                ablated[l][h] = InductionTask.accuracyAndLoss(model, Interventions.NONE.withAblatedHead(l, h))[0];
            }
        }
        List<String> prevHeads = scores.previousTokenHeads();
        List<String> indHeads = scores.inductionHeads();
        return new Measurement(accLoss[0], accLoss[1], scores.previousToken(), scores.previousTokenFirstHalf(),
                scores.induction(), probe.entropy(), ablated, prevHeads, indHeads, ablating(model, prevHeads),
                ablating(model, indHeads));
    }

    /** The accuracy with every listed head ablated at once; null for an empty list. */
    private static Double ablating(TransformerModel model, List<String> heads) {
        if (heads.isEmpty()) {
            return null;
        }
        Interventions iv = Interventions.NONE;
        for (String head : heads) {
            String[] lh = head.split("\\.");
            iv = iv.withAblatedHead(Integer.parseInt(lh[0]), Integer.parseInt(lh[1]));
        }
        return InductionTask.accuracyAndLoss(model, iv)[0];
    }

    public HeadScores scores() {
        return new HeadScores(previousToken, previousTokenFirstHalf, induction);
    }

    /**
     * Where this measurement and a recorded one differ by more than {@code tolerance} (absolute), one line per
     * difference, or where they name different heads; empty when they agree.
     */
    public List<String> differences(Measurement recorded, double tolerance) {
        List<String> out = new ArrayList<>();
        compare(out, "accuracy", accuracy, recorded.accuracy, tolerance);
        compare(out, "loss", loss, recorded.loss, tolerance);
        for (int l = 0; l < previousToken.length; l++) {
            for (int h = 0; h < previousToken[l].length; h++) {
                String head = " of head " + l + "." + h;
                compare(out, "previous-token score" + head, previousToken[l][h], recorded.previousToken[l][h], tolerance);
                compare(out, "first-half previous-token score" + head, previousTokenFirstHalf[l][h],
                        recorded.previousTokenFirstHalf[l][h], tolerance);
                compare(out, "induction score" + head, induction[l][h], recorded.induction[l][h], tolerance);
                compare(out, "probe entropy" + head, probeEntropy[l][h], recorded.probeEntropy[l][h], tolerance);
                compare(out, "accuracy without head" + head.substring(8), accuracyWithHeadAblated[l][h],
                        recorded.accuracyWithHeadAblated[l][h], tolerance);
            }
        }
        if (!previousTokenHeads.equals(recorded.previousTokenHeads)) {
            out.add("previous-token heads: measured " + previousTokenHeads + ", recorded " + recorded.previousTokenHeads);
        }
        if (!inductionHeads.equals(recorded.inductionHeads)) {
            out.add("induction heads: measured " + inductionHeads + ", recorded " + recorded.inductionHeads);
        }
        if (accuracyWithoutPreviousTokenHeads != null && recorded.accuracyWithoutPreviousTokenHeads != null) {
            compare(out, "accuracy without the previous-token heads", accuracyWithoutPreviousTokenHeads,
                    recorded.accuracyWithoutPreviousTokenHeads, tolerance);
        }
        if (accuracyWithoutInductionHeads != null && recorded.accuracyWithoutInductionHeads != null) {
            compare(out, "accuracy without the induction heads", accuracyWithoutInductionHeads,
                    recorded.accuracyWithoutInductionHeads, tolerance);
        }
        return out;
    }

    private static void compare(List<String> out, String what, double now, double recorded, double tolerance) {
        if (!(Math.abs(now - recorded) <= tolerance)) {
            out.add(String.format(Locale.ROOT, "%s: measured %.4f, recorded %.4f", what, now, recorded));
        }
    }
}
