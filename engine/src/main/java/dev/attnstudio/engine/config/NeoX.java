package dev.attnstudio.engine.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * GPT-NeoX family (Pythia, GPT-NeoX-20B): what it has beyond the common geometry.
 *
 * @param rotaryPct        fraction of each head's coordinates that rotate ({@code rotary_pct}, newer configs
 *                         {@code partial_rotary_factor}); the first {@code int(d_head * rotaryPct)} rotate, the rest pass
 *                         through unchanged (Pythia: 0.25)
 * @param ropeTheta        base of the rotary frequencies ({@code rotary_emb_base}, newer configs {@code rope_theta})
 * @param parallelResidual {@code use_parallel_residual}: x + attn(ln1(x)) + mlp(ln2(x)) when true, else GPT-2's
 *                         sequential x + attn(ln1(x)), then + mlp(ln2(.))
 * @param attentionBias    {@code attention_bias}: whether {@code query_key_value} and {@code dense} carry biases
 * @param tiedEmbeddings   {@code tie_word_embeddings}: whether the unembedding is {@code embed_in} (else {@code embed_out})
 */
public record NeoX(double rotaryPct, double ropeTheta, boolean parallelResidual, boolean attentionBias,
                   boolean tiedEmbeddings) implements ModelConfig.Extra {

    public NeoX {
        if (!(rotaryPct > 0 && rotaryPct <= 1)) {
            throw new IllegalArgumentException("rotary_pct must be in (0, 1], was " + rotaryPct);
        }
        if (!(ropeTheta > 1)) {
            throw new IllegalArgumentException("rotary_emb_base (rope_theta) must be greater than 1, was " + ropeTheta);
        }
    }

    /**
     * Coordinates of a head that rotate: {@code int(d_head * rotary_pct)}, as Hugging Face's {@code rotary_ndims}
     * (Python's int() truncates, as the cast does).
     */
    public int rotaryDims(int dHead) {
        return (int) (dHead * rotaryPct);
    }

    /** Checks that a head of width {@code dHead} has an even, non-zero number of rotating coordinates. */
    void check(int dHead) {
        int r = rotaryDims(dHead);
        if (r < 2 || r % 2 != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "rotary_pct %s of a head of %d gives %d "
                    + "rotating coordinates; rotary embeddings need an even number, at least 2", rotaryPct, dHead, r));
        }
    }

    /**
     * The settings under their Hugging Face names, for a trace's manifest: {@code rope_theta} and
     * {@code tie_word_embeddings} (the keys LLaMA's settings use too), and a {@code gpt_neox} map of rotary_pct,
     * use_parallel_residual and attention_bias.
     */
    Map<String, Object> settings() {
        Map<String, Object> neox = new LinkedHashMap<>();
        neox.put("rotary_pct", rotaryPct);
        neox.put("use_parallel_residual", parallelResidual);
        neox.put("attention_bias", attentionBias);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rope_theta", ropeTheta);
        s.put("tie_word_embeddings", tiedEmbeddings);
        s.put("gpt_neox", neox);
        return s;
    }
}
