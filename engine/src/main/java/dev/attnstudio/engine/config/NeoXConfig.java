package dev.attnstudio.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attnstudio.engine.io.ModelFormatException;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json} of {@code model_type} gpt_neox (Hugging Face's {@code GPTNeoXConfig}).
 *
 * <p>Rotary settings come under three spellings across transformers versions, read in this order of preference:
 * {@code rope_parameters} {@code {"rope_theta", "partial_rotary_factor"}} (newest), top-level {@code rope_theta} and
 * {@code partial_rotary_factor}, and the original {@code rotary_emb_base} and {@code rotary_pct}; defaults 10000 and
 * 0.25 as in {@code GPTNeoXConfig}. Any rope scaling ({@code rope_scaling}, or a {@code rope_type} other than
 * {@code default}) is refused by name: its math is not implemented. {@code attention_dropout} and
 * {@code hidden_dropout} are read by nobody: the engine runs inference, where dropout is the identity.
 */
public final class NeoXConfig {

    private NeoXConfig() {
    }

    /**
     * The config of a GPT-NeoX checkpoint; missing or malformed integer keys are added to {@code problems} (the caller
     * reports them all at once), unsupported settings throw {@link ModelFormatException} naming the key.
     */
    public static ModelConfig read(JsonNode root, Path configJson, List<String> problems) {
        if (root.hasNonNull("rope_scaling")) {
            throw new ModelFormatException(configJson, "rope_scaling is not supported yet (plain rotary embeddings only)");
        }
        JsonNode rope = root.path("rope_parameters");
        String ropeType = rope.path("rope_type").asText(rope.path("type").asText("default"));
        if (!ropeType.equals("default")) {
            throw new ModelFormatException(configJson, "rope_parameters.rope_type '" + ropeType
                    + "' is not supported yet (plain rotary embeddings only)");
        }
        double theta = number(rope, "rope_theta", number(root, "rope_theta", number(root, "rotary_emb_base", 10000)));
        double pct = number(rope, "partial_rotary_factor",
                number(root, "partial_rotary_factor", number(root, "rotary_pct", 0.25)));
        int heads = intKey(root, "num_attention_heads", problems);
        int hidden = intKey(root, "hidden_size", problems);
        NeoX neox = new NeoX(pct, theta, root.path("use_parallel_residual").asBoolean(true),
                root.path("attention_bias").asBoolean(true), root.path("tie_word_embeddings").asBoolean(false));
        return new ModelConfig(ModelConfig.Architecture.GPT_NEOX, intKey(root, "num_hidden_layers", problems), heads,
                hidden, intKey(root, "intermediate_size", problems), intKey(root, "max_position_embeddings", problems),
                intKey(root, "vocab_size", problems), 0, number(root, "layer_norm_eps", 1e-5),
                ModelConfig.Activation.fromHuggingFace(root.path("hidden_act").asText("gelu")), neox);
    }

    private static double number(JsonNode node, String key, double fallback) {
        return node.path(key).isNumber() ? node.get(key).asDouble() : fallback;
    }

    private static int intKey(JsonNode root, String key, List<String> problems) {
        JsonNode n = root.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            problems.add(n == null ? "missing key '" + key + "'" : "key '" + key + "' must be an integer, was " + n);
            return 0;
        }
        return n.asInt();
    }
}
