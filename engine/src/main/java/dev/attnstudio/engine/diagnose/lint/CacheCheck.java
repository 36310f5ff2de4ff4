package dev.attnstudio.engine.diagnose.lint;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cached decoding against a full recompute: the run generates a few tokens greedily over its KV cache, then a second
 * stepper without a cache (same interventions) runs the whole sequence at once. Every decode pass's patterns must
 * match the recompute's row at the same position, layer by layer, and so must its logits.
 */
final class CacheCheck {

    private CacheCheck() {
    }

    /**
     * @param run a stepper with a cache whose prompt pass is complete (batch 1); it is extended by {@code steps} tokens
     */
    static List<MaskFinding> check(TransformerModel model, Stepper run, Interventions interventions, int steps,
                                   double tolerance) {
        Sampler greedy = new Sampler(SamplingConfig.GREEDY);
        for (int i = 0; i < steps; i++) {
            if (run.tokens().length + 1 > model.config().nPositions()) {
                break;
            }
            run.generate(greedy);
            run.runToEnd();
        }
        Capabilities c = model.capabilities();
        long[] tokens = run.tokens();
        Batch whole = c.readsSource() ? run.groups().get(0).inputs().withDecoder(new long[][] {tokens})
                : Batch.of(tokens);
        List<MaskFinding> out = new ArrayList<>();
        try (Stepper full = new Stepper(model, new Stepper.Options(Capture.COMPACT, interventions, false))) {
            full.reset(whole);
            full.runToEnd();
            Map<AttentionLayer, double[]> worst = new LinkedHashMap<>(); // {diff, head, group, position}
            double logitDiff = 0;
            int logitGroup = -1;
            int logitPos = -1;
            TensorData fullLogits = full.read(HookName.Model.LOGITS.id);
            for (int g = 1; g < run.groups().size(); g++) {
                Stepper.Group group = run.groups().get(g);
                int pos = group.past();
                for (AttentionLayer layer : AttentionLayer.all(c)) {
                    String hook = layer.hook(HookName.Block.PATTERN);
                    if (group.trace().program().indexOf(hook) < 0) {
                        continue;
                    }
                    TensorData cached = group.trace().read(hook);                     // [1, H, 1, K]
                    TensorData recomputed = full.group().trace().read(hook, "0, :, {}, :", pos); // [H, K_all]
                    int heads = (int) cached.shape()[1];
                    int keys = (int) cached.shape()[3];
                    for (int h = 0; h < heads; h++) {
                        double d = 0;
                        for (int k = 0; k < keys; k++) {
                            d = Math.max(d, difference(cached.get(0, h, 0, k), recomputed.get(h, k)));
                        }
                        double[] w = worst.computeIfAbsent(layer, x -> new double[] {0, -1, -1, -1});
                        if (d > w[0]) {
                            w[0] = d;
                            w[1] = h;
                            w[2] = g;
                            w[3] = pos;
                        }
                    }
                }
                float[] cachedLogits = run.lastLogits(group);
                for (int v = 0; v < cachedLogits.length; v++) {
                    double d = difference(cachedLogits[v], fullLogits.get(0, pos, v));
                    if (d > logitDiff) {
                        logitDiff = d;
                        logitGroup = g;
                        logitPos = pos;
                    }
                }
            }
            worst.forEach((layer, w) -> {
                if (w[0] > tolerance) {
                    out.add(MaskFinding.of(FindingKind.CACHE_DIVERGENCE, layer.siteLabel(), layer.layer(), (int) w[1], 0,
                            (int) w[3], -1, w[0], 1, (int) w[2], String.format(Locale.ROOT, "%s: the cached decode of"
                                    + " position %d differs from the full recompute by up to %.4f (pattern, H%d)",
                                    layer.name(), (int) w[3], w[0], (int) w[1])));
                }
            });
            if (logitDiff > tolerance * 10) {
                out.add(MaskFinding.of(FindingKind.CACHE_DIVERGENCE, null, -1, -1, 0, logitPos, -1, logitDiff, 1,
                        logitGroup, String.format(Locale.ROOT, "the logits of cached position %d differ from the full"
                                + " recompute by up to %.4f", logitPos, logitDiff)));
            }
        }
        return out;
    }

    /** |a - b|, with a NaN on one side only counted as the largest difference a weight can show (1). */
    private static double difference(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : 1;
        }
        return Math.abs(a - b);
    }
}
