package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.config.ModelConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's sizes under TransformerLens's config names, as constants for a {@link Scope}: {@code d_model},
 * {@code d_head}, {@code n_heads}, {@code n_kv_heads}, {@code n_layers}, {@code d_mlp}, {@code d_vocab},
 * {@code n_ctx}, {@code eps}; {@code seq} when a sequence length is given. Only family-neutral sizes: what one
 * family alone has (T5's decoder depth) is left out, as code outside the model packages does not switch on the family.
 */
public final class ModelConstants {

    private ModelConstants() {
    }

    public static Map<String, Double> of(ModelConfig c) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("d_model", (double) c.dModel());
        m.put("d_head", (double) c.dHead());
        m.put("n_heads", (double) c.nHead());
        m.put("n_kv_heads", (double) c.nKvHeads());
        m.put("n_layers", (double) c.nLayer());
        m.put("d_mlp", (double) c.dMlp());
        m.put("d_vocab", (double) c.vocabSize());
        m.put("n_ctx", (double) c.nPositions());
        m.put("eps", c.layerNormEps());
        return Collections.unmodifiableMap(m);
    }

    /** @param seq the positions of the pass the expressions look at (T of its hooks) */
    public static Map<String, Double> of(ModelConfig c, int seq) {
        Map<String, Double> m = new LinkedHashMap<>(of(c));
        m.put("seq", (double) seq);
        return Collections.unmodifiableMap(m);
    }
}
