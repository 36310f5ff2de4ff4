package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.load.NeoXFolder;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
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
 * The GPT-NeoX family (Pythia): Hugging Face folders on disk, opened by {@link ModelFolder}, against an independent
 * plain-Java forward pass ({@link ReferenceNeoX}) for both residual forms and two rotary fractions; cached decoding
 * against recompute; the parallel block's hooks; writing a model back as a folder.
 */
class NeoXModelTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96, 12, 7, 63, 2};

    /** Pythia's form: parallel residual, a quarter of each head's 8 coordinates rotate (2), untied embed_out. */
    static final ModelConfig PARALLEL = config(0.25, true, true, false);

    /** Sequential residual (GPT-2's order), every coordinate rotates. */
    static final ModelConfig SEQUENTIAL = config(1.0, false, true, false);

    static ModelConfig config(double rotaryPct, boolean parallel, boolean bias, boolean tied) {
        return new ModelConfig(ModelConfig.Architecture.GPT_NEOX, 2, 4, 32, 48, 64, 97, 0, 1e-5,
                ModelConfig.Activation.GELU, new NeoX(rotaryPct, 10000, parallel, bias, tied));
    }

    @TempDir
    Path dir;

    /**
     * A folder as Pythia's are published: config.json in the original spelling ({@code rotary_pct},
     * {@code rotary_emb_base}), written here by hand rather than by {@link NeoXFolder}, and model.safetensors.
     */
    private Path pythiaFolder(String name, ModelConfig c, Map<String, SafeTensors.Tensor> tensors,
                              Map<String, Object> overrides) throws IOException {
        NeoX neox = (NeoX) c.extra();
        Path folder = Files.createDirectories(dir.resolve(name));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("GPTNeoXForCausalLM"));
        json.put("bos_token_id", 0);
        json.put("eos_token_id", 0);
        json.put("hidden_act", "gelu");
        json.put("hidden_size", c.dModel());
        json.put("initializer_range", 0.02);
        json.put("intermediate_size", c.dMlp());
        json.put("layer_norm_eps", c.layerNormEps());
        json.put("max_position_embeddings", c.nPositions());
        json.put("model_type", "gpt_neox");
        json.put("num_attention_heads", c.nHead());
        json.put("num_hidden_layers", c.nLayer());
        json.put("rotary_emb_base", neox.ropeTheta());
        json.put("rotary_pct", neox.rotaryPct());
        json.put("tie_word_embeddings", neox.tiedEmbeddings());
        json.put("use_cache", true);
        json.put("use_parallel_residual", neox.parallelResidual());
        json.put("vocab_size", c.vocabSize());
        if (!neox.attentionBias()) {
            json.put("attention_bias", false); // newer configs state it; absent means true
        }
        json.put("attention_dropout", 0.1); // ignored: inference
        json.put("hidden_dropout", 0.1);
        json.putAll(overrides);
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), json);
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return folder;
    }

    private static LoadedModel open(Path folder) {
        return ModelFolder.open(folder, DjlRuntime.DeviceChoice.CPU);
    }

    private static float[] logits(LoadedModel m, long[] ids) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(false))) {
            s.reset(ids);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }

    private static void log(String format, Object... args) {
        System.getLogger(NeoXModelTest.class.getName()).log(System.Logger.Level.INFO, () -> String.format(format, args));
    }

    @Test
    void parallelResidualQuarterRotaryFolderMatchesTheReference() throws IOException {
        matchesReference(PARALLEL, 11);
    }

    @Test
    void sequentialResidualFullRotaryFolderMatchesTheReference() throws IOException {
        matchesReference(SEQUENTIAL, 12);
    }

    @Test
    void halfRotaryTiedWithoutAttentionBiasFolderMatchesTheReference() throws IOException {
        matchesReference(config(0.5, true, false, true), 13);
    }

    private void matchesReference(ModelConfig c, long seed) throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomNeoX.tensors(c, seed, 0.25f);
        ReferenceNeoX.Result ref = new ReferenceNeoX(c, w).forward(PROMPT);
        int t = PROMPT.length;
        NeoX neox = (NeoX) c.extra();
        try (LoadedModel m = open(pythiaFolder("neox-" + seed, c, w, Map.of()));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            assertEquals(c, m.config(), "config.json read back");
            assertInstanceOf(NeoXModel.class, m.model());
            assertEquals("gpt_neox", m.model().capabilities().family());
            s.reset(PROMPT);
            s.runToEnd();
            for (HookName.Block b : List.of(Q, K, V, ROT_Q, ROT_K, Z)) {
                assertArrayEquals(new long[] {1, t, 4, 8}, s.read(b.at(1)).shape(), b.suffix);
            }
            assertEquals(neox.parallelResidual(), s.group().trace().program().indexOf(RESID_MID.at(0)) < 0,
                    "hook_resid_mid exists in the sequential form only");

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
            double nonUniform = 0;
            for (int l = 0; l < c.nLayer(); l++) {
                TensorData p = s.read(PATTERN.at(l));
                for (int h = 0; h < c.nHead(); h++) {
                    for (int q = 0; q < t; q++) {
                        for (int k = 0; k < t; k++) {
                            double expected = k <= q ? ref.patterns()[l][h][q][k] : 0;
                            worstPattern = Math.max(worstPattern, Math.abs(expected - p.get(0, h, q, k)));
                            if (k <= q) {
                                nonUniform = Math.max(nonUniform, Math.abs(expected - 1.0 / (q + 1)));
                            }
                        }
                    }
                }
            }
            assertTrue(nonUniform > 0.05, "the patterns should not be uniform: " + nonUniform);
            assertTrue(worstPattern <= 1e-4, "max |pattern - reference| = " + worstPattern);
            log("GPT-NeoX (rotary_pct %s, parallel %s, bias %s, tied %s) vs reference: max logit diff %.3g, "
                    + "max pattern diff %.3g", neox.rotaryPct(), neox.parallelResidual(), neox.attentionBias(),
                    neox.tiedEmbeddings(), maxDiff, worstPattern);
        }
    }

    /**
     * The fused query_key_value is per head ([H, 3, h] along its output axis). Reading it as three blocks q | k | v
     * (GPT-2's c_attn layout) gives another model: this pins that the difference is visible in the logits, so the
     * reference test above would catch the wrong split.
     */
    @Test
    void theFusedSplitIsPerHeadNotThreeBlocks() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomNeoX.tensors(PARALLEL, 14, 0.25f);
        Map<String, SafeTensors.Tensor> blocks = new LinkedHashMap<>(w);
        int d = PARALLEL.dModel(), h = PARALLEL.dHead(), heads = PARALLEL.nHead();
        for (String name : w.keySet()) {
            if (name.endsWith("query_key_value.weight")) {
                // re-lay a per-head tensor as if its rows were the blocks q | k | v: row j d + n h + e <- n 3h + j h + e
                float[] perHead = w.get(name).values();
                float[] asBlocks = new float[perHead.length];
                for (int n = 0; n < heads; n++) {
                    for (int j = 0; j < 3; j++) {
                        System.arraycopy(perHead, (n * 3 * h + j * h) * d, asBlocks, (j * d + n * h) * d, h * d);
                    }
                }
                blocks.put(name, new SafeTensors.Tensor(asBlocks, w.get(name).shape(), SafeTensors.DType.F32));
            }
        }
        try (LoadedModel a = open(pythiaFolder("per-head", PARALLEL, w, Map.of()));
             LoadedModel b = open(pythiaFolder("blocks", PARALLEL, blocks, Map.of()))) {
            float[] la = logits(a, PROMPT);
            float[] lb = logits(b, PROMPT);
            double worst = 0;
            for (int i = 0; i < la.length; i++) {
                worst = Math.max(worst, Math.abs(la[i] - lb[i]));
            }
            assertTrue(worst > 1e-2, "re-laid weights must change the logits: " + worst);
        }
    }

    @Test
    void cachedDecodeEqualsRecomputeOver20TokensInBothResidualForms() {
        for (ModelConfig c : List.of(PARALLEL, SEQUENTIAL)) {
            try (LoadedModel m = LoadedModel.of("tiny-neox", c, RandomNeoX.tensors(c, 31, 0.25f), null,
                    DjlRuntime.DeviceChoice.CPU)) {
                assertEquals(ROT_K.at(1), m.model().cacheKeyHook(1));
                double worst = DecodeParity.maxLogitDiff(m.model(), PROMPT, 20);
                log("GPT-NeoX (parallel %s) cached decode vs recompute over 20 tokens: max logit diff %.3g",
                        ((NeoX) c.extra()).parallelResidual(), worst);
                assertTrue(worst <= 1e-4, "max |cached - recomputed logit| = " + worst);
            }
        }
    }

    /** Only the first int(h rotary_pct) coordinates of a head turn; the rest of rot_q and rot_k is q and k. */
    @Test
    void partialRotaryLeavesTheTailOfEveryHeadUnchanged() {
        try (LoadedModel m = LoadedModel.of("tiny-neox", PARALLEL, RandomNeoX.tensors(PARALLEL, 41, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            for (HookName.Block[] pair : new HookName.Block[][] {{Q, ROT_Q}, {K, ROT_K}}) {
                TensorData before = s.read(pair[0].at(0));
                TensorData after = s.read(pair[1].at(0));
                double turned = 0;
                for (int t = 0; t < PROMPT.length; t++) {
                    for (int h = 0; h < 4; h++) {
                        for (int e = 2; e < 8; e++) {
                            assertEquals(before.get(0, t, h, e), after.get(0, t, h, e), 0f, "coordinate " + e + " passes through");
                        }
                        turned = Math.max(turned, Math.abs(before.get(0, t, h, 0) - after.get(0, t, h, 0)));
                    }
                }
                assertTrue(turned > 1e-3, "the first two coordinates turn: " + turned);
            }
            Program program = s.group().trace().program();
            assertTrue(program.op(program.indexOf(ROT_Q.at(0))).math().contains("first r = 2 of h = 8"),
                    program.op(program.indexOf(ROT_Q.at(0))).math());
        }
    }

    /**
     * The parallel block: ln2 reads resid_pre (not a mid-block residual), there is no hook_resid_mid, and resid_post
     * sums resid_pre, attn_out and mlp_out. The sequential form has GPT-2's hooks.
     */
    @Test
    void hookNamesOfOneBlockInBothResidualForms() {
        try (LoadedModel m = LoadedModel.of("tiny-neox", PARALLEL, RandomNeoX.tensors(PARALLEL, 1, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            Program program = s.group().trace().program();
            List<String> names = program.names();
            assertEquals(List.of("hook_embed", "blocks.0.hook_resid_pre", "blocks.0.ln1.hook_normalized",
                    "blocks.0.attn.hook_q", "blocks.0.attn.hook_k", "blocks.0.attn.hook_v",
                    "blocks.0.attn.hook_rot_q", "blocks.0.attn.hook_rot_k", "blocks.0.attn.hook_qk_raw",
                    "blocks.0.attn.hook_attn_scores_unmasked", "blocks.0.attn.hook_mask", "blocks.0.attn.hook_attn_scores",
                    "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z", "blocks.0.hook_attn_out",
                    "blocks.0.ln2.hook_normalized", "blocks.0.mlp.hook_pre", "blocks.0.mlp.hook_post",
                    "blocks.0.hook_mlp_out", "blocks.0.hook_resid_post", "blocks.1.hook_resid_pre"), names.subList(0, 21));
            assertEquals(List.of("ln_final.hook_normalized", "hook_logits"), names.subList(names.size() - 2, names.size()));
            names.forEach(HookName::parse);
            assertEquals(List.of(RESID_PRE.at(0)), program.op(program.indexOf(LN2_NORMALIZED.at(0))).inputs());
            Op post = program.op(program.indexOf(RESID_POST.at(0)));
            assertEquals(List.of(RESID_PRE.at(0), ATTN_OUT.at(0), MLP_OUT.at(0)), post.inputs());
            assertEquals(Op.SubLayer.MLP, program.op(program.indexOf(LN2_NORMALIZED.at(0))).site().subLayer());
            s.runToEnd();
            float[] pre = s.read(RESID_PRE.at(1)).values();
            float[] attn = s.read(ATTN_OUT.at(1)).values();
            float[] mlp = s.read(MLP_OUT.at(1)).values();
            float[] out = s.read(RESID_POST.at(1)).values();
            for (int i = 0; i < out.length; i++) {
                assertEquals(mlp[i] + attn[i] + pre[i], out[i], 0f, "resid_post[" + i + "]");
            }
            assertTrue(HookName.parse(RESID_MID.at(0)).meaningIn("gpt_neox").contains("parallel-residual block has no"));
            assertTrue(HookName.parse(LN2_NORMALIZED.at(0)).meaningIn("gpt_neox").contains("of resid_pre"));
        }
        try (LoadedModel m = LoadedModel.of("tiny-neox", SEQUENTIAL, RandomNeoX.tensors(SEQUENTIAL, 2, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            Program program = s.group().trace().program();
            assertEquals(List.of(RESID_MID.at(0)), program.op(program.indexOf(LN2_NORMALIZED.at(0))).inputs());
            assertEquals(List.of(RESID_MID.at(0), MLP_OUT.at(0)), program.op(program.indexOf(RESID_POST.at(0))).inputs());
        }
    }

    @Test
    void compactTraceDerivesEveryHookExactly() {
        try (LoadedModel m = LoadedModel.of("tiny-neox", PARALLEL, RandomNeoX.tensors(PARALLEL, 43, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU);
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

    /**
     * parameters() are the arrays the forward uses, the fused query_key_value held as its parts; every one gets a
     * gradient; and the model written back as a folder (parts fused again) is the checkpoint it came from.
     */
    @Test
    void parametersTrainAndWriteBackAsTheSameCheckpoint() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomNeoX.tensors(PARALLEL, 61, 0.25f);
        try (LoadedModel m = LoadedModel.of("tiny-neox", PARALLEL, w, null, DjlRuntime.DeviceChoice.CPU)) {
            Map<String, NDArray> params = m.model().parameters();
            assertEquals(w.size() + 2 * 2 * PARALLEL.nLayer(), params.size(), "each fused weight and bias held as 3 parts");
            assertEquals(params.size(), m.model().manager().getManagedArrays().size(),
                    "every weight is held once, the fused arrays freed");
            assertArrayEquals(new long[] {32, 32},
                    params.get("gpt_neox.layers.0.attention.query_key_value.weight/k").getShape().getShape());

            Map<String, SafeTensors.Tensor> written = NeoXFolder.toHuggingFace((NeoXModel) m.model());
            assertEquals(List.copyOf(w.keySet()), List.copyOf(written.keySet()), "checkpoint names in checkpoint order");
            for (var e : w.entrySet()) {
                assertArrayEquals(e.getValue().shape(), written.get(e.getKey()).shape(), e.getKey());
                assertArrayEquals(e.getValue().values(), written.get(e.getKey()).values(), 0f, e.getKey());
            }
            float[] inMemory = logits(m, PROMPT);
            Path folder = NeoXFolder.write(dir.resolve("written"), (NeoXModel) m.model(), null, Map.of());
            try (LoadedModel back = open(folder)) {
                assertEquals(PARALLEL, back.config(), "config.json written in the newer spelling reads back");
                assertArrayEquals(inMemory, logits(back, PROMPT), 0f);
            }

            try (NDManager scope = m.model().manager().newSubManager()) {
                params.values().forEach(p -> p.setRequiresGradient(true));
                try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                    NDArray out = Forward.run(m.model(), Batch.of(PROMPT), Interventions.NONE, scope);
                    collector.backward(out.logSoftmax(-1).get(new NDIndex("0, :, 3")).mean().neg());
                }
                List<String> without = params.entrySet().stream()
                        .filter(e -> !(e.getValue().getGradient().square().sum().getFloat() > 0)).map(Map.Entry::getKey)
                        .toList();
                assertEquals(List.of(), without, "parameters without a gradient");
            }
        }
    }

    @Test
    void nativeMemoryIsReturnedWhenTracesClose() {
        try (LoadedModel m = LoadedModel.of("tiny-neox", PARALLEL, RandomNeoX.tensors(PARALLEL, 71, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU)) {
            int baseline = m.model().manager().getManagedArrays().size();
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                s.reset(PROMPT);
                s.runToEnd();
                for (String name : s.group().trace().program().names()) {
                    s.read(name);
                }
                s.generate(new Sampler(SamplingConfig.GREEDY));
                s.runToEnd();
            }
            assertEquals(baseline, m.model().manager().getManagedArrays().size(), "arrays left behind after close");
        }
    }

    @Test
    void tiedEmbeddingsNeedNoEmbedOutAndAMissingOneIsNamed() throws IOException {
        Map<String, SafeTensors.Tensor> w = RandomNeoX.tensors(PARALLEL, 81, 0.25f);
        Map<String, SafeTensors.Tensor> noHead = new LinkedHashMap<>(w);
        noHead.remove("embed_out.weight");
        var e = assertThrows(RuntimeException.class, () -> open(pythiaFolder("no-head", PARALLEL, noHead, Map.of())).close());
        assertTrue(e.getMessage().contains("embed_out.weight") && e.getMessage().contains("missing"), e.getMessage());
        try (LoadedModel m = open(pythiaFolder("tied", PARALLEL, noHead, Map.of("tie_word_embeddings", true)))) {
            assertFalse(m.model().parameters().containsKey("embed_out.weight"), "tied: embed_in unembeds");
        }
        // a bare GPTNeoXModel checkpoint: no gpt_neox. prefix
        Map<String, SafeTensors.Tensor> bare = new LinkedHashMap<>();
        w.forEach((name, t) -> bare.put(name.replaceFirst("^gpt_neox\\.", ""), t));
        try (LoadedModel a = open(pythiaFolder("prefixed", PARALLEL, w, Map.of()));
             LoadedModel b = open(pythiaFolder("bare", PARALLEL, bare, Map.of()))) {
            assertArrayEquals(logits(a, PROMPT), logits(b, PROMPT), 0f);
        }
    }
}
