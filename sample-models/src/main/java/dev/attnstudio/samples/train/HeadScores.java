package dev.attnstudio.samples.train;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each head of a model does on the induction task, measured from its attention patterns ({@code hook_pattern},
 * read through the engine's stepper) on the held-out sequences of {@link InductionTask#evalSet()}.
 *
 * <p>Previous-token score of head (l, h): the mean attention weight from query t to key t-1, over every query
 * t >= 1; and the same over the first half only (t = 1 .. H-1). The first-half score is the one heads are named by:
 * those are the positions whose keys an induction head reads (the earlier copy), and the only ones where looking one
 * token back is the whole job. In the second half a layer-0 head may instead look at the earlier copy of its token,
 * which lowers its all-queries score without changing what it provides to layer 1.
 *
 * <p>Induction score: the mean weight from query t of the second half (t = H .. 2H-1) to key t-H+1, the token that
 * followed the earlier copy of the current token.
 *
 * <p>All scores are in [0, 1]; a head that does the job puts most of its weight there. {@link #chance()} gives what
 * uniform attention would score.
 *
 * @param previousToken          [layer][head], all queries
 * @param previousTokenFirstHalf [layer][head], first-half queries
 * @param induction              [layer][head]
 */
public record HeadScores(double[][] previousToken, double[][] previousTokenFirstHalf, double[][] induction) {

    /** A head counts as a previous-token head when its first-half previous-token score is above this. */
    public static final double PREVIOUS_TOKEN_THRESHOLD = 0.4;
    /** A head counts as an induction head when its induction score is above this. */
    public static final double INDUCTION_THRESHOLD = 0.4;

    /** Measures every head on the held-out set. */
    public static HeadScores measure(TransformerModel model, Interventions interventions) {
        int layers = model.config().nLayer();
        int heads = model.config().nHead();
        double[][] prev = new double[layers][heads];
        double[][] first = new double[layers][heads];
        double[][] ind = new double[layers][heads];
        long prevCount = 0;
        long firstCount = 0;
        long indCount = 0;
        try (Stepper stepper = new Stepper(model, new Stepper.Options(Capture.COMPACT, interventions, false))) {
            for (long[][] rows : InductionTask.evalSet()) {
                int len = rows[0].length;
                int half = len / 2;
                stepper.reset(Batch.of(rows));
                stepper.runToEnd();
                for (int l = 0; l < layers; l++) {
                    TensorData p = stepper.read(HookName.Block.PATTERN.at(l)); // [B, H, T, T]
                    for (int b = 0; b < rows.length; b++) {
                        for (int h = 0; h < heads; h++) {
                            for (int t = 1; t < len; t++) {
                                float w = p.get(b, h, t, t - 1);
                                prev[l][h] += w;
                                if (t < half) {
                                    first[l][h] += w;
                                }
                            }
                            for (int t = half; t < len; t++) {
                                ind[l][h] += p.get(b, h, t, t - half + 1);
                            }
                        }
                    }
                }
                prevCount += (long) rows.length * (len - 1);
                firstCount += (long) rows.length * (half - 1);
                indCount += (long) rows.length * half;
            }
        }
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                prev[l][h] /= prevCount;
                first[l][h] /= firstCount;
                ind[l][h] /= indCount;
            }
        }
        return new HeadScores(prev, first, ind);
    }

    /**
     * What a head that attends uniformly to every key it may see would score on the held-out set: the chance level
     * of each score, {previous-token (all queries), previous-token (first half), induction}.
     */
    public static double[] chance() {
        double prev = 0, first = 0, ind = 0;
        long prevCount = 0, firstCount = 0, indCount = 0;
        for (long[][] rows : InductionTask.evalSet()) {
            int len = rows[0].length;
            int half = len / 2;
            for (int t = 1; t < len; t++) {
                prev += rows.length / (t + 1.0);
                if (t < half) {
                    first += rows.length / (t + 1.0);
                }
            }
            for (int t = half; t < len; t++) {
                ind += rows.length / (t + 1.0);
            }
            prevCount += (long) rows.length * (len - 1);
            firstCount += (long) rows.length * (half - 1);
            indCount += (long) rows.length * half;
        }
        return new double[] {prev / prevCount, first / firstCount, ind / indCount};
    }

    /** Heads whose first-half previous-token score is above the threshold, as {@code "layer.head"}. */
    public List<String> previousTokenHeads() {
        return above(previousTokenFirstHalf, PREVIOUS_TOKEN_THRESHOLD);
    }

    /** Heads whose induction score is above the threshold, as {@code "layer.head"}. */
    public List<String> inductionHeads() {
        return above(induction, INDUCTION_THRESHOLD);
    }

    private static List<String> above(double[][] scores, double threshold) {
        List<String> heads = new ArrayList<>();
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                if (scores[l][h] > threshold) {
                    heads.add(l + "." + h);
                }
            }
        }
        return heads;
    }

    /** A Markdown table: one row per layer, one column per head. */
    public static String table(double[][] scores) {
        StringBuilder s = new StringBuilder("| layer |");
        for (int h = 0; h < scores[0].length; h++) {
            s.append(" head ").append(h).append(" |");
        }
        s.append("\n|---|");
        s.append("---|".repeat(scores[0].length));
        for (int l = 0; l < scores.length; l++) {
            s.append("\n| ").append(l).append(" |");
            for (double v : scores[l]) {
                s.append(String.format(Locale.ROOT, " %.3f |", v));
            }
        }
        return s.append('\n').toString();
    }
}
