package dev.attnstudio.engine.load;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.HalfWeights;
import dev.attnstudio.engine.model.NeoXModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GPT-NeoX model as a Hugging Face folder ({@code config.json}, {@code model.safetensors}, optionally
 * {@code tokenizer.json}) that {@code LoadedModel.open(folder)} and {@code transformers}' GPTNeoXForCausalLM read.
 *
 * <p>{@link NeoXModel#parameters()} holds the checkpoint's tensors under their own names, except that each fused
 * {@code query_key_value} is held as its q, k, v parts ({@code .weight/q} ...); they are fused back here, per head:
 * row {@code head * 3h + j * h + e} of the fused tensor is row {@code head * h + e} of part j.
 */
public final class NeoXFolder {

    private static final List<String> PARTS = List.of("/q", "/k", "/v");

    private NeoXFolder() {
    }

    /**
     * @param tokenizerJson the tokenizer.json text, or null to write none
     * @param metadata      stored in the safetensors header ({@code format: pt} is added)
     * @return the folder
     */
    public static Path write(Path folder, NeoXModel model, String tokenizerJson, Map<String, String> metadata)
            throws IOException {
        return write(folder, model.config(), toHuggingFace(model), tokenizerJson, metadata);
    }

    /** Writes tensors already under {@code GPTNeoXForCausalLM} names (e.g. random ones for tests) with their config. */
    public static Path write(Path folder, ModelConfig config, Map<String, SafeTensors.Tensor> tensors, String tokenizerJson,
                             Map<String, String> metadata) throws IOException {
        return HfFolder.write(folder, file -> writeConfig(file, config), tensors, tokenizerJson, metadata);
    }

    /** The weights as {@code GPTNeoXForCausalLM} stores them, copied to the Java heap as float32, in checkpoint order. */
    public static Map<String, SafeTensors.Tensor> toHuggingFace(NeoXModel model) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        int heads = model.config().nHead();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            String name = e.getKey();
            if (name.endsWith(PARTS.get(0))) {
                String base = name.substring(0, name.length() - 2);
                out.put(base, fuse(model.parameters(), base, heads));
            } else if (!name.endsWith(PARTS.get(1)) && !name.endsWith(PARTS.get(2))) {
                NDArray a = e.getValue();
                out.put(name, new SafeTensors.Tensor(HalfWeights.floats(a), a.getShape().getShape(), SafeTensors.DType.F32));
            }
        }
        return out;
    }

    /** q, k, v [d, in] (or [d]) -> the per-head fused [3d, in] (or [3d]). */
    private static SafeTensors.Tensor fuse(Map<String, NDArray> parameters, String base, int heads) {
        float[][] parts = new float[3][];
        long[] shape = null;
        for (int j = 0; j < 3; j++) {
            NDArray a = parameters.get(base + PARTS.get(j));
            parts[j] = HalfWeights.floats(a);
            shape = a.getShape().getShape();
        }
        int rows = Math.toIntExact(shape[0]);                 // d = H h
        int width = parts[0].length / rows;                   // in (1 for a bias)
        int h = rows / heads;
        float[] fused = new float[3 * parts[0].length];
        for (int head = 0; head < heads; head++) {
            for (int j = 0; j < 3; j++) {
                System.arraycopy(parts[j], head * h * width, fused, (head * 3 + j) * h * width, h * width);
            }
        }
        long[] fusedShape = shape.clone();
        fusedShape[0] = 3L * rows;
        return new SafeTensors.Tensor(fused, fusedShape, SafeTensors.DType.F32);
    }

    /**
     * A GPT-NeoX {@code config.json}: the geometry, rotary settings (in both the original {@code rotary_pct} /
     * {@code rotary_emb_base} spelling and the newer {@code rope_parameters}), the residual form, biases and tying.
     */
    public static void writeConfig(Path file, ModelConfig c) throws IOException {
        if (!(c.extra() instanceof NeoX neox)) {
            throw new IllegalArgumentException("not a GPT-NeoX config: " + c.architecture());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "gpt_neox");
        json.put("architectures", List.of("GPTNeoXForCausalLM"));
        json.put("num_hidden_layers", c.nLayer());
        json.put("num_attention_heads", c.nHead());
        json.put("hidden_size", c.dModel());
        json.put("intermediate_size", c.dMlp());
        json.put("max_position_embeddings", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("layer_norm_eps", c.layerNormEps());
        json.put("hidden_act", switch (c.activation()) {
            case GELU -> "gelu";
            case GELU_NEW -> "gelu_new";
            case RELU -> "relu";
            case SILU -> "silu";
        });
        json.put("rotary_pct", neox.rotaryPct());
        json.put("rotary_emb_base", neox.ropeTheta());
        Map<String, Object> rope = new LinkedHashMap<>();
        rope.put("rope_type", "default");
        rope.put("rope_theta", neox.ropeTheta());
        rope.put("partial_rotary_factor", neox.rotaryPct());
        json.put("rope_parameters", rope);
        json.put("rope_scaling", null);
        json.put("use_parallel_residual", neox.parallelResidual());
        json.put("attention_bias", neox.attentionBias());
        json.put("tie_word_embeddings", neox.tiedEmbeddings());
        json.put("attention_dropout", 0.0);
        json.put("hidden_dropout", 0.0);
        json.put("bos_token_id", null);
        json.put("eos_token_id", null);
        json.put("torch_dtype", "float32");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }
}
