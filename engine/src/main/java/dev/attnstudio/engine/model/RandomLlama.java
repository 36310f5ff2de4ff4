package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LLaMA-shaped tensors with random values under Hugging Face {@code LlamaForCausalLM} names, for tests and
 * benchmarks. Linear weights are [out, in] and N(0, std^2); RMSNorm gains 1 + N(0, 0.1^2); no biases;
 * {@code lm_head.weight} only when the embeddings are not tied. Deterministic for a seed.
 */
public final class RandomLlama {

    private RandomLlama() {
    }

    public static Map<String, SafeTensors.Tensor> tensors(ModelConfig c, long seed, float std) {
        if (!(c.extra() instanceof ModelConfig.Llama llama)) {
            throw new IllegalArgumentException("not a LLaMA config: " + c.architecture());
        }
        SplittableRandom random = new SplittableRandom(seed);
        long d = c.dModel();
        long q = (long) c.nHead() * c.dHead();
        long kv = (long) c.nKvHeads() * c.dHead();
        long m = c.dMlp();
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "model.layers." + i + ".";
            t.put(l + "input_layernorm.weight", gain(random, d));
            t.put(l + "self_attn.q_proj.weight", RandomGpt2.normal(random, std, q, d));
            t.put(l + "self_attn.k_proj.weight", RandomGpt2.normal(random, std, kv, d));
            t.put(l + "self_attn.v_proj.weight", RandomGpt2.normal(random, std, kv, d));
            t.put(l + "self_attn.o_proj.weight", RandomGpt2.normal(random, std, d, q));
            t.put(l + "post_attention_layernorm.weight", gain(random, d));
            t.put(l + "mlp.gate_proj.weight", RandomGpt2.normal(random, std, m, d));
            t.put(l + "mlp.up_proj.weight", RandomGpt2.normal(random, std, m, d));
            t.put(l + "mlp.down_proj.weight", RandomGpt2.normal(random, std, d, m));
        }
        t.put("model.norm.weight", gain(random, d));
        if (!llama.tiedEmbeddings()) {
            t.put("lm_head.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        }
        return t;
    }

    private static SafeTensors.Tensor gain(SplittableRandom random, long d) {
        SafeTensors.Tensor g = RandomGpt2.normal(random, 0.1f, d);
        for (int i = 0; i < g.values().length; i++) {
            g.values()[i] += 1f;
        }
        return g;
    }
}
