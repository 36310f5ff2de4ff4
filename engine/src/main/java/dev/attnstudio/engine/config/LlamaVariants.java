package dev.attnstudio.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attnstudio.engine.io.ModelFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.attnstudio.engine.config.ModelConfig.doubleKey;
import static dev.attnstudio.engine.config.ModelConfig.intKey;
import static dev.attnstudio.engine.config.ModelConfig.rejectUnless;

/**
 * Reads the {@code config.json} of the LLaMA variants (Qwen2, Qwen3, Mistral, Gemma 2) into a {@link ModelConfig} with a
 * {@link ModelConfig.Variant}, with Hugging Face's defaults for keys a file leaves out, and refuses by name every setting
 * whose math the engine does not implement (rope scaling, partial rotary, MLP biases, unknown layer types).
 *
 * <p>Both generations of transformers configs are read: RoPE in {@code rope_parameters} ({"rope_type": "default",
 * "rope_theta": ...}) or in a top-level {@code rope_theta}; which layers slide in {@code layer_types} or by each
 * family's rule (Qwen: layers from {@code max_window_layers} on, and only with {@code use_sliding_window}; Mistral:
 * every layer; Gemma 2: the even layers 0, 2, 4 ..., as {@code Gemma2Config} and the older {@code not layer_idx % 2}).
 */
final class LlamaVariants {

    private LlamaVariants() {
    }

    static ModelConfig read(JsonNode root, Path file, String type, List<String> problems) {
        ModelConfig.Architecture arch = switch (type) {
            case "qwen2" -> ModelConfig.Architecture.QWEN2;
            case "qwen3" -> ModelConfig.Architecture.QWEN3;
            case "mistral" -> ModelConfig.Architecture.MISTRAL;
            case "gemma2" -> ModelConfig.Architecture.GEMMA2;
            default -> throw new IllegalArgumentException("not a LLaMA variant: " + type);
        };
        boolean gemma = arch == ModelConfig.Architecture.GEMMA2;
        rejectUnless(root, file, "mlp_bias", false);
        if (arch == ModelConfig.Architecture.MISTRAL || arch == ModelConfig.Architecture.QWEN2) {
            rejectUnless(root, file, "attention_bias", false);
        }
        int hidden = intKey(root, "hidden_size", problems);
        int heads = intKey(root, "num_attention_heads", problems);
        int layers = intKey(root, "num_hidden_layers", problems);

        // head_dim: Qwen3Config defaults to 128 and Gemma2Config to 256; Qwen2 and Mistral use hidden / heads
        int defaultHeadDim = switch (arch) {
            case QWEN3 -> 128;
            case GEMMA2 -> 256;
            default -> 0;
        };
        int headDim = root.path("head_dim").isIntegralNumber() ? root.get("head_dim").asInt() : defaultHeadDim;
        if (headDim > 0 && heads > 0 && headDim * heads == hidden && !gemma && arch != ModelConfig.Architecture.QWEN3) {
            headDim = 0; // the usual d_model / n_head
        }

        boolean attentionBias = root.path("attention_bias").asBoolean(false);
        boolean qkvBias = arch == ModelConfig.Architecture.QWEN2 || attentionBias;
        boolean outBias = arch != ModelConfig.Architecture.QWEN2 && attentionBias;

        int window = 0;
        List<Boolean> sliding = List.of();
        JsonNode w = root.get("sliding_window");
        boolean windowed = switch (arch) {
            case QWEN2, QWEN3 -> root.path("use_sliding_window").asBoolean(false) && w != null && !w.isNull();
            case MISTRAL -> w != null && !w.isNull();
            default -> w == null || !w.isNull(); // Gemma2Config: sliding_window defaults to 4096
        };
        if (windowed && layers > 0) {
            window = w == null ? 4096 : w.asInt();
            if (w != null && (!w.isIntegralNumber() || window < 1)) {
                throw new ModelFormatException(file, "sliding_window must be a positive integer, was " + w);
            }
            sliding = layerTypes(root, file, layers, arch);
        }

        double scalar = 0;
        double attnCap = 0;
        double finalCap = 0;
        if (gemma) {
            scalar = doubleKey(root, "query_pre_attn_scalar", 256);
            attnCap = cap(root, "attn_logit_softcapping", 50.0);
            finalCap = cap(root, "final_logit_softcapping", 30.0);
        }
        String act = gemma ? root.path("hidden_activation").asText(root.path("hidden_act").asText("gelu_pytorch_tanh"))
                : root.path("hidden_act").asText("silu");
        ModelConfig.Variant variant = new ModelConfig.Variant(headDim, qkvBias, outBias,
                arch == ModelConfig.Architecture.QWEN3, window, sliding, scalar, attnCap, finalCap);
        return new ModelConfig(arch, layers, heads, hidden, intKey(root, "intermediate_size", problems),
                intKey(root, "max_position_embeddings", problems), intKey(root, "vocab_size", problems), 0,
                doubleKey(root, "rms_norm_eps", 1e-6), ModelConfig.Activation.fromHuggingFace(act),
                new ModelConfig.Llama(root.path("num_key_value_heads").asInt(heads), ropeTheta(root, file),
                        root.path("tie_word_embeddings").asBoolean(gemma), variant));
    }

    /** A soft-capping value: absent means Hugging Face's default, null means none (0). */
    private static double cap(JsonNode root, String key, double fallback) {
        JsonNode n = root.get(key);
        return n == null ? fallback : n.isNull() ? 0 : n.asDouble();
    }

    /** Which layers slide: {@code layer_types} when present, else the family's rule. */
    private static List<Boolean> layerTypes(JsonNode root, Path file, int layers, ModelConfig.Architecture arch) {
        List<Boolean> sliding = new ArrayList<>();
        JsonNode types = root.get("layer_types");
        if (types != null && !types.isNull()) {
            if (!types.isArray() || types.size() != layers) {
                throw new ModelFormatException(file, "layer_types must list one type per layer (" + layers + "), was " + types);
            }
            for (JsonNode t : types) {
                switch (t.asText()) {
                    case "sliding_attention" -> sliding.add(true);
                    case "full_attention" -> sliding.add(false);
                    default -> throw new ModelFormatException(file, "layer_types entry '" + t.asText()
                            + "' is not supported (supported: sliding_attention, full_attention)");
                }
            }
            return sliding;
        }
        int from = root.path("max_window_layers").asInt(28);
        for (int i = 0; i < layers; i++) {
            sliding.add(switch (arch) {
                case QWEN2, QWEN3 -> i >= from;
                case GEMMA2 -> i % 2 == 0;
                default -> true;
            });
        }
        return sliding;
    }

    /**
     * The RoPE base: {@code rope_parameters.rope_theta} (recent transformers) or {@code rope_theta} (older), 10000 when
     * neither is given. Any rope type but {@code default}, rope scaling and a partial rotary factor are refused by name.
     */
    static double ropeTheta(JsonNode root, Path file) {
        double theta = doubleKey(root, "rope_theta", 10000);
        JsonNode params = root.get("rope_parameters");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) {
                throw new ModelFormatException(file, "rope_parameters must be an object, was " + params);
            }
            defaultRopeOnly(params, file, "rope_parameters");
            theta = doubleKey(params, "rope_theta", theta);
        }
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            defaultRopeOnly(scaling, file, "rope_scaling");
        }
        JsonNode partial = root.get("partial_rotary_factor");
        if (partial != null && partial.isNumber() && partial.asDouble() != 1.0) {
            throw new ModelFormatException(file, "partial_rotary_factor " + partial.asDouble()
                    + " is not supported yet (only 1: every coordinate rotates)");
        }
        return theta;
    }

    private static void defaultRopeOnly(JsonNode rope, Path file, String key) {
        String kind = rope.path("rope_type").asText(rope.path("type").asText("default"));
        if (!kind.equals("default")) {
            throw new ModelFormatException(file, key + " rope_type '" + kind
                    + "' is not supported yet (plain RoPE only: rope_type default)");
        }
        JsonNode partial = rope.get("partial_rotary_factor");
        if (partial != null && partial.isNumber() && partial.asDouble() != 1.0) {
            throw new ModelFormatException(file, key + " partial_rotary_factor " + partial.asDouble()
                    + " is not supported yet (only 1: every coordinate rotates)");
        }
    }
}
