package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;

/**
 * What a memory estimate needs to know of a family, from its config alone (before any weight loads): how many blocks a
 * pass runs, whether queries and keys are rotated (rot_q, rot_k hooks), whether the MLP is gated (a third [B, T, m]
 * hook, pre_linear), and how many weights there are. The one place outside the model classes that knows these per
 * family, so the estimate in {@code step/} asks it instead of the family.
 *
 * @param family     the config's {@code model_type}, for messages
 * @param layers     blocks a pass runs through (T5: encoder plus decoder)
 * @param rotary     whether q and k are rotated by position (LLaMA and its variants, GPT-NeoX)
 * @param gatedMlp   whether the MLP has a gate and its linear partner (LLaMA's SwiGLU, Gemma 2's GeGLU, T5 v1.1)
 * @param generates  whether the model generates, so a pass may fill a KV cache (decoders and encoder-decoders)
 * @param parameters weights counted from the shapes: embeddings, learned positions, attention and MLP projections and
 *                   an untied unembedding (norm scales and biases left out: they are a fraction of a percent)
 */
public record ModelSize(String family, long layers, boolean rotary, boolean gatedMlp, boolean generates, long parameters) {

    /** The size of a model of this config. */
    public static ModelSize of(ModelConfig c) {
        long d = c.dModel();
        long q = (long) c.nHead() * c.dHead();
        long kv = (long) c.nKvHeads() * c.dHead();
        ModelConfig.Extra extra = c.extra();
        long layers = c.nLayer() + (extra instanceof ModelConfig.T5 t5 ? t5.nDecoderLayers() : 0);
        boolean rotary = extra instanceof ModelConfig.Llama || extra instanceof NeoX;
        boolean gated = extra instanceof ModelConfig.Llama || extra instanceof ModelConfig.T5 t5 && t5.gatedGelu();
        long perLayer = 2 * d * q + 2 * d * kv + (gated ? 3 : 2) * d * c.dMlp();
        boolean learnedPositions = c.architecture() == ModelConfig.Architecture.GPT2
                || c.architecture() == ModelConfig.Architecture.BERT;
        boolean untied = extra instanceof ModelConfig.Llama l && !l.tiedEmbeddings()
                || extra instanceof ModelConfig.T5 t5 && !t5.tiedEmbeddings()
                || extra instanceof NeoX n && !n.tiedEmbeddings();
        long embeddings = (long) c.vocabSize() * d * (untied ? 2 : 1) + (learnedPositions ? (long) c.nPositions() * d : 0);
        return new ModelSize(c.architecture().modelType, layers, rotary, gated, c.generates(),
                layers * perLayer + embeddings);
    }
}
