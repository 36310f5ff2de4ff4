package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * T5-shaped tensors with random values under Hugging Face {@code T5ForConditionalGeneration} names, in checkpoint
 * order, for tests, benchmarks and as the starting point of training. Linear weights are [out, in] and N(0, std^2),
 * as are the shared embedding and the relative position tables [buckets, H]; norm gains are 1 + N(0, 0.1^2); no
 * biases; {@code lm_head.weight} only when the embeddings are not tied. Deterministic for a seed.
 */
public final class RandomT5 {

    private RandomT5() {
    }

    public static Map<String, SafeTensors.Tensor> tensors(ModelConfig c, long seed, float std) {
        if (!(c.extra() instanceof ModelConfig.T5 t5)) {
            throw new IllegalArgumentException("not a T5 config: " + c.architecture());
        }
        SplittableRandom random = new SplittableRandom(seed);
        long d = c.dModel();
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("shared.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "encoder.block." + i + ".layer.";
            attention(t, random, l + "0.SelfAttention.", c, std);
            if (i == 0) {
                t.put(l + "0.SelfAttention.relative_attention_bias.weight", RandomGpt2.normal(random, std, t5.buckets(), c.nHead()));
            }
            t.put(l + "0.layer_norm.weight", gain(random, d));
            feedForward(t, random, l + "1.DenseReluDense.", c, t5, std);
            t.put(l + "1.layer_norm.weight", gain(random, d));
        }
        t.put("encoder.final_layer_norm.weight", gain(random, d));
        for (int i = 0; i < t5.nDecoderLayers(); i++) {
            String l = "decoder.block." + i + ".layer.";
            attention(t, random, l + "0.SelfAttention.", c, std);
            if (i == 0) {
                t.put(l + "0.SelfAttention.relative_attention_bias.weight", RandomGpt2.normal(random, std, t5.buckets(), c.nHead()));
            }
            t.put(l + "0.layer_norm.weight", gain(random, d));
            attention(t, random, l + "1.EncDecAttention.", c, std);
            t.put(l + "1.layer_norm.weight", gain(random, d));
            feedForward(t, random, l + "2.DenseReluDense.", c, t5, std);
            t.put(l + "2.layer_norm.weight", gain(random, d));
        }
        t.put("decoder.final_layer_norm.weight", gain(random, d));
        if (!t5.tiedEmbeddings()) {
            t.put("lm_head.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        }
        return t;
    }

    private static void attention(Map<String, SafeTensors.Tensor> t, SplittableRandom random, String prefix, ModelConfig c,
                                  float std) {
        long d = c.dModel();
        long inner = (long) c.nHead() * c.dHead();
        t.put(prefix + "q.weight", RandomGpt2.normal(random, std, inner, d));
        t.put(prefix + "k.weight", RandomGpt2.normal(random, std, inner, d));
        t.put(prefix + "v.weight", RandomGpt2.normal(random, std, inner, d));
        t.put(prefix + "o.weight", RandomGpt2.normal(random, std, d, inner));
    }

    private static void feedForward(Map<String, SafeTensors.Tensor> t, SplittableRandom random, String prefix,
                                    ModelConfig c, ModelConfig.T5 t5, float std) {
        long d = c.dModel();
        long ff = c.dMlp();
        if (t5.gatedGelu()) {
            t.put(prefix + "wi_0.weight", RandomGpt2.normal(random, std, ff, d));
            t.put(prefix + "wi_1.weight", RandomGpt2.normal(random, std, ff, d));
        } else {
            t.put(prefix + "wi.weight", RandomGpt2.normal(random, std, ff, d));
        }
        t.put(prefix + "wo.weight", RandomGpt2.normal(random, std, d, ff));
    }

    private static SafeTensors.Tensor gain(SplittableRandom random, long d) {
        SafeTensors.Tensor g = RandomGpt2.normal(random, 0.1f, d);
        for (int i = 0; i < g.values().length; i++) {
            g.values()[i] += 1f;
        }
        return g;
    }
}
