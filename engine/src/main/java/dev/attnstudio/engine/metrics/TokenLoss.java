package dev.attnstudio.engine.metrics;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.Arrays;

/**
 * The next-token loss of a prompt whose next tokens are known (the prompt itself, shifted by one): at position t the
 * model's logits predict token t + 1, and the loss there is -log softmax(logits[t])[token t + 1] (nats). The mean runs
 * over the positions whose target is a real token; with padding counted (the padding-in-loss bug) it runs over every
 * position, so a padded batch's mean includes the loss of predicting padding.
 *
 * @param perToken [B][T - 1] the loss at each position (computed for padding positions too)
 * @param counted  [B][T - 1] whether the position counts in the mean
 * @param mean     the mean over the counted positions
 */
public record TokenLoss(float[][] perToken, boolean[][] counted, double mean) {

    /**
     * @param logits        [B, T, V]
     * @param ids           [B][T] the tokens the logits were computed for
     * @param attentionMask [B][T] 1 = real token, 0 = padding
     * @param countPadding  count the positions whose target is padding in the mean (the bug)
     */
    public static TokenLoss of(TensorData logits, long[][] ids, long[][] attentionMask, boolean countPadding) {
        long[] s = logits.shape();
        if (s.length != 3 || s[0] != ids.length || s[1] != ids[0].length) {
            throw new IllegalArgumentException("logits " + logits.shapeString() + " do not match " + ids.length + " rows of "
                    + ids[0].length + " tokens");
        }
        int b = (int) s[0];
        int t = (int) s[1];
        int v = (int) s[2];
        if (t < 2) {
            throw new IllegalArgumentException("a loss needs at least two tokens: one to read, one to predict");
        }
        float[] x = logits.values();
        float[][] loss = new float[b][t - 1];
        boolean[][] counted = new boolean[b][t - 1];
        double total = 0;
        int n = 0;
        for (int row = 0; row < b; row++) {
            for (int p = 0; p < t - 1; p++) {
                int base = (row * t + p) * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < v; i++) {
                    max = Math.max(max, x[base + i]);
                }
                double sum = 0;
                for (int i = 0; i < v; i++) {
                    sum += Math.exp(x[base + i] - max);
                }
                double logp = x[base + (int) ids[row][p + 1]] - max - Math.log(sum);
                loss[row][p] = (float) -logp;
                counted[row][p] = countPadding || attentionMask[row][p + 1] != 0;
                if (counted[row][p]) {
                    total -= logp;
                    n++;
                }
            }
        }
        return new TokenLoss(loss, counted, n == 0 ? Double.NaN : total / n);
    }

    /**
     * The loss of the stepper's prompt (its first pass, which must be complete), counting padding if the run's
     * interventions say so.
     */
    public static TokenLoss of(Stepper stepper) {
        Stepper.Group prompt = stepper.groups().get(0);
        if (!prompt.trace().complete()) {
            throw new IllegalStateException("the prompt's pass is not complete: run it to the end first");
        }
        Batch in = prompt.inputs();
        long[][] ids = in.decoderIds() != null ? in.decoderIds() : in.ids();
        long[][] mask = in.decoderIds() != null ? ones(ids) : in.attentionMask();
        return of(prompt.trace().read(HookName.Model.LOGITS.id), ids, mask, stepper.interventions().countsPaddingInLoss());
    }

    private static long[][] ones(long[][] ids) {
        long[][] m = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            m[i] = new long[ids[i].length];
            Arrays.fill(m[i], 1);
        }
        return m;
    }
}
