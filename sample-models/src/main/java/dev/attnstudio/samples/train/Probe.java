package dev.attnstudio.samples.train;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

/**
 * Attention on the fixed probe sequence ({@link InductionTask#probe()}), read through the stepper.
 *
 * @param entropy  mean normalized entropy of each head [layer][head] over the queries that see more than one key:
 *                 0 = every query puts all its weight on one key, 1 = uniform over the keys it may see
 * @param patterns the attention patterns [layer][head][query][key], rounded to 3 decimals; row q holds keys 0..q
 *                 only (the causal mask zeroes the rest)
 */
public record Probe(float[][] entropy, float[][][][] patterns) {

    public static Probe measure(TransformerModel model, Interventions interventions) {
        long[] ids = InductionTask.probe();
        int layers = model.config().nLayer();
        int heads = model.config().nHead();
        int len = ids.length;
        float[][] entropy = new float[layers][heads];
        float[][][][] patterns = new float[layers][heads][len][];
        try (Stepper stepper = new Stepper(model, new Stepper.Options(Capture.COMPACT, interventions, false))) {
            stepper.reset(ids);
            stepper.runToEnd();
            for (int l = 0; l < layers; l++) {
                var e = HeadEntropy.of(stepper, l);
                TensorData p = stepper.read(HookName.Block.PATTERN.at(l)); // [1, H, T, T]
                for (int h = 0; h < heads; h++) {
                    entropy[l][h] = e.meanNormalized(0, h);
                    for (int q = 0; q < len; q++) {
                        patterns[l][h][q] = new float[q + 1];
                        for (int k = 0; k <= q; k++) {
                            patterns[l][h][q][k] = Math.round(p.get(0, h, q, k) * 1000) / 1000f;
                        }
                    }
                }
            }
        }
        return new Probe(entropy, patterns);
    }
}
