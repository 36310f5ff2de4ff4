package dev.attnstudio.engine.load;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.HalfWeights;
import dev.attnstudio.engine.model.T5Model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a T5 model as a Hugging Face folder ({@code config.json}, {@code model.safetensors}, optionally
 * {@code tokenizer.json}) that {@code LoadedModel.open(folder)} and {@code transformers}' T5ForConditionalGeneration
 * read. {@link T5Model#parameters()} holds the checkpoint's own tensors in the checkpoint's layout, so the weights are
 * written name for name (tied: {@code shared.weight} and no {@code lm_head.weight}).
 */
public final class T5Folder {

    private T5Folder() {
    }

    /**
     * @param tokenizerJson the tokenizer.json text, or null to write none
     * @param metadata      stored in the safetensors header ({@code format: pt} is added)
     * @return the folder
     */
    public static Path write(Path folder, T5Model model, String tokenizerJson, Map<String, String> metadata)
            throws IOException {
        return HfFolder.write(folder, file -> writeConfig(file, model.config()), toHuggingFace(model), tokenizerJson, metadata);
    }

    /** The weights as T5ForConditionalGeneration stores them, copied to the Java heap as float32, in checkpoint order. */
    public static Map<String, SafeTensors.Tensor> toHuggingFace(T5Model model) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            NDArray a = e.getValue();
            out.put(e.getKey(), new SafeTensors.Tensor(HalfWeights.floats(a), a.getShape().getShape(), SafeTensors.DType.F32));
        }
        return out;
    }

    /**
     * A T5 {@code config.json}: the geometry of both stacks, the relative position buckets, the feed-forward kind, tying,
     * the decoder start token (also the pad token, as in T5), and {@code n_positions}, the engine's length limit (T5
     * itself has none). No eos id is claimed: the small tokenizers the project writes have no special tokens.
     */
    public static void writeConfig(Path file, ModelConfig c) throws IOException {
        if (!(c.extra() instanceof ModelConfig.T5 t5)) {
            throw new IllegalArgumentException("not a T5 config: " + c.architecture());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "t5");
        json.put("architectures", List.of("T5ForConditionalGeneration"));
        json.put("is_encoder_decoder", true);
        json.put("d_model", c.dModel());
        json.put("d_kv", c.dHead());
        json.put("d_ff", c.dMlp());
        json.put("num_layers", c.nLayer());
        json.put("num_decoder_layers", t5.nDecoderLayers());
        json.put("num_heads", c.nHead());
        json.put("relative_attention_num_buckets", t5.buckets());
        json.put("relative_attention_max_distance", t5.maxDistance());
        json.put("layer_norm_epsilon", c.layerNormEps());
        json.put("feed_forward_proj", t5.gatedGelu() ? "gated-gelu" : "relu");
        json.put("tie_word_embeddings", t5.tiedEmbeddings());
        json.put("decoder_start_token_id", t5.decoderStartTokenId());
        json.put("pad_token_id", t5.decoderStartTokenId());
        json.put("eos_token_id", null);
        json.put("vocab_size", c.vocabSize());
        json.put("n_positions", c.nPositions());
        // trained without dropout; stated so the file says how it was trained
        json.put("dropout_rate", 0.0);
        json.put("torch_dtype", "float32");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }
}
