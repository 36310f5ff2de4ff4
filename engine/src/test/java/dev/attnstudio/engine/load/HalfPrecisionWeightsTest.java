package dev.attnstudio.engine.load;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.Gpt2Model;
import dev.attnstudio.engine.model.HalfWeights;
import dev.attnstudio.engine.model.LlamaModel;
import dev.attnstudio.engine.model.NeoXModel;
import dev.attnstudio.engine.model.RandomBert;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.model.RandomNeoX;
import dev.attnstudio.engine.model.RandomT5;
import dev.attnstudio.engine.model.T5Model;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.train.Optimization;
import dev.attnstudio.engine.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bfloat16 and float16 checkpoints whose matrices stay in half precision in native memory, widened per use: written
 * to disk from random models of every family, opened both ways (half-precision matrices, and every tensor widened to
 * float32 at load), and run. Widening is exact and the float32 arithmetic is the same, so every hook of a full
 * capture, and the logits of a cached decode, must be equal bit for bit; a float32 checkpoint is loaded as before.
 */
class HalfPrecisionWeightsTest {

    @TempDir
    Path dir;

    private static final long[] PROMPT = {5, 17, 3, 38, 41, 41, 0, 46, 12, 7};

    /** A family's random tiny model and how its folder's config.json is written. */
    private record Family(String name, ModelConfig config, Map<String, SafeTensors.Tensor> tensors, ConfigWriter writer) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    private interface ConfigWriter {
        void write(Path file, ModelConfig c) throws IOException;
    }

    private static final ModelConfig GPT2 = new ModelConfig(2, 4, 32, 64, 97, 1e-5, ModelConfig.Activation.GELU_NEW);
    private static final ModelConfig LLAMA_UNTIED = new ModelConfig(ModelConfig.Architecture.LLAMA, 2, 4, 32, 48, 64, 97,
            0, 1e-6, ModelConfig.Activation.SILU, new ModelConfig.Llama(2, 10000, false));
    private static final ModelConfig LLAMA_TIED = new ModelConfig(ModelConfig.Architecture.LLAMA, 2, 4, 32, 48, 64, 97,
            0, 1e-5, ModelConfig.Activation.SILU, new ModelConfig.Llama(4, 500000, true));
    private static final ModelConfig NEOX = new ModelConfig(ModelConfig.Architecture.GPT_NEOX, 2, 4, 32, 48, 64, 97, 0,
            1e-5, ModelConfig.Activation.GELU, new NeoX(0.25, 10000, true, true, false));
    private static final ModelConfig T5 = new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 40, 64, 61, 0, 1e-6,
            ModelConfig.Activation.GELU_NEW, new ModelConfig.T5(6, 3, 16, 12, true, false, 0));
    private static final ModelConfig BERT = new ModelConfig(ModelConfig.Architecture.BERT, 2, 4, 32, 64, 40, 50, 2, 1e-12,
            ModelConfig.Activation.GELU);

    static List<Family> families() {
        return List.of(
                new Family("gpt2", GPT2, RandomGpt2.tensors(GPT2, 3, 0.3f), Gpt2Folder::writeConfig),
                new Family("llama-untied-gqa", LLAMA_UNTIED, RandomLlama.tensors(LLAMA_UNTIED, 5, 0.2f),
                        LlamaFolder::writeConfig),
                new Family("llama-tied", LLAMA_TIED, RandomLlama.tensors(LLAMA_TIED, 6, 0.2f), LlamaFolder::writeConfig),
                new Family("neox", NEOX, RandomNeoX.tensors(NEOX, 7, 0.2f), NeoXFolder::writeConfig),
                new Family("t5", T5, RandomT5.tensors(T5, 8, 0.2f), T5Folder::writeConfig),
                new Family("bert", BERT, RandomBert.tensors(BERT, 9, 0.3f), HalfPrecisionWeightsTest::writeBertConfig));
    }

    static Stream<Arguments> familiesAndDtypes() {
        List<Arguments> out = new ArrayList<>();
        for (Family f : families()) {
            for (SafeTensors.DType d : SafeTensors.DType.values()) {
                out.add(Arguments.of(f, d));
            }
        }
        return out.stream();
    }

    private static void writeBertConfig(Path file, ModelConfig c) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "bert");
        json.put("num_hidden_layers", c.nLayer());
        json.put("num_attention_heads", c.nHead());
        json.put("hidden_size", c.dModel());
        json.put("intermediate_size", c.dMlp());
        json.put("max_position_embeddings", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("type_vocab_size", 2);
        json.put("layer_norm_eps", c.layerNormEps());
        json.put("hidden_act", "gelu");
        new ObjectMapper().writeValue(file.toFile(), json);
    }

    /** The family's folder with every tensor stored as {@code dtype} (rounded to nearest even). */
    private Path folder(Family f, SafeTensors.DType dtype) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(f.name() + "-" + dtype));
        f.writer().write(folder.resolve("config.json"), f.config());
        Map<String, SafeTensors.Tensor> stored = new LinkedHashMap<>();
        f.tensors().forEach((name, t) -> stored.put(name, new SafeTensors.Tensor(t.values(), t.shape(), dtype)));
        SafeTensors.write(folder.resolve("model.safetensors"), stored, Map.of("format", "pt"));
        return folder;
    }

    private static LoadedModel open(Path folder, boolean half) {
        return LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU, null, half);
    }

    /** Every hook a full capture keeps, by name. */
    private static Map<String, TensorData> everyHook(TransformerModel model) {
        try (Stepper s = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.FULL).withCache(false))) {
            s.reset(PROMPT);
            s.runToEnd();
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (String name : s.group().trace().keptNames()) {
                out.put(name, s.read(name));
            }
            return out;
        }
    }

    /** The prompt's last logits, then each of three greedy decode passes' over the KV cache. */
    private static List<float[]> cachedDecode(TransformerModel model) {
        try (Stepper s = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.OFF))) {
            s.reset(PROMPT);
            s.runToEnd();
            List<float[]> out = new ArrayList<>();
            out.add(s.lastLogits(s.group()));
            int cached = s.cache().length();
            Sampler greedy = new Sampler(SamplingConfig.GREEDY);
            for (int i = 0; i < 3; i++) {
                s.generate(greedy);
                s.runToEnd();
                out.add(s.lastLogits(s.group()));
            }
            assertEquals(cached + 3, s.cache().length(), "the decode passes ran over the cache");
            return out;
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + "[" + i + "]: " + actual[i] + " with half-precision matrices, " + expected[i]
                        + " widened at load");
            }
        }
    }

    /** The arrays the model holds, by name (BERT, which cannot be trained, hands out none). */
    private static Map<String, NDArray> held(TransformerModel model) {
        try {
            return model.parameters();
        } catch (UnsupportedOperationException e) {
            return Map.of();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("familiesAndDtypes")
    void halfMatricesGiveTheSameNumbersBitForBitAsWideningAtLoad(Family f, SafeTensors.DType dtype) throws IOException {
        Path folder = folder(f, dtype);
        try (LoadedModel half = open(folder, true); LoadedModel wide = open(folder, false)) {
            for (Map.Entry<String, NDArray> e : held(half.model()).entrySet()) {
                boolean matrix = e.getValue().getShape().dimension() == 2;
                assertEquals(matrix ? dtype : SafeTensors.DType.F32, HalfWeights.storedAs(e.getValue()), e.getKey());
                assertEquals(matrix && dtype != SafeTensors.DType.F32 ? DataType.FLOAT16 : DataType.FLOAT32,
                        e.getValue().getDataType(), e.getKey());
            }
            held(wide.model()).forEach((name, a) -> assertEquals(DataType.FLOAT32, a.getDataType(), name));

            Map<String, TensorData> expected = everyHook(wide.model());
            Map<String, TensorData> actual = everyHook(half.model());
            assertEquals(expected.keySet(), actual.keySet());
            assertTrue(expected.size() > 20, "a full capture keeps every step: " + expected.keySet());
            for (String hook : expected.keySet()) {
                assertArrayEquals(expected.get(hook).shape(), actual.get(hook).shape(), hook);
                assertBitsEqual(expected.get(hook).values(), actual.get(hook).values(), hook);
            }
            if (half.model().capabilities().generates()) {
                List<float[]> e = cachedDecode(wide.model());
                List<float[]> a = cachedDecode(half.model());
                for (int i = 0; i < e.size(); i++) {
                    assertBitsEqual(e.get(i), a.get(i), "last logits of pass " + i);
                }
            }
        }
    }

    /**
     * The half path is not the float32 one in disguise: the model's matrices take 2 bytes per value, and its output
     * differs from the float32 checkpoint's (the rounding to bfloat16 is real), while equal to the widened one.
     */
    @Test
    void bf16MatricesTakeHalfTheBytesAndCarryTheRoundedValues() throws IOException {
        Family f = families().get(1);
        long matrixValues = 0;
        long halfBytes = 0;
        try (LoadedModel half = open(folder(f, SafeTensors.DType.BF16), true);
             LoadedModel exact = open(folder(f, SafeTensors.DType.F32), true)) {
            for (NDArray a : half.model().parameters().values()) {
                if (a.getShape().dimension() == 2) {
                    matrixValues += a.size();
                    halfBytes += a.size() * a.getDataType().getNumOfBytes();
                }
            }
            assertEquals(2 * matrixValues, halfBytes);
            String embed = "model.embed_tokens.weight";
            float[] rounded = HalfWeights.floats(half.model().parameters().get(embed));
            float[] original = HalfWeights.floats(exact.model().parameters().get(embed));
            int differ = 0;
            for (int i = 0; i < rounded.length; i++) {
                assertEquals(original[i], rounded[i], Math.abs(original[i]) / 128, "bf16 keeps 8 significant bits");
                differ += rounded[i] != original[i] ? 1 : 0;
            }
            assertTrue(differ > rounded.length / 2, "most values were rounded: " + differ + " of " + rounded.length);
        }
    }

    /** A sharded bf16 checkpoint holds its matrices as bf16 too, with the single file's numbers. */
    @Test
    void shardsKeepHalfPrecisionToo() throws IOException {
        Family f = families().get(1);
        Path single = folder(f, SafeTensors.DType.BF16);
        Path sharded = Files.createDirectories(dir.resolve("sharded"));
        f.writer().write(sharded.resolve("config.json"), f.config());
        List<String> names = new ArrayList<>(f.tensors().keySet());
        Map<String, SafeTensors.Tensor> first = new LinkedHashMap<>();
        Map<String, SafeTensors.Tensor> second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            SafeTensors.Tensor t = f.tensors().get(names.get(i));
            boolean early = i < names.size() / 2;
            (early ? first : second).put(names.get(i), new SafeTensors.Tensor(t.values(), t.shape(), SafeTensors.DType.BF16));
            weightMap.put(names.get(i), early ? "a.safetensors" : "b.safetensors");
        }
        SafeTensors.write(sharded.resolve("a.safetensors"), first, Map.of());
        SafeTensors.write(sharded.resolve("b.safetensors"), second, Map.of());
        new ObjectMapper().writeValue(sharded.resolve("model.safetensors.index.json").toFile(),
                Map.of("weight_map", weightMap));
        try (LoadedModel a = open(single, true); LoadedModel b = open(sharded, true)) {
            b.model().parameters().forEach((name, w) -> assertEquals(w.getShape().dimension() == 2
                    ? SafeTensors.DType.BF16 : SafeTensors.DType.F32, HalfWeights.storedAs(w), name));
            List<float[]> expected = cachedDecode(a.model());
            List<float[]> actual = cachedDecode(b.model());
            for (int i = 0; i < expected.size(); i++) {
                assertBitsEqual(expected.get(i), actual.get(i), "pass " + i);
            }
        }
    }

    /** The folder writers widen what they read: a half model's export holds exactly the checkpoint's values. */
    @Test
    void writersExportHalfWeightsAsTheirFloat32Values() throws IOException {
        for (Family f : families()) {
            if (f.config().architecture() == ModelConfig.Architecture.BERT) {
                continue; // no writer
            }
            Path folder = folder(f, SafeTensors.DType.BF16);
            try (LoadedModel half = open(folder, true);
                 SafeTensors file = SafeTensors.open(folder.resolve("model.safetensors"))) {
                TransformerModel m = half.model();
                Map<String, SafeTensors.Tensor> exported = switch (f.config().architecture()) {
                    case GPT2 -> ((Gpt2Model) m).toHuggingFace();
                    case LLAMA -> LlamaFolder.toHuggingFace((LlamaModel) m);
                    case GPT_NEOX -> NeoXFolder.toHuggingFace((NeoXModel) m);
                    case T5 -> T5Folder.toHuggingFace((T5Model) m);
                    default -> throw new AssertionError(f);
                };
                assertFalse(exported.isEmpty());
                for (Map.Entry<String, SafeTensors.Tensor> e : exported.entrySet()) {
                    String stored = file.contains(e.getKey()) ? e.getKey() : "model." + e.getKey();
                    assertArrayEquals(file.readFloats(stored), e.getValue().values(), 0f, f + " " + e.getKey());
                }
            }
        }
    }

    /** Training updates float32 weights in place: a half model is refused by name, the widened one trains. */
    @Test
    void trainingHalfWeightsIsRefusedWithTheWayOut() throws IOException {
        Path folder = folder(families().get(0), SafeTensors.DType.BF16);
        try (LoadedModel half = open(folder, true)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new Trainer(half.model(), Optimization.adam(1e-2f), Interventions.NONE, 1));
            assertTrue(e.getMessage().contains("BF16") && e.getMessage().contains(HalfWeights.PROPERTY),
                    e.getMessage());
            half.model().parameters().values().forEach(p -> assertFalse(p.hasGradient(), "nothing was marked"));
        }
        try (LoadedModel wide = open(folder, false);
             Trainer t = new Trainer(wide.model(), Optimization.adam(1e-2f), Interventions.NONE, 1)) {
            assertEquals(0, t.steps());
        }
    }

    /** Widened copies are freed at once: after passes and decodes, the model holds just its weights again. */
    @Test
    void widenedCopiesDoNotAccumulate() throws IOException {
        for (Family f : List.of(families().get(1), families().get(4))) {
            try (LoadedModel half = open(folder(f, SafeTensors.DType.F16), true)) {
                int before = half.model().manager().getManagedArrays().size();
                everyHook(half.model());
                cachedDecode(half.model());
                assertEquals(before, half.model().manager().getManagedArrays().size(), f.name());
            }
        }
    }
}
