package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;

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
}
