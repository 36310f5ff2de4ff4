package dev.attnstudio.engine.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Reading {@code model_type} gpt_neox configs in each spelling transformers has used, and refusing what is not implemented. */
class NeoXConfigTest {

    @TempDir
    Path dir;

    /** Pythia-70m's geometry, as its published config.json states it (original spelling). */
    private static Map<String, Object> pythia70m() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", java.util.List.of("GPTNeoXForCausalLM"));
        json.put("bos_token_id", 0);
        json.put("eos_token_id", 0);
        json.put("hidden_act", "gelu");
        json.put("hidden_size", 512);
        json.put("intermediate_size", 2048);
        json.put("layer_norm_eps", 1e-5);
        json.put("max_position_embeddings", 2048);
        json.put("model_type", "gpt_neox");
        json.put("num_attention_heads", 8);
        json.put("num_hidden_layers", 6);
        json.put("rotary_emb_base", 10000);
        json.put("rotary_pct", 0.25);
        json.put("tie_word_embeddings", false);
        json.put("use_parallel_residual", true);
        json.put("vocab_size", 50304);
        return json;
    }

    private ModelConfig read(Map<String, Object> json) throws IOException {
        Path file = dir.resolve("config-" + json.hashCode() + ".json");
        new ObjectMapper().writeValue(file.toFile(), json);
        return ModelConfig.read(file);
    }

    @Test
    void pythiaReadsWithItsRotaryFractionAndParallelResidual() throws IOException {
        ModelConfig c = read(pythia70m());
        assertEquals(ModelConfig.Architecture.GPT_NEOX, c.architecture());
        assertEquals(6, c.nLayer());
        assertEquals(8, c.nHead());
        assertEquals(64, c.dHead());
        assertEquals(2048, c.dMlp());
        assertEquals(ModelConfig.Activation.GELU, c.activation());
        NeoX neox = (NeoX) c.extra();
        assertEquals(new NeoX(0.25, 10000, true, true, false), neox);
        assertEquals(16, neox.rotaryDims(c.dHead()));
        assertTrue(c.causal() && c.generates() && !c.encoderDecoder());
        assertEquals(Map.of("rope_theta", 10000.0, "tie_word_embeddings", false, "gpt_neox", Map.of("rotary_pct", 0.25,
                "use_parallel_residual", true, "attention_bias", true)), c.familySettings());
        assertTrue(ModelConfig.Architecture.supported().contains("gpt_neox ("));
    }

    @Test
    void newerSpellingsGiveTheSameConfig() throws IOException {
        ModelConfig original = read(pythia70m());
        Map<String, Object> newest = pythia70m();
        newest.remove("rotary_pct");
        newest.remove("rotary_emb_base");
        newest.put("rope_parameters", Map.of("rope_type", "default", "rope_theta", 10000.0, "partial_rotary_factor", 0.25));
        newest.put("attention_bias", true);
        assertEquals(original, read(newest));
        Map<String, Object> topLevel = pythia70m();
        topLevel.remove("rotary_pct");
        topLevel.remove("rotary_emb_base");
        topLevel.put("rope_theta", 10000);
        topLevel.put("partial_rotary_factor", 0.25);
        assertEquals(original, read(topLevel));
        // rope_parameters wins over the older keys, as GPTNeoXConfig's setdefault does
        Map<String, Object> both = pythia70m();
        both.put("rope_parameters", Map.of("rope_theta", 500.0, "partial_rotary_factor", 0.5));
        assertEquals(new NeoX(0.5, 500, true, true, false), read(both).extra());
        Map<String, Object> defaults = pythia70m();
        defaults.remove("rotary_pct");
        defaults.remove("rotary_emb_base");
        defaults.remove("use_parallel_residual");
        defaults.remove("tie_word_embeddings");
        assertEquals(original, read(defaults), "defaults: rotary_pct 0.25, base 10000, parallel, untied");
    }

    @Test
    void unsupportedSettingsAreRefusedByName() {
        Map<String, Object> scaled = pythia70m();
        scaled.put("rope_scaling", Map.of("type", "linear", "factor", 2.0));
        assertTrue(failure(scaled).contains("rope_scaling"));
        Map<String, Object> typed = pythia70m();
        typed.put("rope_parameters", Map.of("rope_type", "dynamic", "factor", 2.0));
        assertTrue(failure(typed).contains("rope_type 'dynamic'"), failure(typed));
        Map<String, Object> odd = pythia70m();
        odd.put("rotary_pct", 0.1); // 6.4 -> 6 of 64: even, fine; 0.02 -> 1: odd
        assertDoesNotThrow(() -> read(odd));
        odd.put("rotary_pct", 0.02);
        assertTrue(failure(odd).contains("rotary_pct 0.02 of a head of 64 gives 1"), failure(odd));
        Map<String, Object> missing = pythia70m();
        missing.remove("hidden_size");
        missing.remove("vocab_size");
        String msg = failure(missing);
        assertTrue(msg.contains("missing key 'hidden_size'") && msg.contains("missing key 'vocab_size'"), msg);
    }

    private String failure(Map<String, Object> json) {
        return assertThrows(ModelFormatException.class, () -> read(json)).getMessage();
    }
}
