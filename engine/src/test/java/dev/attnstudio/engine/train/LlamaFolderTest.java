package dev.attnstudio.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LlamaFolder;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.LlamaModel;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** A LLaMA written by {@link LlamaFolder} opens through the user's path ({@code LoadedModel.open}) to the same logits. */
class LlamaFolderTest {

    /** 2 layers, 4 query heads of 8 sharing 2 key/value heads (GQA), d_mlp 40, 256 byte tokens. */
    private static ModelConfig config(boolean tied) {
        return new ModelConfig(ModelConfig.Architecture.LLAMA, 2, 4, 32, 40, 24, 256, 0, 1e-5,
                ModelConfig.Activation.SILU, new ModelConfig.Llama(2, 10000, tied));
    }

    private static final long[] PROMPT = {65, 110, 100, 32, 71, 111, 100, 32, 115, 97, 105, 100};

    @TempDir
    Path dir;

    @Test
    void untiedGroupedQueryModelReopensToIdenticalLogits() throws IOException {
        reopensToIdenticalLogits(config(false), 31);
    }

    @Test
    void tiedModelReopensToIdenticalLogitsWithoutAnLmHead() throws IOException {
        Path folder = reopensToIdenticalLogits(config(true), 32);
        try (SafeTensors weights = SafeTensors.open(folder.resolve("model.safetensors"))) {
            assertFalse(weights.names().contains("lm_head.weight"), "tied: the unembedding is the embedding");
        }
    }

    private Path reopensToIdenticalLogits(ModelConfig c, long seed) throws IOException {
        Map<String, SafeTensors.Tensor> original = RandomLlama.tensors(c, seed, 0.2f);
        Path folder = dir.resolve("tiny-llama-" + seed);
        float[] before;
        try (LoadedModel m = LoadedModel.of("x", c, original, null, DjlRuntime.DeviceChoice.CPU)) {
            before = logits(m, PROMPT);
            LlamaFolder.write(folder, (LlamaModel) m.model(), ByteLevelVocab.tokenizerJson(), Map.of("note", "test"));
        }
        try (LoadedModel reopened = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU);
             SafeTensors weights = SafeTensors.open(folder.resolve("model.safetensors"))) {
            assertEquals(folder.getFileName().toString(), reopened.name());
            assertEquals(c, reopened.config(), "config.json round-trips the geometry, GQA, rope base and tying");
            assertNotNull(reopened.tokenizer(), "tokenizer.json is written alongside");
            assertEquals(List.copyOf(original.keySet()), List.copyOf(weights.names()), "Hugging Face names, same order");
            assertEquals("test", weights.metadata().get("note"));
            assertEquals("pt", weights.metadata().get("format"));
            assertArrayEquals(before, logits(reopened, PROMPT), 0f, "same weights, same computation: identical logits");
        }
        return folder;
    }

    @Test
    void trainedWeightsAreTheOnesWritten() throws IOException {
        ModelConfig c = config(false);
        Path folder = dir.resolve("trained");
        float[] trained;
        float[] untrained;
        try (LoadedModel m = LoadedModel.of("t", c, RandomLlama.tensors(c, 5, 0.05f), null, DjlRuntime.DeviceChoice.CPU)) {
            untrained = logits(m, PROMPT);
            try (Trainer trainer = new Trainer(m.model(), Optimization.adam(1e-2f), Interventions.NONE, 5)) {
                SplittableRandom data = new SplittableRandom(6);
                for (int i = 0; i < 3; i++) {
                    long[][] ids = new long[4][12];
                    for (long[] row : ids) {
                        for (int t = 0; t < row.length; t++) {
                            row[t] = 97 + data.nextInt(8);
                        }
                    }
                    trainer.step(NextTokenBatch.allPositions(ids));
                }
            }
            trained = logits(m, PROMPT);
            LlamaFolder.write(folder, (LlamaModel) m.model(), null, Map.of());
        }
        assertFalse(java.util.Arrays.equals(untrained, trained), "the test needs weights that training changed");
        assertFalse(Files.exists(folder.resolve("tokenizer.json")), "no tokenizer asked for, none written");
        try (LoadedModel reopened = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            assertArrayEquals(trained, logits(reopened, PROMPT), 0f);
        }
    }

    @Test
    void configJsonSaysWhatTransformersNeeds() throws IOException {
        Path file = dir.resolve("config.json");
        LlamaFolder.writeConfig(file, config(false));
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("llama", json.get("model_type").asText());
        assertEquals("LlamaForCausalLM", json.get("architectures").get(0).asText());
        assertEquals(2, json.get("num_key_value_heads").asInt());
        assertEquals(8, json.get("head_dim").asInt());
        assertEquals("silu", json.get("hidden_act").asText());
        assertFalse(json.get("tie_word_embeddings").asBoolean());
        assertTrue(json.get("rope_scaling").isNull());
    }

    @Test
    void refusesAGpt2Config() {
        ModelConfig gpt2 = new ModelConfig(1, 2, 16, 8, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
        assertThrows(IllegalArgumentException.class, () -> LlamaFolder.writeConfig(dir.resolve("c.json"), gpt2));
    }

    private static float[] logits(LoadedModel m, long[] ids) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(false))) {
            s.reset(ids);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }
}
