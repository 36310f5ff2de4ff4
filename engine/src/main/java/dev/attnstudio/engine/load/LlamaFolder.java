package dev.attnstudio.engine.load;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.HalfWeights;
import dev.attnstudio.engine.model.LlamaModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a LLaMA model as a Hugging Face folder ({@code config.json}, {@code model.safetensors}, optionally
 * {@code tokenizer.json}) that {@code LoadedModel.open(folder)} and {@code transformers}' LlamaForCausalLM read.
 *
 * <p>{@link LlamaModel#parameters()} already holds the checkpoint's own tensors in the checkpoint's layout ([out, in]
 * projections), so the weights are written name for name; the only change is the {@code model.} prefix, added to the
 * names of a model that was loaded from a bare {@code LlamaModel} checkpoint so that the file is always a
 * {@code LlamaForCausalLM} checkpoint.
 */
public final class LlamaFolder {

    /** The one tensor of a {@code LlamaForCausalLM} checkpoint outside the {@code model.} prefix. */
    private static final String LM_HEAD = "lm_head.weight";
    private static final String PREFIX = "model.";

    private LlamaFolder() {
    }

    /**
     * @param tokenizerJson the tokenizer.json text, or null to write none
     * @param metadata      stored in the safetensors header ({@code format: pt} is added)
     * @return the folder
     */
    public static Path write(Path folder, LlamaModel model, String tokenizerJson, Map<String, String> metadata)
            throws IOException {
        return HfFolder.write(folder, file -> writeConfig(file, model.config()), toHuggingFace(model), tokenizerJson, metadata);
    }

    /**
     * The weights as {@code LlamaForCausalLM} stores them, copied to the Java heap as float32, in checkpoint order.
     * With tied embeddings there is no {@code lm_head.weight}: the model does not hold one.
     */
    public static Map<String, SafeTensors.Tensor> toHuggingFace(LlamaModel model) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            String name = e.getKey();
            String stored = name.equals(LM_HEAD) || name.startsWith(PREFIX) ? name : PREFIX + name;
            NDArray a = e.getValue();
            out.put(stored, new SafeTensors.Tensor(HalfWeights.floats(a), a.getShape().getShape(), SafeTensors.DType.F32));
        }
        return out;
    }

    /**
     * A LLaMA {@code config.json}: the geometry, grouped-query heads, rotary base, tying, and the flags whose other
     * values the engine would refuse (biases, rope scaling). The byte-level and other small tokenizers the project
     * writes have no special tokens, so no bos/eos ids are claimed.
     */
    public static void writeConfig(Path file, ModelConfig c) throws IOException {
        if (!(c.extra() instanceof ModelConfig.Llama llama)) {
            throw new IllegalArgumentException("not a LLaMA config: " + c.architecture());
        }
        ModelConfig.Variant v = llama.variant();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", c.architecture().modelType);
        json.put("architectures", List.of(switch (c.architecture()) {
            case QWEN2 -> "Qwen2ForCausalLM";
            case QWEN3 -> "Qwen3ForCausalLM";
            case MISTRAL -> "MistralForCausalLM";
            case GEMMA2 -> "Gemma2ForCausalLM";
            default -> "LlamaForCausalLM";
        }));
        json.put("num_hidden_layers", c.nLayer());
        json.put("num_attention_heads", c.nHead());
        json.put("num_key_value_heads", c.nKvHeads());
        json.put("hidden_size", c.dModel());
        json.put("head_dim", c.dHead());
        json.put("intermediate_size", c.dMlp());
        json.put("max_position_embeddings", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("rms_norm_eps", c.layerNormEps());
        json.put("rope_theta", llama.ropeTheta());
        json.put("rope_scaling", null);
        String act = switch (c.activation()) {
            case SILU -> "silu";
            case GELU_NEW -> "gelu_pytorch_tanh";
            case GELU -> "gelu";
            case RELU -> "relu";
        };
        json.put("hidden_act", act);
        json.put("tie_word_embeddings", llama.tiedEmbeddings());
        if (c.architecture() != ModelConfig.Architecture.QWEN2) { // Qwen2's q/k/v biases are not a setting
            json.put("attention_bias", v.outBias());
        }
        json.put("mlp_bias", false);
        if (c.architecture() != ModelConfig.Architecture.LLAMA) {
            variantConfig(json, c, v, act);
        }
        // trained without dropout (transformers' default is 0.0 too; stated so the file says how it was trained)
        json.put("attention_dropout", 0.0);
        json.put("bos_token_id", null);
        json.put("eos_token_id", null);
        json.put("torch_dtype", "float32");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }

    /**
     * The settings of a LLaMA variant under their Hugging Face names: RoPE in {@code rope_parameters} as recent
     * transformers write it (the top-level rope_theta stays for older readers), the sliding window and the layers it
     * applies to ({@code layer_types}), Gemma 2's scalar, soft-capping and activation.
     */
    private static void variantConfig(Map<String, Object> json, ModelConfig c, ModelConfig.Variant v, String act) {
        ModelConfig.Llama llama = (ModelConfig.Llama) c.extra();
        json.remove("rope_scaling");
        json.put("rope_parameters", Map.of("rope_type", "default", "rope_theta", llama.ropeTheta()));
        boolean windowed = v.slidingWindow() > 0;
        if (c.architecture() == ModelConfig.Architecture.QWEN2 || c.architecture() == ModelConfig.Architecture.QWEN3) {
            json.put("use_sliding_window", windowed);
        }
        json.put("sliding_window", windowed ? v.slidingWindow() : null);
        if (windowed) {
            json.put("layer_types", v.slidingLayers().stream().map(s -> s ? "sliding_attention" : "full_attention").toList());
        }
        if (c.architecture() == ModelConfig.Architecture.GEMMA2) {
            json.put("hidden_activation", act);
            json.put("query_pre_attn_scalar", v.queryPreAttnScalar());
            json.put("attn_logit_softcapping", v.attnSoftcap() > 0 ? v.attnSoftcap() : null);
            json.put("final_logit_softcapping", v.finalSoftcap() > 0 ? v.finalSoftcap() : null);
        }
    }
}
