package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPT-NeoX-shaped tensors with random values under Hugging Face {@code GPTNeoXForCausalLM} names, for tests and
 * benchmarks: the fused {@code query_key_value} [3d, d] as the checkpoint stores it (per head: q | k | v of head 0,
 * then of head 1, ...). Linear weights [out, in] N(0, std^2), biases N(0, (std/4)^2), LayerNorm gains 1 + N(0, 0.1^2)
 * and offsets N(0, 0.02^2); attention biases only with {@code attention_bias}, {@code embed_out.weight} only when not
 * tied. Deterministic for a seed.
 */
public final class RandomNeoX {

    private RandomNeoX() {
    }

    public static Map<String, SafeTensors.Tensor> tensors(ModelConfig c, long seed, float std) {
        if (!(c.extra() instanceof NeoX neox)) {
            throw new IllegalArgumentException("not a GPT-NeoX config: " + c.architecture());
        }
        SplittableRandom random = new SplittableRandom(seed);
        long d = c.dModel();
        long m = c.dMlp();
        String p = NeoXModel.PREFIX;
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put(p + "embed_in.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        for (int i = 0; i < c.nLayer(); i++) {
            String l = p + "layers." + i + ".";
            RandomGpt2.layerNorm(t, random, l + "input_layernorm", d);
            RandomGpt2.layerNorm(t, random, l + "post_attention_layernorm", d);
            t.put(l + "attention.query_key_value.weight", RandomGpt2.normal(random, std, 3 * d, d));
            if (neox.attentionBias()) {
                t.put(l + "attention.query_key_value.bias", RandomGpt2.normal(random, std / 4, 3 * d));
            }
            t.put(l + "attention.dense.weight", RandomGpt2.normal(random, std, d, d));
            if (neox.attentionBias()) {
                t.put(l + "attention.dense.bias", RandomGpt2.normal(random, std / 4, d));
            }
            t.put(l + "mlp.dense_h_to_4h.weight", RandomGpt2.normal(random, std, m, d));
            t.put(l + "mlp.dense_h_to_4h.bias", RandomGpt2.normal(random, std / 4, m));
            t.put(l + "mlp.dense_4h_to_h.weight", RandomGpt2.normal(random, std, d, m));
            t.put(l + "mlp.dense_4h_to_h.bias", RandomGpt2.normal(random, std / 4, d));
        }
        RandomGpt2.layerNorm(t, random, p + "final_layer_norm", d);
        if (!neox.tiedEmbeddings()) {
            t.put("embed_out.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        }
        return t;
    }
}
