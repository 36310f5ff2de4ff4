package dev.attnstudio.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The geometry of a GPT-2-family decoder, read from a Hugging Face {@code config.json}.
 *
 * @param nLayer       number of blocks
 * @param nHead        attention heads per block
 * @param dModel       residual stream width ({@code n_embd})
 * @param nPositions   longest sequence the learned position table covers
 * @param vocabSize    rows of the token embedding
 * @param layerNormEps epsilon inside every LayerNorm
 * @param activation   the MLP non-linearity the checkpoint was trained with
 */
public record ModelConfig(int nLayer, int nHead, int dModel, int nPositions, int vocabSize,
                          double layerNormEps, Activation activation) {

    /** MLP non-linearities, by their Hugging Face {@code activation_function} names. */
    public enum Activation {
        /** GPT-2's tanh approximation of GELU ({@code gelu_new}); differs from the erf form by up to ~5e-4. */
        GELU_NEW,
        /** The exact erf form of GELU ({@code gelu}). */
        GELU,
        RELU;

        static Activation fromHuggingFace(String name) {
            return switch (name) {
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_NEW;
                case "gelu" -> GELU;
                case "relu" -> RELU;
                default -> throw new IllegalArgumentException(
                        "unsupported activation_function '" + name + "' (supported: gelu_new, gelu, relu)");
            };
        }
    }

    public ModelConfig {
        require(nLayer > 0, "n_layer must be positive, was " + nLayer);
        require(nHead > 0, "n_head must be positive, was " + nHead);
        require(dModel > 0 && dModel % nHead == 0,
                "n_embd (" + dModel + ") must be a positive multiple of n_head (" + nHead + ")");
        require(nPositions > 0, "n_positions must be positive, was " + nPositions);
        require(vocabSize > 0, "vocab_size must be positive, was " + vocabSize);
        require(layerNormEps > 0, "layer_norm_epsilon must be positive, was " + layerNormEps);
    }

    /** Width of one head: d_model / n_head. */
    public int dHead() {
        return dModel / nHead;
    }

    /** A copy with another number of layers (for small test and benchmark models). */
    public ModelConfig withLayers(int layers) {
        return new ModelConfig(layers, nHead, dModel, nPositions, vocabSize, layerNormEps, activation);
    }

    /** GPT-2 small's geometry: 12 layers, 12 heads, d_model 768, 1024 positions, 50257 tokens. */
    public static ModelConfig gpt2Small() {
        return new ModelConfig(12, 12, 768, 1024, 50257, 1e-5, Activation.GELU_NEW);
    }

    /**
     * Reads a GPT-2 {@code config.json}. Every missing or malformed key is reported at once, with the
     * file's path, so a user can fix the file in one go.
     */
    public static ModelConfig readGpt2(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configJson, "config is not a JSON object");
        }
        String type = root.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new ModelFormatException(configJson,
                    "model_type '" + type + "' is not supported yet (supported: gpt2)");
        }
        List<String> problems = new ArrayList<>();
        int nLayer = intKey(root, "n_layer", problems);
        int nHead = intKey(root, "n_head", problems);
        int nEmbd = intKey(root, "n_embd", problems);
        int nPositions = intKey(root, "n_positions", problems);
        int vocab = intKey(root, "vocab_size", problems);
        double eps = root.path("layer_norm_epsilon").isNumber() ? root.get("layer_norm_epsilon").asDouble() : 1e-5;
        String act = root.path("activation_function").asText("gelu_new");
        if (!problems.isEmpty()) {
            throw new ModelFormatException(configJson, String.join("; ", problems));
        }
        try {
            return new ModelConfig(nLayer, nHead, nEmbd, nPositions, vocab, eps, Activation.fromHuggingFace(act));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson, e.getMessage());
        }
    }

    private static int intKey(JsonNode root, String key, List<String> problems) {
        JsonNode n = root.get(key);
        if (n == null) {
            problems.add("missing key '" + key + "'");
            return 0;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            problems.add("key '" + key + "' must be an integer, was " + n);
            return 0;
        }
        return n.asInt();
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
