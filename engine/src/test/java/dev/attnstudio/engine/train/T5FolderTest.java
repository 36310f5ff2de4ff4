package dev.attnstudio.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.T5Folder;
import dev.attnstudio.engine.model.RandomT5;
import dev.attnstudio.engine.model.T5Model;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A T5 written by {@link T5Folder} opens through the user's path ({@code LoadedModel.open}) to the same logits; a
 * config that disagrees with the weights is named; a few training steps on a copy task lower the loss.
 */
class T5FolderTest {

    /** 2 encoder and 2 decoder layers, 4 heads of d_kv 8, d_ff 48, 256 byte tokens, 8 buckets up to distance 16. */
    private static ModelConfig config(boolean gated, boolean tied) {
        return new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 48, 64, 256, 0, 1e-6,
                gated ? ModelConfig.Activation.GELU_NEW : ModelConfig.Activation.RELU,
                new ModelConfig.T5(8, 2, 8, 16, gated, tied, 0));
    }

    private static final Batch PROMPT = Batch.encoderDecoder(new long[] {72, 101, 108, 108, 111, 33},
            new long[] {0, 33, 111, 108});

    @TempDir
    Path dir;

    @Test
    void untiedReluModelReopensToIdenticalLogits() throws IOException {
        reopensToIdenticalLogits(config(false, false), 31);
    }

    @Test
    void tiedGatedModelReopensToIdenticalLogitsWithoutAnLmHead() throws IOException {
        Path folder = reopensToIdenticalLogits(config(true, true), 32);
        try (SafeTensors weights = SafeTensors.open(folder.resolve("model.safetensors"))) {
            assertFalse(weights.names().contains("lm_head.weight"), "tied: the unembedding is the shared embedding");
        }
    }

    private Path reopensToIdenticalLogits(ModelConfig c, long seed) throws IOException {
        Map<String, SafeTensors.Tensor> original = RandomT5.tensors(c, seed, 0.2f);
        Path folder = dir.resolve("tiny-t5-" + seed);
        float[] before;
        try (LoadedModel m = LoadedModel.of("x", c, original, null, DjlRuntime.DeviceChoice.CPU)) {
            before = logits(m, PROMPT);
            T5Folder.write(folder, (T5Model) m.model(), ByteLevelVocab.tokenizerJson(), Map.of("note", "test"));
        }
        try (LoadedModel reopened = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU);
             SafeTensors weights = SafeTensors.open(folder.resolve("model.safetensors"))) {
            assertInstanceOf(T5Model.class, reopened.model());
            assertEquals(c, reopened.config(), "config.json round-trips both stacks, buckets, feed-forward and tying");
            assertNotNull(reopened.tokenizer(), "tokenizer.json is written alongside");
            assertEquals(List.copyOf(original.keySet()), List.copyOf(weights.names()), "Hugging Face names, same order");
            assertEquals("test", weights.metadata().get("note"));
            assertArrayEquals(before, logits(reopened, PROMPT), 0f, "same weights, same computation: identical logits");
        }
        return folder;
    }

    @Test
    void configJsonSaysWhatTransformersNeeds() throws IOException {
        Path file = dir.resolve("config.json");
        T5Folder.writeConfig(file, config(true, false));
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("t5", json.get("model_type").asText());
        assertEquals("T5ForConditionalGeneration", json.get("architectures").get(0).asText());
        assertEquals("gated-gelu", json.get("feed_forward_proj").asText());
        assertEquals(8, json.get("d_kv").asInt());
        assertEquals(2, json.get("num_decoder_layers").asInt());
        assertEquals(8, json.get("relative_attention_num_buckets").asInt());
        assertEquals(16, json.get("relative_attention_max_distance").asInt());
        assertFalse(json.get("tie_word_embeddings").asBoolean());
        assertEquals(0, json.get("decoder_start_token_id").asInt());
        assertThrows(IllegalArgumentException.class, () -> T5Folder.writeConfig(dir.resolve("c.json"),
                new ModelConfig(1, 2, 16, 8, 256, 1e-5, ModelConfig.Activation.GELU_NEW)));
    }

    /** A hand-written config.json (as transformers writes one) with a few keys changed. */
    private Path folder(String name, Map<String, SafeTensors.Tensor> tensors, Map<String, Object> overrides)
            throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "t5");
        json.put("d_model", 32);
        json.put("d_kv", 8);
        json.put("d_ff", 48);
        json.put("num_layers", 2);
        json.put("num_decoder_layers", 2);
        json.put("num_heads", 4);
        json.put("relative_attention_num_buckets", 8);
        json.put("relative_attention_max_distance", 16);
        json.put("layer_norm_epsilon", 1e-6);
        json.put("feed_forward_proj", "relu");
        json.put("vocab_size", 256);
        json.put("n_positions", 64);
        json.putAll(overrides);
        json.values().removeIf(v -> v == null); // a null override leaves the key out
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), json);
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return folder;
    }

    @Test
    void defaultsAreTheOnesOfTransformers() throws IOException {
        Map<String, Object> absent = new LinkedHashMap<>();
        for (String key : List.of("relative_attention_max_distance", "n_positions", "num_decoder_layers")) {
            absent.put(key, null);
        }
        ModelConfig c = new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 48, 64, 256, 0, 1e-6,
                ModelConfig.Activation.RELU, new ModelConfig.T5(8, 2, 8, 128, false, true, 0));
        Path folder = folder("defaults", RandomT5.tensors(c, 3, 0.2f), absent);
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            ModelConfig.T5 t5 = (ModelConfig.T5) m.config().extra();
            assertEquals(128, t5.maxDistance(), "relative_attention_max_distance defaults to 128");
            assertEquals(2, t5.nDecoderLayers(), "num_decoder_layers defaults to num_layers");
            assertTrue(t5.tiedEmbeddings(), "tie_word_embeddings defaults to true");
            assertEquals(0, t5.decoderStartTokenId(), "the decoder starts from the pad token 0");
            assertEquals(ModelConfig.T5_DEFAULT_POSITIONS, m.config().nPositions(), "T5 has no limit; the engine's is 512");
        }
    }

    @Test
    void sizesThatDisagreeWithTheWeightsAreNamed() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomT5.tensors(config(false, true), 41, 0.2f);
        String msg = failure(folder("dkv", w, Map.of("d_kv", 4)));
        assertTrue(msg.contains("model.safetensors") && msg.contains("encoder.block.0.layer.0.SelfAttention.q.weight")
                && msg.contains("dimension 0 is 32, the config implies 16"), msg);
        msg = failure(folder("ff", w, Map.of("d_ff", 64)));
        assertTrue(msg.contains("encoder.block.0.layer.1.DenseReluDense.wi.weight") && msg.contains("dimension 0 is 48"), msg);
        msg = failure(folder("buckets", w, Map.of("relative_attention_num_buckets", 32)));
        assertTrue(msg.contains("relative_attention_bias.weight") && msg.contains("dimension 0 is 8, the config implies 32"), msg);
        msg = failure(folder("gated", w, Map.of("feed_forward_proj", "gated-gelu")));
        assertTrue(msg.contains("DenseReluDense.wi_0.weight") && msg.contains("missing"), msg);
        msg = failure(folder("untied", w, Map.of("tie_word_embeddings", false)));
        assertTrue(msg.contains("lm_head.weight") && msg.contains("missing"), msg);
        msg = failure(folder("decoder", w, Map.of("num_decoder_layers", 3)));
        assertTrue(msg.contains("decoder.block.2.") && msg.contains("missing"), msg);
        msg = failure(folder("proj", w, Map.of("feed_forward_proj", "gated-silu")));
        assertTrue(msg.contains("gated-silu") && msg.contains("relu, gated-gelu"), msg);
    }

    private static String failure(Path folder) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU).close());
        return e.getMessage();
    }

    // ---- training ----

    /** Copy task: sources of 3-6 random letters; the target is the source itself. */
    private static NextTokenBatch copies(SplittableRandom random, int rows) {
        List<long[]> sources = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            long[] s = new long[3 + random.nextInt(4)];
            for (int t = 0; t < s.length; t++) {
                s[t] = 97 + random.nextInt(8);
            }
            sources.add(s);
        }
        return NextTokenBatch.seq2seq(sources, sources, 0, 0);
    }

    @Test
    void seq2seqBatchesShiftTheTargetBehindTheStartToken() {
        NextTokenBatch b = NextTokenBatch.seq2seq(List.of(new long[] {5, 6, 7}, new long[] {8}),
                List.of(new long[] {9, 10}, new long[] {11, 12, 13}), 1, 0);
        assertArrayEquals(new long[][] {{1, 9, 10, 0}, {1, 11, 12, 13}}, b.ids());
        assertArrayEquals(new long[][] {{9, 10, 0, 0}, {11, 12, 13, 0}}, b.targets());
        assertArrayEquals(new float[] {1, 1, 0, 0}, b.weights()[0]);
        assertArrayEquals(new float[] {1, 1, 1, 0}, b.weights()[1]);
        assertArrayEquals(new long[][] {{5, 6, 7}, {8, 0, 0}}, b.inputs().ids());
        assertArrayEquals(new long[][] {{1, 1, 1}, {1, 0, 0}}, b.inputs().attentionMask());
        assertArrayEquals(b.ids(), b.inputs().decoderIds());
    }

    @Test
    void trainingOnACopyTaskLowersTheLossAndEveryWeightLearns() throws IOException {
        ModelConfig c = config(true, true);
        Path folder = dir.resolve("trained");
        float[] trained;
        try (LoadedModel m = LoadedModel.of("t", c, RandomT5.tensors(c, 5, 0.05f), null, DjlRuntime.DeviceChoice.CPU);
             Trainer trainer = new Trainer(m.model(), Optimization.adam(3e-3f), Interventions.NONE, 5)) {
            NextTokenBatch fixed = copies(new SplittableRandom(99), 32);
            double before = trainer.evaluate(fixed).loss();
            SplittableRandom data = new SplittableRandom(6);
            Trainer.StepResult first = null;
            Trainer.StepResult last = null;
            for (int i = 0; i < 40; i++) {
                last = trainer.step(copies(data, 16));
                first = first == null ? last : first;
            }
            double after = trainer.evaluate(fixed).loss();
            System.getLogger(T5FolderTest.class.getName()).log(System.Logger.Level.INFO,
                    () -> String.format("T5 copy task: fixed-batch loss %.3f -> %.3f", before, after));
            assertTrue(after < before - 0.3, "loss on a fixed batch: " + before + " -> " + after);
            assertEquals(m.model().parameters().keySet(), first.gradientNorms().keySet());
            first.gradientNorms().forEach((name, norm) -> assertTrue(norm > 0, name + " got no gradient"));
            trained = logits(m, PROMPT);
            T5Folder.write(folder, (T5Model) m.model(), null, Map.of());
        }
        try (LoadedModel reopened = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            assertArrayEquals(trained, logits(reopened, PROMPT), 0f, "the trained weights are the ones written");
        }
    }

    private static float[] logits(LoadedModel m, Batch batch) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(false))) {
            s.reset(batch);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }
}
