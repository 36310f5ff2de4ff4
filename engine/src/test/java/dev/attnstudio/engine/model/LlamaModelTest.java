package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.Switches;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.DecodeParity;
import dev.attnstudio.engine.step.Forward;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The LLaMA family: the engine against an independent plain-Java forward pass, grouped-query attention against
 * multi-head attention on repeated weights, cached decoding against recompute, and a Hugging Face folder.
 */
class LlamaModelTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96, 12, 7, 63, 2};

    /** 2 layers, 4 query heads of 8 sharing 2 key/value heads, d_mlp 48, untied lm_head. */
    static final ModelConfig GQA = config(2, 1e-6, 10000, false);

    /** The same geometry with as many key/value heads as query heads, tied embeddings and LLaMA 3's rope base. */
    static final ModelConfig MHA = config(4, 1e-5, 500000, true);

    static ModelConfig config(int kvHeads, double eps, double theta, boolean tied) {
        return new ModelConfig(ModelConfig.Architecture.LLAMA, 2, 4, 32, 48, 64, 97, 0, eps,
                ModelConfig.Activation.SILU, new ModelConfig.Llama(kvHeads, theta, tied));
    }

    static LoadedModel load(ModelConfig c, Map<String, SafeTensors.Tensor> tensors) {
        return LoadedModel.of("tiny-llama", c, tensors, null, DjlRuntime.DeviceChoice.CPU);
    }

    /** One plain pass (no cache: nothing here depends on how the stepper fills one). */
    private static float[] logits(LoadedModel m, long[] ids) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(false))) {
            s.reset(ids);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }

    private static void log(String format, Object... args) {
        System.getLogger(LlamaModelTest.class.getName()).log(System.Logger.Level.INFO, () -> String.format(format, args));
    }

    @Test
    void groupedQueryLogitsAndPatternsMatchAnIndependentReference() {
        matchesReference(GQA, 11);
    }

    @Test
    void multiHeadTiedLogitsAndPatternsMatchAnIndependentReference() {
        matchesReference(MHA, 12);
    }

    private static void matchesReference(ModelConfig c, long seed) {
        Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(c, seed, 0.25f);
        ReferenceLlama.Result ref = new ReferenceLlama(c, w).forward(PROMPT);
        int t = PROMPT.length;
        try (LoadedModel m = load(c, w); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            assertArrayEquals(new long[] {1, t, 4, 8}, s.read(Q.at(0)).shape());
            assertArrayEquals(new long[] {1, t, 4, 8}, s.read(ROT_Q.at(0)).shape());
            for (HookName.Block kv : List.of(K, ROT_K, V)) {
                assertArrayEquals(new long[] {1, t, c.nKvHeads(), 8}, s.read(kv.at(1)).shape(), kv.suffix);
            }
            assertArrayEquals(new long[] {1, t, 4, 8}, s.read(Z.at(1)).shape());
            assertArrayEquals(new long[] {1, t, 48}, s.read(MLP_PRE_LINEAR.at(1)).shape());

            TensorData logits = s.read(HookName.Model.LOGITS.id);
            assertArrayEquals(new long[] {1, t, 97}, logits.shape());
            double maxDiff = 0;
            double spread = 0;
            for (int i = 0; i < t; i++) {
                for (int v = 0; v < 97; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits.get(0, i, v) - ref.logits()[i][v]));
                    spread = Math.max(spread, Math.abs(ref.logits()[i][v]));
                }
            }
            assertTrue(spread > 1, "the reference logits should not be trivially small: " + spread);
            assertTrue(maxDiff <= 1e-4, "max |logit - reference| = " + maxDiff);

            double worstPattern = 0;
            for (int l = 0; l < 2; l++) {
                TensorData p = s.read(PATTERN.at(l));
                for (int h = 0; h < 4; h++) {
                    for (int q = 0; q < t; q++) {
                        for (int k = 0; k < t; k++) {
                            double expected = k <= q ? ref.patterns()[l][h][q][k] : 0;
                            worstPattern = Math.max(worstPattern, Math.abs(expected - p.get(0, h, q, k)));
                            assertEquals(expected, p.get(0, h, q, k), 1e-5, "layer " + l + " head " + h + " q " + q + " k " + k);
                        }
                    }
                }
            }
            log("LLaMA vs reference (%d kv heads): max logit diff %.3g, max pattern diff %.3g",
                    c.nKvHeads(), maxDiff, worstPattern);
        }
    }

    /**
     * A model whose 4 query heads share 2 key/value heads is the model with 4 key/value heads whose head j is a
     * copy of shared head j / 2. Fails if the engine pairs query heads with kv heads any other way (j % 2, ...).
     */
    @Test
    void groupedQueryAttentionEqualsMultiHeadWithRepeatedKvHeads() {
        ModelConfig mha = config(4, GQA.layerNormEps(), 10000, false);
        Map<String, SafeTensors.Tensor> grouped = RandomLlama.tensors(GQA, 21, 0.25f);
        Map<String, SafeTensors.Tensor> repeated = new LinkedHashMap<>(grouped);
        int h = GQA.dHead();
        int d = GQA.dModel();
        int group = GQA.nHead() / GQA.nKvHeads();
        for (int l = 0; l < GQA.nLayer(); l++) {
            for (String proj : List.of("k_proj", "v_proj")) {
                String name = "model.layers." + l + ".self_attn." + proj + ".weight";
                float[] kv = grouped.get(name).values();       // [Hkv h, d]
                float[] full = new float[GQA.nHead() * h * d]; // [H h, d]
                for (int head = 0; head < GQA.nHead(); head++) {
                    System.arraycopy(kv, head / group * h * d, full, head * h * d, h * d);
                }
                repeated.put(name, new SafeTensors.Tensor(full, new long[] {(long) GQA.nHead() * h, d}, SafeTensors.DType.F32));
            }
        }
        try (LoadedModel a = load(GQA, grouped); LoadedModel b = load(mha, repeated)) {
            float[] la = logits(a, PROMPT);
            float[] lb = logits(b, PROMPT);
            double worst = 0;
            for (int i = 0; i < la.length; i++) {
                worst = Math.max(worst, Math.abs(la[i] - lb[i]));
            }
            log("GQA vs MHA with repeated kv heads: max logit diff %.3g", worst);
            assertTrue(worst <= 1e-5, "max |GQA - MHA with repeated kv heads| = " + worst);
        }
    }

    /**
     * Needs the stepper to fill the cache from {@link TransformerModel#cacheKeyHook} (the rotated keys): with
     * un-rotated keys in the cache every decode step's scores would be wrong.
     */
    @Test
    void cachedDecodeEqualsRecomputeOver20Tokens() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 31, 0.25f))) {
            double worst = DecodeParity.maxLogitDiff(m.model(), PROMPT, 20);
            log("LLaMA cached decode vs recompute over 20 tokens: max logit diff %.3g", worst);
            assertTrue(worst <= 1e-4, "max |cached - recomputed logit| = " + worst);
        }
    }

    @Test
    void theCacheHoldsRotatedKeysOfTheKvHeadsOnly() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 32, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            assertEquals(ROT_K.at(1), m.model().cacheKeyHook(1));
            s.reset(PROMPT);
            s.generate(new Sampler(SamplingConfig.GREEDY));
            assertEquals(2L * PROMPT.length * 2 * 8 * 4, s.cache().bytes(0), "keys and values of 2 kv heads, not 4");
            s.runToEnd();
            TensorData pastK = s.read(PAST_K.at(1));
            assertArrayEquals(new long[] {1, PROMPT.length, 2, 8}, pastK.shape());
            assertArrayEquals(new long[] {1, 4, 1, PROMPT.length + 1}, s.read(PATTERN.at(1)).shape());
            Trace prompt = s.groups().get(0).trace();
            assertArrayEquals(prompt.read(ROT_K.at(1)).values(), pastK.values(), 0f, "the prompt's rotated keys");
            assertArrayEquals(prompt.read(V.at(1)).values(), s.read(PAST_V.at(1)).values(), 0f);
            assertTrue(s.group().trace().program().op(s.group().trace().program().indexOf(ROT_K.at(0)))
                    .math().contains("position " + PROMPT.length), "the decode step rotates by its absolute position");
        }
    }

    @Test
    void hookNamesOfOneBlockInOrder() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 1, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            List<String> names = s.group().trace().program().names();
            assertEquals(List.of("hook_embed", "blocks.0.hook_resid_pre", "blocks.0.ln1.hook_normalized",
                    "blocks.0.attn.hook_q", "blocks.0.attn.hook_k", "blocks.0.attn.hook_v",
                    "blocks.0.attn.hook_rot_q", "blocks.0.attn.hook_rot_k", "blocks.0.attn.hook_qk_raw",
                    "blocks.0.attn.hook_attn_scores_unmasked", "blocks.0.attn.hook_mask", "blocks.0.attn.hook_attn_scores",
                    "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z", "blocks.0.hook_attn_out", "blocks.0.hook_resid_mid",
                    "blocks.0.ln2.hook_normalized", "blocks.0.mlp.hook_pre", "blocks.0.mlp.hook_pre_linear",
                    "blocks.0.mlp.hook_post", "blocks.0.hook_mlp_out", "blocks.0.hook_resid_post",
                    "blocks.1.hook_resid_pre"), names.subList(0, 23));
            assertEquals(List.of("ln_final.hook_normalized", "hook_logits"), names.subList(names.size() - 2, names.size()));
            names.forEach(HookName::parse);
            Trace t = s.group().trace();
            assertTrue(t.program().op(t.program().indexOf(QK_RAW.at(0))).math().contains("kv head j / 2"),
                    "the score step states how query heads share kv heads");
            assertTrue(HookName.table().contains("`blocks.{i}.attn.hook_rot_k` | [B, T, Hkv, h]"), HookName.table());
            assertTrue(HookName.table().contains("`blocks.{i}.mlp.hook_pre_linear`"));
        }
    }

    @Test
    void compactTraceDerivesEveryHookExactly() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 41, 0.25f));
             Stepper full = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.FULL));
             Stepper compact = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT))) {
            for (Stepper s : List.of(full, compact)) {
                s.reset(PROMPT);
                s.generate(new Sampler(SamplingConfig.GREEDY));
                s.runToEnd();
            }
            for (int g = 0; g < 2; g++) {
                Trace f = full.groups().get(g).trace();
                Trace c = compact.groups().get(g).trace();
                for (String name : f.program().names()) {
                    assertTrue(c.available(name), name + " should be reachable");
                    assertArrayEquals(f.read(name).values(), c.read(name).values(), 0f, name);
                }
                assertTrue(c.retainedBytes() < f.retainedBytes(), "compact keeps less");
            }
        }
    }

    @Test
    void disablingPositionsLeavesQueriesAndKeysUnrotated() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 51, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withInterventions(
                     Interventions.NONE.with(Switches.NO_POSITIONS)))) {
            s.reset(PROMPT);
            s.runToEnd();
            assertArrayEquals(s.read(Q.at(0)).values(), s.read(ROT_Q.at(0)).values(), 0f);
            assertArrayEquals(s.read(K.at(1)).values(), s.read(ROT_K.at(1)).values(), 0f);
            // without positions, the two 41s at positions 4 and 5 are the same token to every later query
            TensorData p = s.read(PATTERN.at(0));
            assertEquals(p.get(0, 0, 11, 4), p.get(0, 0, 11, 5), 1e-6);
        }
    }

    @Test
    void parametersAreTheArraysTheForwardUses() {
        Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(GQA, 61, 0.25f);
        try (LoadedModel m = load(GQA, w)) {
            Map<String, NDArray> params = m.model().parameters();
            assertEquals(List.copyOf(w.keySet()), List.copyOf(params.keySet()), "checkpoint names in checkpoint order");
            for (var e : w.entrySet()) {
                assertArrayEquals(e.getValue().shape(), params.get(e.getKey()).getShape().getShape(), e.getKey());
                assertArrayEquals(e.getValue().values(), params.get(e.getKey()).toFloatArray(), 0f, e.getKey());
            }
            assertEquals(params.size(), m.model().manager().getManagedArrays().size(),
                    "every weight is held once, with no copies or views left behind");
            float[] before = logits(m, PROMPT);
            params.get("model.norm.weight").muli(0);
            float[] after = logits(m, PROMPT);
            assertNotEquals(0f, before[0]);
            for (float v : after) {
                assertEquals(0f, v, 0f, "a zeroed final norm gain must zero every logit");
            }
        }
        Map<String, SafeTensors.Tensor> tied = RandomLlama.tensors(MHA, 62, 0.25f);
        try (LoadedModel m = load(MHA, tied)) {
            assertFalse(m.model().parameters().containsKey("lm_head.weight"));
            assertEquals(2 + 9 * MHA.nLayer(), m.model().parameters().size());
        }
    }

    @Test
    void everyParameterGetsAGradientThroughTheEnginesForward() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 65, 0.25f));
             NDManager scope = m.model().manager().newSubManager()) {
            Map<String, NDArray> params = m.model().parameters();
            params.values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                NDArray logits = Forward.run(m.model(), Batch.of(PROMPT), Interventions.NONE, scope);
                collector.backward(logits.logSoftmax(-1).get(new NDIndex("0, :, 3")).mean().neg());
            }
            List<String> without = params.entrySet().stream()
                    .filter(e -> !(e.getValue().getGradient().square().sum().getFloat() > 0)).map(Map.Entry::getKey).toList();
            assertEquals(List.of(), without, "parameters without a gradient");
        }
    }

    @Test
    void nativeMemoryIsReturnedWhenTracesClose() {
        try (LoadedModel m = load(GQA, RandomLlama.tensors(GQA, 71, 0.25f))) {
            int baseline = m.model().manager().getManagedArrays().size();
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                for (int round = 0; round < 2; round++) {
                    s.reset(PROMPT);
                    s.runToEnd();
                    for (String name : s.group().trace().program().names()) {
                        s.read(name);
                    }
                    s.generate(new Sampler(SamplingConfig.GREEDY));
                    s.runToEnd();
                    for (String name : s.group().trace().program().names()) {
                        s.read(name);
                    }
                }
            }
            assertEquals(baseline, m.model().manager().getManagedArrays().size(), "arrays left behind after close");
        }
    }

    // ---- a Hugging Face folder ----

    @TempDir
    Path dir;

    private Path folder(String name, ModelConfig c, Map<String, SafeTensors.Tensor> tensors, Map<String, Object> overrides)
            throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        ModelConfig.Llama llama = (ModelConfig.Llama) c.extra();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("LlamaForCausalLM"));
        json.put("model_type", "llama");
        json.put("hidden_size", c.dModel());
        json.put("intermediate_size", c.dMlp());
        json.put("num_hidden_layers", c.nLayer());
        json.put("num_attention_heads", c.nHead());
        json.put("num_key_value_heads", llama.nKvHeads());
        json.put("max_position_embeddings", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("rms_norm_eps", c.layerNormEps());
        json.put("rope_theta", llama.ropeTheta());
        json.put("hidden_act", "silu");
        json.put("tie_word_embeddings", llama.tiedEmbeddings());
        json.put("attention_bias", false);
        json.put("rope_scaling", null);
        json.putAll(overrides);
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), json);
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return folder;
    }

    @Test
    void aHuggingFaceFolderOpensAndMatchesTheModelInMemory() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(GQA, 81, 0.25f);
        float[] inMemory;
        try (LoadedModel m = load(GQA, w)) {
            inMemory = logits(m, PROMPT);
        }
        try (LoadedModel m = LoadedModel.open(folder("llama", GQA, w, Map.of()), DjlRuntime.DeviceChoice.CPU)) {
            assertEquals(GQA, m.config());
            assertNull(m.tokenizer());
            assertInstanceOf(LlamaModel.class, m.model());
            assertArrayEquals(inMemory, logits(m, PROMPT), 0f);
        }
    }

    @Test
    void sizesThatDisagreeWithTheWeightsAreNamed() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(GQA, 91, 0.25f);
        String msg = failure(folder("kv", GQA, w, Map.of("num_key_value_heads", 1)));
        assertTrue(msg.contains("model.safetensors") && msg.contains("model.layers.0.self_attn.k_proj.weight")
                && msg.contains("dimension 0 is 16, the config implies 8"), msg);
        msg = failure(folder("mlp", GQA, w, Map.of("intermediate_size", 64)));
        assertTrue(msg.contains("model.layers.0.mlp.gate_proj.weight") && msg.contains("dimension 0 is 48"), msg);
        Map<String, SafeTensors.Tensor> noHead = new LinkedHashMap<>(w);
        noHead.remove("lm_head.weight");
        msg = failure(folder("head", GQA, noHead, Map.of()));
        assertTrue(msg.contains("lm_head.weight") && msg.contains("missing"), msg);
        try (LoadedModel m = LoadedModel.open(folder("tied", GQA, noHead, Map.of("tie_word_embeddings", true)),
                DjlRuntime.DeviceChoice.CPU)) {
            assertFalse(m.model().parameters().containsKey("lm_head.weight"), "tied: the embedding unembeds");
        }
    }

    private static String failure(Path folder) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU).close());
        return e.getMessage();
    }
}
