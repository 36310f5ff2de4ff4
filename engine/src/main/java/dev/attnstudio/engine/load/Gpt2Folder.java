package dev.attnstudio.engine.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.model.Gpt2Model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GPT-2 model as a Hugging Face folder ({@code config.json}, {@code model.safetensors}, optionally
 * {@code tokenizer.json}) that {@code LoadedModel.open(folder)} and {@code transformers}' GPT2LMHeadModel read.
 */
public final class Gpt2Folder {

    private Gpt2Folder() {
    }

    /**
     * @param tokenizerJson the tokenizer.json text, or null to write none
     * @param metadata      stored in the safetensors header ({@code format: pt} is added)
     * @return the folder
     */
    public static Path write(Path folder, Gpt2Model model, String tokenizerJson, Map<String, String> metadata)
            throws IOException {
        return HfFolder.write(folder, file -> writeConfig(file, model.config()), model.toHuggingFace(), tokenizerJson, metadata);
    }

    /** A GPT-2 {@code config.json}: the geometry, and the flags whose other values the engine would refuse. */
    public static void writeConfig(Path file, ModelConfig c) throws IOException {
        if (c.architecture() != ModelConfig.Architecture.GPT2) {
            throw new IllegalArgumentException("not a GPT-2 config: " + c.architecture());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "gpt2");
        json.put("architectures", List.of("GPT2LMHeadModel"));
        json.put("n_layer", c.nLayer());
        json.put("n_head", c.nHead());
        json.put("n_embd", c.dModel());
        json.put("n_inner", c.dMlp());
        json.put("n_positions", c.nPositions());
        json.put("n_ctx", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("layer_norm_epsilon", c.layerNormEps());
        json.put("activation_function", switch (c.activation()) {
            case GELU_NEW -> "gelu_new";
            case GELU -> "gelu";
            case RELU -> "relu";
            case SILU -> "silu";
        });
        json.put("scale_attn_weights", true);
        json.put("scale_attn_by_inverse_layer_idx", false);
        json.put("tie_word_embeddings", true);
        // trained without dropout; transformers would otherwise default to 0.1
        json.put("resid_pdrop", 0.0);
        json.put("embd_pdrop", 0.0);
        json.put("attn_pdrop", 0.0);
        json.put("torch_dtype", "float32");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }
}
