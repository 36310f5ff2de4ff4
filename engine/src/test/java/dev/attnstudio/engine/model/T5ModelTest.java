package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.Switches;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.program.KvCache;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.DecodeParity;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Stack.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The T5 family: the engine against an independent plain-Java forward pass (ReLU and gated GELU, tied and untied,
 * a padded source batch), the relative position buckets, the hook names of both stacks.
 */
class T5ModelTest {

    /** Two source rows, the second padded at the end. */
    static final long[] SOURCE_A = {5, 17, 3, 28, 41, 41, 9, 56, 12, 7, 33, 2, 19, 44};
    static final long[] SOURCE_B = {8, 1, 14, 14, 27, 3, 50, 6, 31};
    /** The decoder's tokens, starting with the decoder start token 0. */
    static final long[][] TARGET = {{0, 5, 9, 3, 17, 22, 8, 40, 11, 2, 23}, {0, 12, 12, 4, 38, 1, 9, 30, 15, 52, 6}};

    /**
     * 2 encoder and 3 decoder layers, 4 heads of d_kv 6 (4 x 6 != d_model 32: T5 allows it), d_ff 40, vocab 61,
     * 16 buckets up to distance 12 (so the sequences use exact, log-spaced and clamped buckets).
     */
    static ModelConfig config(boolean gated, boolean tied) {
        return new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 40, 64, 61, 0, 1e-6,
                gated ? ModelConfig.Activation.GELU_NEW : ModelConfig.Activation.RELU,
                new ModelConfig.T5(6, 3, 16, 12, gated, tied, 0));
    }

    static LoadedModel load(ModelConfig c, Map<String, SafeTensors.Tensor> tensors) {
        return LoadedModel.of("tiny-t5", c, tensors, null, DjlRuntime.DeviceChoice.CPU);
    }

    static Batch paddedBatch() {
        return Batch.pad(List.of(SOURCE_A, SOURCE_B), null, Batch.Padding.RIGHT, 0).withDecoder(TARGET);
    }

    private static void log(String format, Object... args) {
        System.getLogger(T5ModelTest.class.getName()).log(System.Logger.Level.INFO, () -> String.format(format, args));
    }

    @Test
    void reluUntiedMatchesAnIndependentReference() {
        matchesReference(config(false, false), 11);
    }

    @Test
    void reluTiedMatchesAnIndependentReference() {
        matchesReference(config(false, true), 14);
    }

    @Test
    void gatedGeluTiedMatchesAnIndependentReference() {
        matchesReference(config(true, true), 12);
    }

    @Test
    void gatedGeluUntiedMatchesAnIndependentReference() {
        matchesReference(config(true, false), 13);
    }

    private static void matchesReference(ModelConfig c, long seed) {
        Map<String, SafeTensors.Tensor> w = RandomT5.tensors(c, seed, 0.2f);
        Batch batch = paddedBatch();
        int s = batch.length(), t = batch.decoderLength(), h = c.nHead();
        try (LoadedModel m = load(c, w); Stepper st = new Stepper(m.model(), Stepper.Options.DEFAULT.withCache(false))) {
            st.reset(batch);
            st.runToEnd();
            TensorData logits = st.read(HookName.Model.LOGITS.id);
            assertArrayEquals(new long[] {2, t, 61}, logits.shape());
            double maxLogit = 0, spread = 0, maxPattern = 0;
            for (int b = 0; b < 2; b++) {
                ReferenceT5.Result ref = new ReferenceT5(c, w).forward(batch.ids()[b], batch.attentionMask()[b], TARGET[b]);
                for (int i = 0; i < t; i++) {
                    for (int v = 0; v < 61; v++) {
                        maxLogit = Math.max(maxLogit, Math.abs(logits.get(b, i, v) - ref.logits()[i][v]));
                        spread = Math.max(spread, Math.abs(ref.logits()[i][v]));
                    }
                }
                for (int l = 0; l < c.nLayer(); l++) {
                    maxPattern = Math.max(maxPattern, diff(st.read(ENCODER.at(PATTERN, l)), b, ref.encoder()[l], h, s, s));
                }
                for (int l = 0; l < 3; l++) {
                    maxPattern = Math.max(maxPattern, diff(st.read(DECODER.at(PATTERN, l)), b, ref.decoder()[l], h, t, t));
                    maxPattern = Math.max(maxPattern, diff(st.read(DECODER.at(CROSS_PATTERN, l)), b, ref.cross()[l], h, t, s));
                }
            }
            log("T5 (%s, %s) vs reference: max logit diff %.3g (logits up to %.3g), max pattern diff %.3g",
                    c.activation(), ((ModelConfig.T5) c.extra()).tiedEmbeddings() ? "tied" : "untied", maxLogit, spread, maxPattern);
            assertTrue(spread > 0.5, "the reference logits should not be trivially small: " + spread);
            assertTrue(maxLogit <= 1e-4, "max |logit - reference| = " + maxLogit);
            assertTrue(maxPattern <= 1e-5, "max |pattern - reference| = " + maxPattern);
        }
    }

    /** Largest |engine - reference| over one batch row of a pattern [B, H, Q, K]. */
    private static double diff(TensorData pattern, int b, double[][][] ref, int heads, int queries, int keys) {
        assertArrayEquals(new long[] {2, heads, queries, keys}, pattern.shape(), pattern.name());
        double worst = 0;
        for (int h = 0; h < heads; h++) {
            for (int q = 0; q < queries; q++) {
                for (int k = 0; k < keys; k++) {
                    worst = Math.max(worst, Math.abs(pattern.get(b, h, q, k) - ref[h][q][k]));
                }
            }
        }
        return worst;
    }

    // ---- relative position buckets ----

    /**
     * Worked out by hand from the definition for 32 buckets up to distance 128. Bidirectional: 16 buckets per
     * direction, distances 0..7 exact, then bucket 8 + floor(2 log2(d / 8)): it steps at d = 8 * 2^(k/2), i.e. 12, 16,
     * 23, 32, 46, 64, 91; keys after the query (relative > 0) add 16. Causal: 32 buckets, 0..15 exact, then
     * 16 + floor(16 log(d / 16) / log 8), stepping at d = 16 * 2^(3k/16): 19, 21, 24, 27, ..., 46 (k = 8), ..., 99
     * (k = 14), 113 (k = 15); later keys are bucket 0.
     */
    @Test
    void bucketsFollowThePublishedT5Scheme() {
        int[][] bidirectional = {
                {0, 0}, {-1, 1}, {1, 17}, {-7, 7}, {7, 23}, {-8, 8}, {-11, 8}, {-12, 9}, {12, 25}, {-15, 9},
                {-16, 10}, {-22, 10}, {-23, 11}, {-31, 11}, {-32, 12}, {-45, 12}, {-46, 13}, {-63, 13}, {-64, 14},
                {64, 30}, {-90, 14}, {-91, 15}, {91, 31}, {-128, 15}, {-1000, 15}, {1000, 31}};
        for (int[] row : bidirectional) {
            assertEquals(row[1], RelativePositionBias.bucket(row[0], true, 32, 128), "bidirectional, relative " + row[0]);
        }
        int[][] causal = {
                {5, 0}, {0, 0}, {-1, 1}, {-15, 15}, {-16, 16}, {-18, 16}, {-19, 17}, {-20, 17}, {-21, 18},
                {-26, 19}, {-27, 20}, {-45, 23}, {-46, 24}, {-98, 29}, {-99, 30}, {-112, 30}, {-113, 31}, {-500, 31}};
        for (int[] row : causal) {
            assertEquals(row[1], RelativePositionBias.bucket(row[0], false, 32, 128), "causal, relative " + row[0]);
        }
    }

    /**
     * A config whose max distance does not reach past the exact buckets (reverse-t5's decoder: 32 causal buckets, 16
     * exact, max distance 16) has no log-spaced range: every longer distance shares the last bucket instead of the
     * formula's 0/0 or x/0 (which Hugging Face's code turns into an out-of-range index).
     */
    @Test
    void withoutALogSpacedRangeLongDistancesShareTheLastBucket() {
        assertEquals(15, RelativePositionBias.bucket(-15, false, 32, 16));
        for (int d : new int[] {16, 17, 40, 1000}) {
            assertEquals(31, RelativePositionBias.bucket(-d, false, 32, 16), "causal, distance " + d);
        }
        assertEquals(11, RelativePositionBias.bucket(3, true, 16, 4), "bidirectional, a later key, exact");
        assertEquals(15, RelativePositionBias.bucket(9, true, 16, 4), "bidirectional, later key, beyond the exact ones");
        assertEquals(7, RelativePositionBias.bucket(-9, true, 16, 4));
    }

    /**
     * The same formula evaluated by PyTorch in float32, as {@code modeling_t5} evaluates it (log of a float tensor,
     * divided by log(max_distance / max_exact), truncated to an integer), for every distance up to 600, for the
     * standard and the test models' settings: the float32 boundaries land where the checkpoints put them.
     */
    @Test
    void bucketsAgreeWithPyTorchFloat32() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] setting : new int[][] {{32, 128}, {16, 12}, {8, 16}}) {
                for (boolean bidirectional : new boolean[] {true, false}) {
                    long[] rel = new long[1201];
                    for (int i = 0; i < rel.length; i++) {
                        rel[i] = i - 600;
                    }
                    long[] torch = torchBuckets(m, rel, bidirectional, setting[0], setting[1]);
                    for (int i = 0; i < rel.length; i++) {
                        assertEquals(torch[i], RelativePositionBias.bucket((int) rel[i], bidirectional, setting[0], setting[1]),
                                "relative " + rel[i] + ", " + setting[0] + " buckets, max distance " + setting[1]
                                        + (bidirectional ? ", bidirectional" : ", causal"));
                    }
                }
            }
        }
    }

    private static long[] torchBuckets(NDManager m, long[] relative, boolean bidirectional, int buckets,
                                       int maxDistance) {
        NDArray rel = m.create(relative);
        int n = buckets;
        NDArray offset = m.zeros(rel.getShape(), DataType.INT64);
        if (bidirectional) {
            n /= 2;
            offset = rel.gt(0).toType(DataType.INT64, false).mul(n);
            rel = rel.abs();
        } else {
            rel = rel.minimum(0).neg();
        }
        int maxExact = n / 2;
        NDArray large = rel.toType(DataType.FLOAT32, false)
                .div(m.create((float) maxExact)).log()
                .div(m.create((float) Math.log((double) maxDistance / maxExact)))
                .mul(m.create((float) (n - maxExact)))
                .toType(DataType.INT64, false).add(maxExact).minimum(n - 1);
        return offset.add(NDArrays.where(rel.lt(maxExact), rel, large)).toLongArray();
    }

    // ---- the stepper over an encoder-decoder ----

    private static final ModelConfig GATED = config(true, true);

    @Test
    void hookNamesOfAPrefillAndADecodePassAreAsDocumented() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 21, 0.2f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(Batch.of(SOURCE_A));
            assertArrayEquals(new long[] {0}, s.tokens(), "the decoder starts from the decoder start token");
            List<String> names = s.group().trace().program().names();
            List<String> encoderBlock = List.of("encoder.blocks.0.hook_resid_pre", "encoder.blocks.0.ln1.hook_normalized",
                    "encoder.blocks.0.attn.hook_q", "encoder.blocks.0.attn.hook_k", "encoder.blocks.0.attn.hook_v",
                    "encoder.blocks.0.attn.hook_qk_raw", "encoder.blocks.0.attn.hook_attn_scores_unmasked",
                    "encoder.blocks.0.attn.hook_mask", "encoder.blocks.0.attn.hook_attn_scores",
                    "encoder.blocks.0.attn.hook_pattern", "encoder.blocks.0.attn.hook_z", "encoder.blocks.0.hook_attn_out",
                    "encoder.blocks.0.hook_resid_mid", "encoder.blocks.0.ln2.hook_normalized", "encoder.blocks.0.mlp.hook_pre",
                    "encoder.blocks.0.mlp.hook_pre_linear", "encoder.blocks.0.mlp.hook_post", "encoder.blocks.0.hook_mlp_out",
                    "encoder.blocks.0.hook_resid_post");
            List<String> expected = new ArrayList<>(List.of("encoder.hook_embed", "encoder.hook_position_bias"));
            expected.addAll(encoderBlock);
            assertEquals(expected, names.subList(0, expected.size()));
            int decoderStart = names.indexOf("decoder.hook_embed");
            assertEquals(List.of("encoder.blocks.1.hook_resid_post", "encoder.ln_final.hook_normalized"),
                    names.subList(decoderStart - 2, decoderStart));
            List<String> cross = List.of("decoder.blocks.0.hook_resid_mid", "decoder.blocks.0.ln2.hook_normalized",
                    "decoder.blocks.0.cross_attn.hook_q", "decoder.blocks.0.cross_attn.hook_k",
                    "decoder.blocks.0.cross_attn.hook_v", "decoder.blocks.0.cross_attn.hook_qk_raw",
                    "decoder.blocks.0.cross_attn.hook_attn_scores_unmasked", "decoder.blocks.0.cross_attn.hook_mask",
                    "decoder.blocks.0.cross_attn.hook_attn_scores", "decoder.blocks.0.cross_attn.hook_pattern",
                    "decoder.blocks.0.cross_attn.hook_z", "decoder.blocks.0.hook_cross_attn_out",
                    "decoder.blocks.0.hook_resid_mid_cross", "decoder.blocks.0.ln3.hook_normalized",
                    "decoder.blocks.0.mlp.hook_pre");
            int mid = names.indexOf("decoder.blocks.0.hook_resid_mid");
            assertEquals(cross, names.subList(mid, mid + cross.size()));
            assertEquals(List.of("decoder.hook_embed", "decoder.hook_position_bias", "decoder.blocks.0.hook_resid_pre"),
                    names.subList(decoderStart, decoderStart + 3));
            assertEquals(List.of("decoder.blocks.2.hook_resid_post", "decoder.ln_final.hook_normalized", "hook_logits"),
                    names.subList(names.size() - 3, names.size()));
            for (String name : names) {
                assertFalse(HookName.shapeOf(name).isEmpty(), name);
            }

            s.generate(new Sampler(SamplingConfig.GREEDY));
            Stepper.Group decode = s.groups().get(1);
            assertEquals(PassKind.DECODE, decode.kind());
            List<String> decodeNames = decode.trace().program().names();
            assertTrue(decodeNames.stream().noneMatch(n -> n.startsWith("encoder.")), "a decode pass runs no encoder step");
            assertEquals(List.of("decoder.hook_embed", "decoder.hook_position_bias", "decoder.blocks.0.hook_resid_pre",
                    "decoder.blocks.0.ln1.hook_normalized", "decoder.blocks.0.attn.hook_q", "decoder.blocks.0.attn.hook_k",
                    "decoder.blocks.0.attn.hook_v", "decoder.blocks.0.attn.hook_past_k", "decoder.blocks.0.attn.hook_past_v",
                    "decoder.blocks.0.attn.hook_qk_raw"), decodeNames.subList(0, 10));
            decodeNames.forEach(HookName::parse);
            Program program = decode.trace().program();
            assertTrue(program.op(program.indexOf(DECODER.at(CROSS_K, 1))).math().contains("read from the KV cache"));
            assertTrue(program.op(program.indexOf(DECODER.at(CROSS_K, 1))).inputs().isEmpty());
        }
    }

    @Test
    void runToACrossAttentionPatternAndStepBack() {
        Batch batch = Batch.pad(List.of(SOURCE_B), null, Batch.Padding.RIGHT, 0).withDecoder(new long[][] {{0, 7, 3}});
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 22, 0.2f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(batch);
            Stepper.StepInfo hit = s.runTo("decoder.blocks.*.cross_attn.hook_pattern");
            assertEquals(DECODER.at(CROSS_PATTERN, 0), hit.name());
            assertArrayEquals(new long[] {1, 4, 3, SOURCE_B.length}, hit.shape());
            assertEquals("decoder.blocks.0", hit.unit());
            int computed = s.group().trace().executed();
            assertEquals(DECODER.at(CROSS_ATTN_SCORES, 0), s.stepBack().name());
            assertEquals(DECODER.at(CROSS_MASK, 0), s.stepBack().name());
            assertEquals(DECODER.at(CROSS_PATTERN, 0), s.runTo("**cross_attn.hook_pattern").name(), "over computed steps");
            assertEquals(computed, s.group().trace().executed(), "moving over computed steps recomputes nothing");
            assertEquals(DECODER.at(CROSS_PATTERN, 1), s.runTo("decoder.blocks.*.cross_attn.hook_pattern").name());

            var entropy = HeadEntropy.of(s, DECODER.at(CROSS_PATTERN, 1));
            assertEquals(1, entropy.layer());
            assertEquals(SOURCE_B.length, entropy.allowedKeys()[0], "every source token may be read");
            assertTrue(entropy.normalized(0, 0, 2) > 0 && entropy.normalized(0, 0, 2) <= 1);
            assertThrows(IllegalArgumentException.class, () -> HeadEntropy.of(s, DECODER.at(CROSS_Z, 1)));
            s.runToEnd();
            var self = HeadEntropy.of(s, DECODER.at(PATTERN, 2));
            assertEquals(1, self.allowedKeys()[0], "the first decoder position sees itself only");
            assertEquals(3, self.allowedKeys()[2]);
        }
    }

    @Test
    void paddedSourceKeysAreMaskedInEncoderAndCrossAttention() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 23, 0.2f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(paddedBatch());
            s.runToEnd();
            TensorData enc = s.read(ENCODER.at(PATTERN, 1));
            TensorData cross = s.read(DECODER.at(CROSS_PATTERN, 2));
            assertArrayEquals(new long[] {2, 1, 1, SOURCE_A.length}, s.read(DECODER.at(CROSS_MASK, 0)).shape());
            for (int k = SOURCE_B.length; k < SOURCE_A.length; k++) {
                assertEquals(0f, enc.get(1, 2, 3, k), "row 1's padding is no key of the encoder");
                assertEquals(0f, cross.get(1, 2, 3, k), "nor of cross-attention");
                assertTrue(enc.get(0, 2, 3, k) > 0, "row 0 is not padded there");
            }
            TensorData bias = s.read(ENCODER.at(HookName.Model.POSITION_BIAS));
            assertArrayEquals(new long[] {1, 4, SOURCE_A.length, SOURCE_A.length}, bias.shape());
            // one table, bucketed: the same relative position has the same bias everywhere
            assertEquals(bias.get(0, 1, 2, 5), bias.get(0, 1, 6, 9));
            assertNotEquals(bias.get(0, 1, 2, 5), bias.get(0, 1, 5, 2), "the encoder's buckets tell before from after");
            TensorData decoderBias = s.read(DECODER.at(HookName.Model.POSITION_BIAS));
            assertEquals(decoderBias.get(0, 0, 3, 5), decoderBias.get(0, 0, 3, 9), "causal buckets: every later key is bucket 0");
        }
    }

    @Test
    void cachedDecodeEqualsRecomputeOver20Tokens() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 31, 0.2f))) {
            double worst = DecodeParity.maxLogitDiff(m.model(), Batch.of(SOURCE_A), 20);
            log("T5 cached decode vs recompute over 20 tokens: max logit diff %.3g", worst);
            assertTrue(worst <= 1e-4, "max |cached - recomputed logit| = " + worst);
        }
        ModelConfig relu = config(false, false);
        try (LoadedModel m = load(relu, RandomT5.tensors(relu, 32, 0.2f))) {
            Batch prompt = Batch.encoderDecoder(SOURCE_B, new long[] {0, 4, 4});
            double worst = DecodeParity.maxLogitDiff(m.model(), prompt, 16);
            log("T5 (relu, untied, 3 decoder ids given) cached decode vs recompute over 16 tokens: max logit diff %.3g", worst);
            assertTrue(worst <= 1e-4, "max |cached - recomputed logit| = " + worst);
        }
    }

    @Test
    void theCacheStoresCrossAttentionOnceAndTheDecodePassReadsIt() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 33, 0.2f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            assertEquals(3, m.model().capabilities().cacheLayers(), "the cache holds the decoder's layers");
            s.reset(Batch.of(SOURCE_A));
            s.generate(new Sampler(SamplingConfig.GREEDY));
            KvCache cache = s.cache();
            assertTrue(cache.hasCross());
            assertEquals(SOURCE_A.length, cache.crossLength());
            assertEquals(1, cache.length(), "one decoder position (the start token) cached so far");
            long selfBytes = 2L * 1 * 4 * 6 * 4;
            long crossBytes = 2L * SOURCE_A.length * 4 * 6 * 4;
            assertEquals(selfBytes + crossBytes, cache.bytes(2), "keys and values of self- and cross-attention");
            assertEquals(crossBytes, cache.crossBytes(2));
            s.runToEnd();
            Trace prompt = s.groups().get(0).trace();
            for (int layer = 0; layer < cache.layers(); layer++) {
                // float32: 4 bytes for every element of the cross keys and values the prompt's pass computed
                long stored = 4L * (prompt.read(DECODER.at(CROSS_K, layer)).values().length
                        + prompt.read(DECODER.at(CROSS_V, layer)).values().length);
                assertEquals(stored, cache.crossBytes(layer), "layer " + layer);
            }
            for (HookName.Block b : List.of(CROSS_K, CROSS_V)) {
                assertArrayEquals(prompt.read(DECODER.at(b, 2)).values(), s.read(DECODER.at(b, 2)).values(), 0f, b.suffix);
            }
            assertArrayEquals(new long[] {1, 4, 1, SOURCE_A.length}, s.read(DECODER.at(CROSS_PATTERN, 0)).shape());
            assertArrayEquals(new long[] {1, 4, 1, 2}, s.read(DECODER.at(PATTERN, 0)).shape());
            assertArrayEquals(new long[] {1, 4, 1, 2}, s.read(DECODER.at(HookName.Model.POSITION_BIAS)).shape());
            assertArrayEquals(new long[] {0, s.groups().get(0).next().token()}, s.tokens(), "tokens() is the decoder's sequence");
            assertEquals(2, cache.length());
        }
    }

    @Test
    void compactTraceDerivesEveryHookExactly() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 41, 0.2f));
             Stepper full = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.FULL));
             Stepper compact = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT))) {
            for (Stepper s : List.of(full, compact)) {
                s.reset(paddedBatch().withDecoder(new long[][] {{0, 3}, {0, 9}}));
                s.runToEnd();
            }
            Trace f = full.group().trace();
            Trace c = compact.group().trace();
            for (String name : f.program().names()) {
                assertTrue(c.available(name), name + " should be reachable");
                assertArrayEquals(f.read(name).values(), c.read(name).values(), 0f, name);
            }
            assertTrue(c.retainedBytes() < f.retainedBytes(), "compact keeps less");
        }
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 42, 0.2f));
             Stepper full = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.FULL));
             Stepper compact = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT))) {
            for (Stepper s : List.of(full, compact)) {
                s.reset(Batch.of(SOURCE_A));
                s.generate(new Sampler(SamplingConfig.GREEDY));
                s.runToEnd();
            }
            Trace f = full.group().trace();
            Trace c = compact.group().trace();
            for (String name : f.program().names()) {
                assertArrayEquals(f.read(name).values(), c.read(name).values(), 0f, "decode pass: " + name);
            }
        }
    }

    @Test
    void disablingPositionsZeroesBothBiases() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 51, 0.2f));
             Stepper plain = new Stepper(m.model(), Stepper.Options.DEFAULT);
             Stepper off = new Stepper(m.model(), Stepper.Options.DEFAULT.withInterventions(
                     Interventions.NONE.with(Switches.NO_POSITIONS)))) {
            Batch batch = Batch.encoderDecoder(SOURCE_A, new long[] {0, 41, 41});
            for (Stepper s : List.of(plain, off)) {
                s.reset(batch);
                s.runToEnd();
            }
            for (HookName.Stack stack : HookName.Stack.values()) {
                for (float v : off.read(stack.at(HookName.Model.POSITION_BIAS)).values()) {
                    assertEquals(0f, v);
                }
            }
            // without positions, the two 41s of the source are the same key to every query
            TensorData p = off.read(ENCODER.at(PATTERN, 0));
            assertEquals(p.get(0, 0, 11, 4), p.get(0, 0, 11, 5), 1e-6);
            assertNotEquals(plain.read(ENCODER.at(PATTERN, 0)).get(0, 0, 11, 4), plain.read(ENCODER.at(PATTERN, 0)).get(0, 0, 11, 5));
        }
    }

    @Test
    void nativeMemoryIsReturnedWhenTracesClose() {
        try (LoadedModel m = load(GATED, RandomT5.tensors(GATED, 71, 0.2f))) {
            int baseline = m.model().manager().getManagedArrays().size();
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                for (int round = 0; round < 2; round++) {
                    s.reset(Batch.of(SOURCE_B));
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

    @Test
    void parametersAreTheCheckpointsTensorsInCheckpointOrder() {
        Map<String, SafeTensors.Tensor> w = RandomT5.tensors(GATED, 61, 0.2f);
        try (LoadedModel m = load(GATED, w)) {
            Map<String, NDArray> params = m.model().parameters();
            assertEquals(List.copyOf(w.keySet()), List.copyOf(params.keySet()));
            for (var e : w.entrySet()) {
                assertArrayEquals(e.getValue().values(), params.get(e.getKey()).toFloatArray(), 0f, e.getKey());
            }
            assertEquals(params.size(), m.model().manager().getManagedArrays().size(), "every weight held once");
            assertFalse(params.containsKey("lm_head.weight"), "tied");
        }
    }
}
