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
 *
 * <p>The LLaMA variants get what their config asks for, under their Hugging Face names: biases N(0, std^2) (Qwen2's
 * q, k, v; attention_bias), Qwen3's {@code q_norm} and {@code k_norm} gains [h], Gemma 2's four norms per block whose
 * stored w is N(0, 0.1^2) (Gemma multiplies by 1 + w, so the gain is again near 1).
 */
public final class RandomLlama {

    private RandomLlama() {
    }

    public static Map<String, SafeTensors.Tensor> tensors(ModelConfig c, long seed, float std) {
        if (!(c.extra() instanceof ModelConfig.Llama llama)) {
            throw new IllegalArgumentException("not a LLaMA config: " + c.architecture());
        }
        SplittableRandom random = new SplittableRandom(seed);
        ModelConfig.Variant variant = llama.variant();
        boolean gemma = c.architecture() == ModelConfig.Architecture.GEMMA2;
        long h = c.dHead();
        long d = c.dModel();
        long q = (long) c.nHead() * c.dHead();
        long kv = (long) c.nKvHeads() * c.dHead();
        long m = c.dMlp();
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "model.layers." + i + ".";
            t.put(l + "input_layernorm.weight", gain(random, d, gemma));
            t.put(l + "self_attn.q_proj.weight", RandomGpt2.normal(random, std, q, d));
            t.put(l + "self_attn.k_proj.weight", RandomGpt2.normal(random, std, kv, d));
            t.put(l + "self_attn.v_proj.weight", RandomGpt2.normal(random, std, kv, d));
            t.put(l + "self_attn.o_proj.weight", RandomGpt2.normal(random, std, d, q));
            if (variant.qkvBias()) {
                t.put(l + "self_attn.q_proj.bias", RandomGpt2.normal(random, std, q));
                t.put(l + "self_attn.k_proj.bias", RandomGpt2.normal(random, std, kv));
                t.put(l + "self_attn.v_proj.bias", RandomGpt2.normal(random, std, kv));
            }
            if (variant.outBias()) {
                t.put(l + "self_attn.o_proj.bias", RandomGpt2.normal(random, std, d));
            }
            if (variant.qkNorm()) {
                t.put(l + "self_attn.q_norm.weight", gain(random, h, false));
                t.put(l + "self_attn.k_norm.weight", gain(random, h, false));
            }
            t.put(l + "post_attention_layernorm.weight", gain(random, d, gemma));
            if (gemma) {
                t.put(l + "pre_feedforward_layernorm.weight", gain(random, d, true));
                t.put(l + "post_feedforward_layernorm.weight", gain(random, d, true));
            }
            t.put(l + "mlp.gate_proj.weight", RandomGpt2.normal(random, std, m, d));
            t.put(l + "mlp.up_proj.weight", RandomGpt2.normal(random, std, m, d));
            t.put(l + "mlp.down_proj.weight", RandomGpt2.normal(random, std, d, m));
        }
        t.put("model.norm.weight", gain(random, d, gemma));
        if (!llama.tiedEmbeddings()) {
            t.put("lm_head.weight", RandomGpt2.normal(random, std, c.vocabSize(), d));
        }
        return t;
    }

    /** A norm gain near 1: 1 + N(0, 0.1^2), or for Gemma's (1 + w) form the stored w, N(0, 0.1^2). */
    private static SafeTensors.Tensor gain(SplittableRandom random, long d, boolean offset) {
        SafeTensors.Tensor g = RandomGpt2.normal(random, 0.1f, d);
        for (int i = 0; i < g.values().length && !offset; i++) {
            g.values()[i] += 1f;
        }
        return g;
    }
}
