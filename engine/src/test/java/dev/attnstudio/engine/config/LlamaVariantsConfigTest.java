package dev.attnstudio.engine.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reading the config.json of Qwen2, Qwen3, Mistral and Gemma 2: Hugging Face's defaults and both generations of
 * settings (rope_parameters / rope_theta, layer_types / the family's rule), and every unsupported value refused by name.
 */
class LlamaVariantsConfigTest {

    @TempDir
    Path dir;

    private ModelConfig read(Map<String, Object> json) throws IOException {
        Path file = dir.resolve("config-" + System.nanoTime() + ".json");
        new ObjectMapper().writeValue(file.toFile(), json);
        return ModelConfig.read(file);
    }

    private String refused(Map<String, Object> json) {
        return assertThrows(ModelFormatException.class, () -> read(json)).getMessage();
    }

    private static Map<String, Object> base(String type, int layers) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", type);
        json.put("hidden_size", 64);
        json.put("intermediate_size", 128);
        json.put("num_hidden_layers", layers);
        json.put("num_attention_heads", 4);
        json.put("num_key_value_heads", 2);
        json.put("max_position_embeddings", 256);
        json.put("vocab_size", 100);
        return json;
    }

    private static ModelConfig.Variant variant(ModelConfig c) {
        return ((ModelConfig.Llama) c.extra()).variant();
    }

    @Test
    void olderConfigsUseTopLevelRopeThetaAndTheFamilyRules() throws IOException {
        Map<String, Object> gemma = base("gemma2", 5);
        gemma.put("rope_theta", 20000.0);
        ModelConfig g = read(gemma);
        assertEquals(ModelConfig.Architecture.GEMMA2, g.architecture());
        assertEquals(20000.0, ((ModelConfig.Llama) g.extra()).ropeTheta());
        // Gemma2Config's defaults: head_dim 256, window 4096 on layers 0, 2, 4, scalar 256, caps 50 and 30, tied, GeGLU
        assertEquals(256, g.dHead());
        assertEquals(new ModelConfig.Variant(256, false, false, false, 4096, List.of(true, false, true, false, true), 256,
                50, 30), variant(g));
        assertTrue(((ModelConfig.Llama) g.extra()).tiedEmbeddings());
        assertEquals(ModelConfig.Activation.GELU_NEW, g.activation());

        Map<String, Object> mistral = base("mistral", 3);
        mistral.put("sliding_window", 7);
        assertEquals(List.of(true, true, true), variant(read(mistral)).slidingLayers());
        mistral.put("sliding_window", null);
        assertEquals(ModelConfig.Variant.NONE, variant(read(mistral)), "no window: plain LLaMA math");

        Map<String, Object> qwen = base("qwen2", 4);
        qwen.put("sliding_window", 4096);
        qwen.put("max_window_layers", 2);
        assertEquals(0, variant(read(qwen)).slidingWindow(), "no window without use_sliding_window");
        qwen.put("use_sliding_window", true);
        ModelConfig q = read(qwen);
        assertEquals(List.of(false, false, true, true), variant(q).slidingLayers(), "layers from max_window_layers on");
        assertTrue(variant(q).qkvBias() && !variant(q).outBias(), "Qwen2: q, k, v biases, none on o");
        assertTrue(q.causal() && q.generates());

        Map<String, Object> qwen3 = base("qwen3", 2);
        ModelConfig q3 = read(qwen3);
        assertEquals(128, q3.dHead(), "Qwen3Config's head_dim default");
        assertTrue(variant(q3).qkNorm());
    }

    @Test
    void recentConfigsUseRopeParametersAndLayerTypes() throws IOException {
        Map<String, Object> json = base("qwen3", 3);
        json.put("head_dim", 24);
        json.put("rope_parameters", Map.of("rope_type", "default", "rope_theta", 1000000.0));
        json.put("use_sliding_window", true);
        json.put("sliding_window", 9);
        json.put("layer_types", List.of("full_attention", "sliding_attention", "full_attention"));
        ModelConfig c = read(json);
        assertEquals(1000000.0, ((ModelConfig.Llama) c.extra()).ropeTheta());
        assertEquals(24, c.dHead());
        assertEquals(List.of(0, 9, 0), Arrays.stream(new int[] {0, 1, 2}).map(variant(c)::window).boxed().toList());
        assertEquals(9, c.familySettings().get("sliding_window"));
    }

    @Test
    void unsupportedSettingsAreRefusedByName() {
        Map<String, Object> json = base("mistral", 2);
        json.put("rope_parameters", Map.of("rope_type", "llama3", "rope_theta", 500000.0));
        assertTrue(refused(json).contains("rope_type 'llama3' is not supported"), refused(json));

        json = base("qwen2", 2);
        json.put("rope_scaling", Map.of("type", "yarn", "factor", 4.0));
        assertTrue(refused(json).contains("rope_scaling rope_type 'yarn'"), refused(json));

        json = base("gemma2", 2);
        json.put("partial_rotary_factor", 0.5);
        assertTrue(refused(json).contains("partial_rotary_factor 0.5"), refused(json));

        json = base("gemma2", 2);
        json.put("layer_types", List.of("sliding_attention", "chunked_attention"));
        assertTrue(refused(json).contains("'chunked_attention' is not supported"), refused(json));

        json = base("qwen3", 2);
        json.put("mlp_bias", true);
        assertTrue(refused(json).contains("mlp_bias = true is not supported"), refused(json));

        json = base("mistral", 2);
        json.put("hidden_act", "gelu_10");
        assertTrue(refused(json).contains("gelu_10"), refused(json));

        json = base("phi3", 2);
        String msg = refused(json);
        for (String family : List.of("llama", "qwen2", "qwen3", "mistral", "gemma2")) {
            assertTrue(msg.contains(family + " ("), "the message lists " + family + ": " + msg);
        }
    }
}
