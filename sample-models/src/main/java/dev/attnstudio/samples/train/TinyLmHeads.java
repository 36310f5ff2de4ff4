package dev.attnstudio.samples.train;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.train.NextTokenBatch;
import dev.attnstudio.engine.train.Trainer;

import java.util.List;
import java.util.Locale;

/**
 * What each head of a tiny language model does, measured from its attention patterns ({@code hook_pattern}, read
 * through the engine's stepper). All scores are [layer][head] means in [0, 1].
 *
 * <ul>
 *   <li>On text (validation windows): mean normalized entropy (0 = all weight on one key, 1 = uniform over the keys
 *       the query may see; {@link HeadEntropy}), the previous-token score (weight from query t to key t-1, t >= 1) and
 *       the first-position score (weight from query t to key 0, t >= 2: an "attention sink").</li>
 *   <li>On repeated text (the first {@value #HALF} bytes of each of the first {@value #REPEATS} validation windows,
 *       then the same bytes again): the induction score, the weight from query t of the repeat to key
 *       t - {@value #HALF} + 1, the byte that followed the earlier copy of the current one; and the loss on each copy,
 *       which is lower on the repeat only if the model copies from context.</li>
 * </ul>
 *
 * @param entropy              mean normalized entropy on text
 * @param previousToken        previous-token score on text
 * @param firstPosition        first-position score on text
 * @param induction            induction score on repeated text
 * @param textWindows          validation windows measured
 * @param repeatLossFirstHalf  nats per byte predicting bytes 1..HALF-1 of the first copy
 * @param repeatLossSecondHalf nats per byte predicting the same bytes in the repeat, which a copying model gets
 *                             nearly free
 */
public record TinyLmHeads(double[][] entropy, double[][] previousToken, double[][] firstPosition, double[][] induction,
                          int textWindows, double repeatLossFirstHalf, double repeatLossSecondHalf) {

    /** Length of the text that is repeated. */
    public static final int HALF = 60;
    /** Repeated sequences measured. */
    public static final int REPEATS = 16;
    /** Validation windows the text scores read (the first ones). */
    public static final int TEXT_WINDOWS = 16;

    /** Measures on the first {@value #TEXT_WINDOWS} of the given validation windows, and on their beginnings repeated. */
    public static TinyLmHeads measure(TransformerModel model, List<long[]> validationWindows) {
        int layers = model.config().nLayer();
        int heads = model.config().nHead();
        double[][] entropy = new double[layers][heads];
        double[][] prev = new double[layers][heads];
        double[][] first = new double[layers][heads];
        double[][] induction = new double[layers][heads];
        long[][] text = validationWindows.subList(0, Math.min(TEXT_WINDOWS, validationWindows.size()))
                .toArray(long[][]::new);
        long[][] repeats = repeated(validationWindows);
        try (Stepper stepper = new Stepper(model, new Stepper.Options(Capture.COMPACT, Interventions.NONE, false))) {
            stepper.reset(Batch.of(text));
            stepper.runToEnd();
            int len = text[0].length;
            for (int l = 0; l < layers; l++) {
                HeadEntropy e = HeadEntropy.of(stepper, l);
                TensorData p = stepper.read(HookName.Block.PATTERN.at(l)); // [B, H, T, T]
                for (int b = 0; b < text.length; b++) {
                    for (int h = 0; h < heads; h++) {
                        entropy[l][h] += e.meanNormalized(b, h) / text.length;
                        for (int t = 1; t < len; t++) {
                            prev[l][h] += p.get(b, h, t, t - 1) / ((double) text.length * (len - 1));
                        }
                        for (int t = 2; t < len; t++) {
                            first[l][h] += p.get(b, h, t, 0) / ((double) text.length * (len - 2));
                        }
                    }
                }
            }
            stepper.reset(Batch.of(repeats));
            stepper.runToEnd();
            for (int l = 0; l < layers; l++) {
                TensorData p = stepper.read(HookName.Block.PATTERN.at(l));
                for (int b = 0; b < repeats.length; b++) {
                    for (int h = 0; h < heads; h++) {
                        for (int t = HALF; t < 2 * HALF; t++) {
                            induction[l][h] += p.get(b, h, t, t - HALF + 1) / ((double) repeats.length * HALF);
                        }
                    }
                }
            }
        }
        return new TinyLmHeads(entropy, prev, first, induction, text.length,
                halfLoss(model, repeats, 0, HALF - 1), halfLoss(model, repeats, HALF, 2 * HALF - 1));
    }

    /** The first HALF bytes of each of the first {@value #REPEATS} windows, then the same bytes again. */
    static long[][] repeated(List<long[]> windows) {
        if (windows.size() < REPEATS || windows.get(0).length < HALF) {
            throw new IllegalArgumentException("need " + REPEATS + " windows of at least " + HALF + " tokens");
        }
        long[][] rows = new long[REPEATS][2 * HALF];
        for (int b = 0; b < REPEATS; b++) {
            System.arraycopy(windows.get(b), 0, rows[b], 0, HALF);
            System.arraycopy(windows.get(b), 0, rows[b], HALF, HALF);
        }
        return rows;
    }

    /** Mean loss of the predictions made at positions from..to-1 (each scored on the token after it). */
    private static double halfLoss(TransformerModel model, long[][] rows, int from, int to) {
        float[][] weights = new float[rows.length][rows[0].length];
        for (float[] w : weights) {
            java.util.Arrays.fill(w, from, to, 1f);
        }
        return Trainer.evaluate(model, Interventions.NONE, new NextTokenBatch(rows, weights)).loss();
    }

    /** Mean over a layer's heads. */
    public static double[] layerMeans(double[][] scores) {
        double[] out = new double[scores.length];
        for (int l = 0; l < scores.length; l++) {
            for (double v : scores[l]) {
                out[l] += v / scores[l].length;
            }
        }
        return out;
    }

    /** A Markdown table: one row per layer, one column per head, and the layer's mean. */
    public static String table(double[][] scores) {
        StringBuilder s = new StringBuilder("| layer |");
        for (int h = 0; h < scores[0].length; h++) {
            s.append(" head ").append(h).append(" |");
        }
        s.append(" mean |\n|---:|").append("---:|".repeat(scores[0].length + 1)).append('\n');
        double[] means = layerMeans(scores);
        for (int l = 0; l < scores.length; l++) {
            s.append("| ").append(l).append(" |");
            for (double v : scores[l]) {
                s.append(String.format(Locale.ROOT, " %.3f |", v));
            }
            s.append(String.format(Locale.ROOT, " %.3f |%n", means[l]));
        }
        return s.toString();
    }
}
