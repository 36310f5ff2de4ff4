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
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
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
 * Qwen2, Qwen3, Mistral and Gemma 2, each opened from a Hugging Face folder on disk (config.json written as
 * transformers writes it, random weights in model.safetensors) and checked against an independent plain-Java forward
 * pass ({@link ReferenceLlamaVariants}): logits and every attention pattern, cached decoding past the sliding window,
 * the window in {@code hook_mask}, soft-capping in its hooks.
 */
class LlamaVariantsTest {

    /** 12 tokens: longer than the sliding windows below (5 and 4), so the band cuts into the prompt. */
    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96, 12, 7, 63, 2};

    private static ModelConfig config(ModelConfig.Architecture a, boolean tied, ModelConfig.Activation act,
                                      ModelConfig.Variant v) {
        return new ModelConfig(a, 2, 4, 32, 48, 64, 97, 0, 1e-6, act, new ModelConfig.Llama(2, 10000, tied, v));
    }

    /** q, k, v biases; tied embeddings (as the small Qwen2 checkpoints). */
    static final ModelConfig QWEN2 = config(ModelConfig.Architecture.QWEN2, true, ModelConfig.Activation.SILU,
            new ModelConfig.Variant(0, true, false, false, 0, List.of(), 0, 0, 0));

    /** Heads of 12 (4 x 12 = 48 != d_model 32), q/k norms, attention_bias (o_proj too). */
    static final ModelConfig QWEN3 = config(ModelConfig.Architecture.QWEN3, false, ModelConfig.Activation.SILU,
            new ModelConfig.Variant(12, true, true, true, 0, List.of(), 0, 0, 0));

    /** A sliding window of 5 in every layer. */
    static final ModelConfig MISTRAL = config(ModelConfig.Architecture.MISTRAL, false, ModelConfig.Activation.SILU,
            new ModelConfig.Variant(0, false, false, false, 5, List.of(true, true), 0, 0, 0));

    /**
     * Heads of 16 (4 x 16 = 64 != 32), query_pre_attn_scalar 24, a window of 4 on layer 0 only, caps small enough to
     * bind (scores 2, logits 5), GeGLU, tied.
     */
    static final ModelConfig GEMMA2 = config(ModelConfig.Architecture.GEMMA2, true, ModelConfig.Activation.GELU_NEW,
            new ModelConfig.Variant(16, false, false, false, 4, List.of(true, false), 24, 2, 5));

    private static void log(String format, Object... args) {
        System.getLogger(LlamaVariantsTest.class.getName()).log(System.Logger.Level.INFO, () -> String.format(format, args));
    }

    @TempDir
    Path dir;

    /** config.json as transformers writes it for each family (recent style: rope_parameters, layer_types). */
    private static Map<String, Object> hfConfig(ModelConfig c) {
        ModelConfig.Llama l = (ModelConfig.Llama) c.extra();
        ModelConfig.Variant v = l.variant();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", c.architecture().modelType);
        json.put("hidden_size", c.dModel());
        json.put("intermediate_size", c.dMlp());
        json.put("num_hidden_layers", c.nLayer());
        json.put("num_attention_heads", c.nHead());
        json.put("num_key_value_heads", l.nKvHeads());
        json.put("max_position_embeddings", c.nPositions());
        json.put("vocab_size", c.vocabSize());
        json.put("rms_norm_eps", c.layerNormEps());
        json.put("rope_parameters", Map.of("rope_type", "default", "rope_theta", l.ropeTheta()));
        json.put("tie_word_embeddings", l.tiedEmbeddings());
        List<String> types = v.slidingLayers().stream().map(s -> s ? "sliding_attention" : "full_attention").toList();
        switch (c.architecture()) {
            case QWEN2 -> {
                json.put("hidden_act", "silu");
                json.put("use_sliding_window", false);
                json.put("sliding_window", 32768); // ignored without use_sliding_window, as in Qwen2 checkpoints
                json.put("max_window_layers", 1);
            }
            case QWEN3 -> {
                json.put("hidden_act", "silu");
                json.put("head_dim", v.headDim());
                json.put("attention_bias", v.outBias());
                json.put("use_sliding_window", false);
                json.put("sliding_window", null);
            }
            case MISTRAL -> {
                json.put("hidden_act", "silu");
                json.put("head_dim", null);
                json.put("sliding_window", v.slidingWindow());
            }
            case GEMMA2 -> {
                json.put("hidden_activation", "gelu_pytorch_tanh");
                json.put("hidden_act", "gelu_pytorch_tanh");
                json.put("head_dim", v.headDim());
                json.put("query_pre_attn_scalar", v.queryPreAttnScalar());
                json.put("attn_logit_softcapping", v.attnSoftcap());
                json.put("final_logit_softcapping", v.finalSoftcap());
                json.put("sliding_window", v.slidingWindow());
                json.put("layer_types", types);
            }
            default -> throw new IllegalArgumentException(c.architecture().toString());
        }
        return json;
    }

    private Path folder(String name, Map<String, Object> config, Map<String, SafeTensors.Tensor> tensors) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), config);
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return folder;
    }

    private LoadedModel open(ModelConfig c, Map<String, SafeTensors.Tensor> w) throws IOException {
        LoadedModel m = ModelFolder.open(folder(c.architecture().modelType, hfConfig(c), w), DjlRuntime.DeviceChoice.CPU);
        assertEquals(c, m.config(), "config.json read back");
        return m;
    }

    // ---- the forward pass against the reference ----

    @Test
    void qwen2MatchesTheReference() throws IOException {
        matchesReference(QWEN2, 11);
    }

    @Test
    void qwen3MatchesTheReference() throws IOException {
        matchesReference(QWEN3, 12);
    }

    @Test
    void mistralMatchesTheReference() throws IOException {
        matchesReference(MISTRAL, 13);
    }

    @Test
    void gemma2MatchesTheReference() throws IOException {
        matchesReference(GEMMA2, 14);
    }

    private void matchesReference(ModelConfig c, long seed) throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(c, seed, 0.25f);
        ReferenceLlamaVariants.Result ref = new ReferenceLlamaVariants(c, w).forward(PROMPT);
        int t = PROMPT.length;
        try (LoadedModel m = open(c, w); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            assertEquals(c.architecture().modelType, m.model().capabilities().family());
            assertEquals(c.dHead(), m.model().capabilities().dHead());
            s.reset(PROMPT);
            s.runToEnd();
            assertArrayEquals(new long[] {1, t, 4, c.dHead()}, s.read(Z.at(1)).shape());
            TensorData logits = s.read(HookName.Model.LOGITS.id);
            double maxDiff = 0;
            double spread = 0;
            for (int i = 0; i < t; i++) {
                for (int v = 0; v < c.vocabSize(); v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits.get(0, i, v) - ref.logits()[i][v]));
                    spread = Math.max(spread, Math.abs(ref.logits()[i][v]));
                }
            }
            assertTrue(spread > 1, "the reference logits should not be trivially small: " + spread);
            assertTrue(maxDiff <= 1e-4, "max |logit - reference| = " + maxDiff);
            double worstPattern = 0;
            for (int l = 0; l < c.nLayer(); l++) {
                TensorData p = s.read(PATTERN.at(l));
                for (int h = 0; h < c.nHead(); h++) {
                    for (int q = 0; q < t; q++) {
                        for (int k = 0; k < t; k++) {
                            worstPattern = Math.max(worstPattern, Math.abs(ref.patterns()[l][h][q][k] - p.get(0, h, q, k)));
                        }
                    }
                }
            }
            assertTrue(worstPattern <= 1e-4, "max |pattern - reference| = " + worstPattern);
            log("%s vs reference: max logit diff %.3g, max pattern diff %.3g", c.architecture().modelType, maxDiff,
                    worstPattern);
        }
    }

    // ---- cached decoding, past the window ----

    @Test
    void cachedDecodeEqualsRecomputeInEveryFamily() throws IOException {
        for (ModelConfig c : List.of(QWEN2, QWEN3, MISTRAL, GEMMA2)) {
            try (LoadedModel m = open(c, RandomLlama.tensors(c, 31, 0.25f))) {
                // 12 + 20 positions: far past the windows of 5 (Mistral) and 4 (Gemma 2)
                double worst = DecodeParity.maxLogitDiff(m.model(), PROMPT, 20);
                log("%s cached decode vs recompute over 20 tokens: max logit diff %.3g", c.architecture().modelType, worst);
                assertTrue(worst <= 1e-4, c.architecture().modelType + ": max |cached - recomputed logit| = " + worst);
            }
        }
    }

    // ---- the sliding window is the mask ----

    @Test
    void theSlidingWindowIsABandInTheMaskAndThePattern() throws IOException {
        try (LoadedModel m = open(MISTRAL, RandomLlama.tensors(MISTRAL, 41, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            for (int l = 0; l < 2; l++) {
                assertBand(s.read(MASK.at(l)), s.read(PATTERN.at(l)), 5, 0, "mistral layer " + l);
            }
            Trace prefill = s.group().trace();
            assertTrue(prefill.program().op(prefill.program().indexOf(MASK.at(0))).math().contains("query - 5 < key <= query"),
                    "the mask step states the window");
            // a decode step: the new query at position 12 sees keys 8..12 only, though the cache holds 0..11
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
            assertBand(s.read(MASK.at(1)), s.read(PATTERN.at(1)), 5, PROMPT.length, "mistral decode");
            assertArrayEquals(new long[] {1, PROMPT.length, 2, 8}, s.read(PAST_K.at(1)).shape(), "the cache keeps every position");
            assertEquals(5, m.model().capabilities().window(1));
            Trace decode = s.group().trace();
            assertTrue(decode.program().op(decode.program().indexOf(PAST_K.at(0))).math().contains("sliding window of 5"),
                    decode.program().op(decode.program().indexOf(PAST_K.at(0))).math());
        }
        try (LoadedModel m = open(GEMMA2, RandomLlama.tensors(GEMMA2, 42, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            assertBand(s.read(MASK.at(0)), s.read(PATTERN.at(0)), 4, 0, "gemma2 layer 0 (sliding)");
            assertBand(s.read(MASK.at(1)), s.read(PATTERN.at(1)), Integer.MAX_VALUE, 0, "gemma2 layer 1 (full)");
            assertEquals(List.of(4, 0), m.model().capabilities().windows(), "Capabilities name each layer's window");
            assertEquals(0, m.model().capabilities().window(1));
        }
    }

    /** Mask [1, 1, T, K]: 0 iff query - window < key <= query (absolute positions), else -inf; the pattern 0 outside. */
    private static void assertBand(TensorData mask, TensorData pattern, int window, int past, String what) {
        int t = (int) mask.shape()[2];
        int keys = (int) mask.shape()[3];
        for (int q = 0; q < t; q++) {
            int query = past + q;
            for (int k = 0; k < keys; k++) {
                boolean allowed = k <= query && (long) query - k < window;
                float cell = mask.get(0, 0, q, k);
                assertEquals(allowed ? 0f : Float.NEGATIVE_INFINITY, cell, what + " query " + query + " key " + k);
                if (!allowed) {
                    assertEquals(0f, pattern.get(0, 0, q, k), 0f, what + " pattern outside the window");
                }
            }
        }
    }

    // ---- soft-capping in its hooks ----

    @Test
    void softCappingIsVisibleBeforeAndAfter() throws IOException {
        float cap = (float) ((ModelConfig.Llama) GEMMA2.extra()).variant().attnSoftcap();
        try (LoadedModel m = open(GEMMA2, RandomLlama.tensors(GEMMA2, 51, 0.6f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            List<String> names = s.group().trace().program().names();
            int unmasked = names.indexOf(ATTN_SCORES_UNMASKED.at(0));
            assertEquals(List.of(ATTN_SCORES_UNMASKED.at(0), ATTN_SCORES_CAPPED.at(0), MASK.at(0), ATTN_SCORES.at(0)),
                    names.subList(unmasked, unmasked + 4));
            float[] before = s.read(ATTN_SCORES_UNMASKED.at(0)).values();
            float[] after = s.read(ATTN_SCORES_CAPPED.at(0)).values();
            double largest = 0;
            for (int i = 0; i < before.length; i++) {
                largest = Math.max(largest, Math.abs(before[i]));
                assertEquals(ReferenceLlamaVariants.cap(before[i], cap), after[i], 1e-5, "cap tanh(s / cap)");
                assertTrue(Math.abs(after[i]) <= cap, "a capped score within [-cap, cap] (tanh rounds to 1 in float32)");
            }
            assertTrue(largest > 1.5 * cap, "some scores should exceed the cap, so capping changes them: " + largest);
            float[] logits = s.read(HookName.Model.LOGITS.id).values();
            float[] uncapped = s.read(HookName.Model.LOGITS_UNCAPPED.id).values();
            double largestLogit = 0;
            for (int i = 0; i < logits.length; i++) {
                largestLogit = Math.max(largestLogit, Math.abs(uncapped[i]));
                assertEquals(ReferenceLlamaVariants.cap(uncapped[i], 5), logits[i], 1e-5);
                assertTrue(Math.abs(logits[i]) <= 5);
            }
            assertTrue(largestLogit > 5, "some logits should exceed the final cap: " + largestLogit);
            log("gemma2 soft-capping: largest score %.3g -> cap %s, largest logit %.3g -> cap 5", largest, cap, largestLogit);
            Trace trace = s.group().trace();
            assertTrue(trace.program().op(trace.program().indexOf(ATTN_SCORES_UNMASKED.at(0))).math()
                    .contains("query_pre_attn_scalar^-0.5"));
        }
    }

    @Test
    void gemma2BlocksHaveFourNormsAndScaledEmbeddings() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(GEMMA2, 61, 0.25f);
        try (LoadedModel m = open(GEMMA2, w); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            List<String> names = s.group().trace().program().names();
            assertEquals(List.of("blocks.0.ln1.hook_normalized", "blocks.0.attn.hook_q"), names.subList(2, 4));
            int out = names.indexOf(ATTN_OUT.at(0));
            assertEquals(List.of(ATTN_OUT.at(0), LN1_POST_NORMALIZED.at(0), RESID_MID.at(0), LN2_NORMALIZED.at(0)),
                    names.subList(out, out + 4));
            int mlpOut = names.indexOf(MLP_OUT.at(0));
            assertEquals(List.of(MLP_OUT.at(0), LN2_POST_NORMALIZED.at(0), RESID_POST.at(0)), names.subList(mlpOut, mlpOut + 3));
            names.forEach(HookName::parse);
            float[] embed = s.read(HookName.Model.EMBED.id).values();
            float[] table = w.get("model.embed_tokens.weight").values();
            float normalizer = (float) Math.sqrt(32);
            assertEquals(table[(int) PROMPT[1] * 32 + 3] * normalizer, embed[32 + 3], 1e-6, "W_E[token] * sqrt(d)");
        }
    }

    @Test
    void qwen3NormsEachHeadOfQAndKBeforeTheRotation() throws IOException {
        try (LoadedModel m = open(QWEN3, RandomLlama.tensors(QWEN3, 71, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withInterventions(
                     Interventions.NONE.with(Switches.NO_POSITIONS)))) {
            s.reset(PROMPT);
            s.runToEnd();
            List<String> names = s.group().trace().program().names();
            assertEquals(List.of(Q.at(0), K.at(0), V.at(0), Q_NORMED.at(0), K_NORMED.at(0), ROT_Q.at(0), ROT_K.at(0)),
                    names.subList(names.indexOf(Q.at(0)), names.indexOf(Q.at(0)) + 7));
            assertArrayEquals(new long[] {1, PROMPT.length, 4, 12}, s.read(Q_NORMED.at(0)).shape());
            assertArrayEquals(new long[] {1, PROMPT.length, 2, 12}, s.read(K_NORMED.at(1)).shape());
            // without positions the rotation is the identity: what it rotates is the normed q
            assertArrayEquals(s.read(Q_NORMED.at(0)).values(), s.read(ROT_Q.at(0)).values(), 0f);
            assertArrayEquals(s.read(K_NORMED.at(1)).values(), s.read(ROT_K.at(1)).values(), 0f);
        }
    }

    @Test
    void compactTracesDeriveTheNewHooksExactly() throws IOException {
        for (ModelConfig c : List.of(QWEN3, GEMMA2)) {
            try (LoadedModel m = open(c, RandomLlama.tensors(c, 81, 0.25f));
                 Stepper full = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.FULL));
                 Stepper compact = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT))) {
                for (Stepper s : List.of(full, compact)) {
                    s.reset(PROMPT);
                    s.runToEnd();
                }
                Trace f = full.group().trace();
                Trace k = compact.group().trace();
                for (String name : f.program().names()) {
                    assertArrayEquals(f.read(name).values(), k.read(name).values(), 0f, name);
                }
            }
        }
    }

    @Test
    void theNewHooksAreDocumentedPerFamily() {
        for (String name : List.of("blocks.0.attn.hook_q_normed", "blocks.0.attn.hook_k_normed",
                "blocks.3.attn.hook_attn_scores_capped", "blocks.1.ln1_post.hook_normalized",
                "blocks.1.ln2_post.hook_normalized", "hook_logits_uncapped")) {
            assertEquals(name, HookName.parse(name).inBlock() ? HookName.parse(name).block().at(HookName.parse(name).layer())
                    : HookName.parse(name).model().id);
        }
        assertTrue(HookName.parse("blocks.0.attn.hook_attn_scores_capped").meaningIn("gemma2").contains("attn_logit_softcapping"));
        assertTrue(HookName.parse("blocks.0.attn.hook_mask").meaningIn("mistral").contains("query - W < key <= query"));
        assertTrue(HookName.parse("blocks.0.mlp.hook_post").meaningIn("gemma2").contains("GeGLU"));
        // where a variant has no text of its own, it reads LLaMA's
        assertEquals(HookName.parse("blocks.0.attn.hook_rot_k").meaningIn("llama"),
                HookName.parse("blocks.0.attn.hook_rot_k").meaningIn("qwen2"));
        assertTrue(HookName.parse("blocks.0.mlp.hook_post").meaningIn("qwen3").contains("SiLU"));
        String table = HookName.table();
        assertTrue(table.contains("| `blocks.{i}.attn.hook_q_normed` | [B, T, H, h] |"), table);
        assertTrue(table.contains("| `blocks.{i}.attn.hook_attn_scores_capped` | [B, H, T, K] |"), table);
        assertTrue(table.contains("| `hook_logits_uncapped` | [B, T, V] |"), table);
    }

    /** Biases, q/k norms and Gemma's (1 + w) gains are trained like the rest: each gets a gradient through the forward. */
    @Test
    void everyParameterGetsAGradient() {
        for (ModelConfig c : List.of(QWEN2, QWEN3, GEMMA2)) {
            try (LoadedModel m = LoadedModel.of("g", c, RandomLlama.tensors(c, 95, 0.25f), null, DjlRuntime.DeviceChoice.CPU);
                 NDManager scope = m.model().manager().newSubManager()) {
                Map<String, NDArray> params = m.model().parameters();
                params.values().forEach(p -> p.setRequiresGradient(true));
                try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                    NDArray logits = Forward.run(m.model(), Batch.of(PROMPT), Interventions.NONE, scope);
                    collector.backward(logits.logSoftmax(-1).get(new NDIndex("0, :, 3")).mean().neg());
                }
                List<String> without = params.entrySet().stream()
                        .filter(e -> !(e.getValue().getGradient().square().sum().getFloat() > 0)).map(Map.Entry::getKey).toList();
                assertEquals(List.of(), without, c.architecture().modelType + ": parameters without a gradient");
            }
        }
    }

    /** The per-pass constants (Gemma's 1 + w, sqrt(d), the caps) belong to the pass, not to the model's weights. */
    @Test
    void nativeMemoryIsReturnedWhenTracesClose() {
        for (ModelConfig c : List.of(QWEN3, GEMMA2)) {
            try (LoadedModel m = LoadedModel.of("n", c, RandomLlama.tensors(c, 97, 0.25f), null, DjlRuntime.DeviceChoice.CPU)) {
                int baseline = m.model().manager().getManagedArrays().size();
                try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                    s.reset(PROMPT);
                    s.runToEnd();
                    s.generate(new Sampler(SamplingConfig.GREEDY));
                    s.runToEnd();
                    for (String name : s.group().trace().program().names()) {
                        s.read(name);
                    }
                }
                assertEquals(baseline, m.model().manager().getManagedArrays().size(), c.architecture().modelType
                        + ": arrays left behind after close");
            }
        }
    }

    @Test
    void everyFamilyWritesAFolderItReadsBack() throws IOException {
        for (ModelConfig c : List.of(QWEN2, QWEN3, MISTRAL, GEMMA2)) {
            Map<String, SafeTensors.Tensor> w = RandomLlama.tensors(c, 91, 0.25f);
            try (LoadedModel a = LoadedModel.of("a", c, w, null, DjlRuntime.DeviceChoice.CPU)) {
                Path written = dev.attnstudio.engine.load.LlamaFolder.write(dir.resolve("w-" + c.architecture().modelType),
                        (LlamaModel) a.model(), null, Map.of());
                try (LoadedModel b = ModelFolder.open(written, DjlRuntime.DeviceChoice.CPU)) {
                    assertEquals(c, b.config());
                    assertEquals(List.copyOf(w.keySet()), List.copyOf(b.model().parameters().keySet()));
                }
            }
        }
    }
}
