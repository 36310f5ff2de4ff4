package dev.attnstudio.engine.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A user's Hugging Face folder: written from Java, opened through the same path a user's folder takes. */
class ModelFolderTest {

    @TempDir
    Path dir;

    static void writeConfig(Path folder, ModelConfig c, Map<String, Object> overrides) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "gpt2");
        json.put("n_layer", c.nLayer());
        json.put("n_head", c.nHead());
        json.put("n_embd", c.dModel());
        json.put("n_positions", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("layer_norm_epsilon", c.layerNormEps());
        json.put("activation_function", "gelu_new");
        json.putAll(overrides);
        json.values().removeIf(v -> v == null);
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), json);
    }

    private Path folder(Map<String, SafeTensors.Tensor> tensors, Map<String, Object> configOverrides) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model"));
        writeConfig(folder, TinyModels.CONFIG, configOverrides);
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return folder;
    }

    /** The tiny test geometry with a 256-token vocabulary, so the byte-level tokenizer fits it. */
    private static final ModelConfig BYTES = new ModelConfig(2, 4, 32, 64, 256, 1e-5, ModelConfig.Activation.GELU_NEW);

    @Test
    void roundTripEveryTensorAndTheSameLogits() throws IOException {
        Map<String, SafeTensors.Tensor> tensors = dev.attnstudio.engine.model.RandomGpt2.tensors(BYTES, 3, 0.3f);
        Path folder = Files.createDirectories(dir.resolve("model"));
        writeConfig(folder, BYTES, Map.of());
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Files.writeString(folder.resolve("tokenizer.json"), ByteLevelVocab.tokenizerJson());

        try (SafeTensors file = SafeTensors.open(folder.resolve("model.safetensors"))) {
            assertEquals(tensors.keySet().stream().toList(), file.names());
            for (var e : tensors.entrySet()) {
                assertArrayEquals(e.getValue().shape(), file.info(e.getKey()).shape(), e.getKey());
                assertArrayEquals(e.getValue().values(), file.readFloats(e.getKey()), 0f, e.getKey());
            }
        }
        long[] ids = {10, 20, 30, 40, 50};
        float[] fromMemory;
        try (LoadedModel m = LoadedModel.of("in-memory", BYTES, tensors, null, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(ids);
            s.runToEnd();
            fromMemory = s.read(HookName.Model.LOGITS.id).values();
        }
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            assertEquals(BYTES, m.config());
            assertNotNull(m.tokenizer());
            assertArrayEquals(new long[] {72, 105}, m.tokenizer().encode("Hi").ids());
            s.reset(ids);
            s.runToEnd();
            assertArrayEquals(fromMemory, s.read(HookName.Model.LOGITS.id).values(), 0f);
        }
    }

    @Test
    void halfPrecisionCheckpointsLoad() throws IOException {
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        TinyModels.tensors(4).forEach((k, v) -> tensors.put(k,
                new SafeTensors.Tensor(v.values(), v.shape(), k.contains("mlp") ? SafeTensors.DType.BF16 : SafeTensors.DType.F16)));
        Path folder = folder(tensors, Map.of());
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(new long[] {1, 2, 3});
            s.runToEnd();
            for (float v : s.read(HookName.Model.LOGITS.id).values()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    private static String failure(Path folder) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU).close());
        return e.getMessage();
    }

    @Test
    void aTokenizerBeyondTheVocabularyIsRefused() throws IOException {
        Path folder = folder(TinyModels.tensors(3), Map.of());
        Files.writeString(folder.resolve("tokenizer.json"), ByteLevelVocab.tokenizerJson());
        String msg = failure(folder);
        assertTrue(msg.contains("tokenizer.json") && msg.contains("255") && msg.contains("97"), msg);
    }

    @Test
    void configFlagsWithUnimplementedMathAreRefused() throws IOException {
        String msg = failure(folder(TinyModels.tensors(5), Map.of("scale_attn_by_inverse_layer_idx", true)));
        assertTrue(msg.contains("scale_attn_by_inverse_layer_idx"), msg);
    }

    @Test
    void missingConfigKeysAreNamed() throws IOException {
        Map<String, Object> broken = new LinkedHashMap<>();
        broken.put("n_head", null);
        broken.put("n_embd", "wide");
        String msg = failure(folder(TinyModels.tensors(5), broken));
        assertTrue(msg.contains("config.json") && msg.contains("'n_head'") && msg.contains("'n_embd'"), msg);
    }

    @Test
    void missingAndMisShapedTensorsAreNamed() throws IOException {
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>(TinyModels.tensors(6));
        tensors.remove("h.1.mlp.c_fc.bias");
        String msg = failure(folder(tensors, Map.of()));
        assertTrue(msg.contains("model.safetensors") && msg.contains("h.1.mlp.c_fc.bias") && msg.contains("missing"), msg);

        Files.delete(dir.resolve("model/model.safetensors"));
        Files.delete(dir.resolve("model/config.json"));
        msg = failure(folder(TinyModels.tensors(6), Map.of("n_positions", 128)));
        assertTrue(msg.contains("wpe.weight") && msg.contains("dimension 0 is 64") && msg.contains("128"), msg);
    }

    @Test
    void truncatedHeaderAndUnsupportedDtypeAreExplained() throws IOException {
        Path folder = folder(TinyModels.tensors(8), Map.of());
        Path weights = folder.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length * 10L);
        Files.write(weights, bytes);
        String msg = failure(folder);
        assertTrue(msg.contains("model.safetensors") && msg.contains(String.valueOf(bytes.length * 10L)), msg);

        String header = "{\"wte.weight\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes()).put(new byte[2]);
        Files.write(weights, b.array());
        msg = failure(folder);
        assertTrue(msg.contains("I8") && msg.contains("F32"), msg);
    }

    @Test
    void notAFolderOrMissingFiles() throws IOException {
        assertTrue(failure(dir.resolve("nothing-here")).contains("not a folder"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(failure(empty).contains("config.json"));
        writeConfig(empty, TinyModels.CONFIG, Map.of("model_type", "mamba"));
        Files.write(empty.resolve("model.safetensors"), new byte[8]);
        String msg = failure(empty);
        assertTrue(msg.contains("mamba") && msg.contains("gpt2") && msg.contains("llama") && msg.contains("t5"), msg);
    }
}
