package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static org.junit.jupiter.api.Assertions.*;

/** The engine's forward pass against an independent plain-Java implementation, and the handbook's example. */
class Gpt2ModelTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96, 12, 7, 63};

    @Test
    void logitsAndPatternsMatchAnIndependentReference() {
        Map<String, SafeTensors.Tensor> w = TinyModels.tensors(42);
        ReferenceGpt2.Result ref = new ReferenceGpt2(TinyModels.CONFIG, w).forward(PROMPT);
        try (LoadedModel m = TinyModels.load(w); Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            TensorData logits = s.read(HookName.Model.LOGITS.id);
            assertArrayEquals(new long[] {1, PROMPT.length, 97}, logits.shape());
            double maxDiff = 0;
            double spread = 0;
            for (int t = 0; t < PROMPT.length; t++) {
                for (int v = 0; v < 97; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits.get(0, t, v) - ref.logits()[t][v]));
                    spread = Math.max(spread, Math.abs(ref.logits()[t][v]));
                }
            }
            assertTrue(spread > 1, "the reference logits should not be trivially small: " + spread);
            assertTrue(maxDiff <= 1e-4, "max |logit - reference| = " + maxDiff);

            for (int l = 0; l < 2; l++) {
                TensorData p = s.read(PATTERN.at(l));
                for (int h = 0; h < 4; h++) {
                    for (int q = 0; q < PROMPT.length; q++) {
                        for (int k = 0; k < PROMPT.length; k++) {
                            double expected = k <= q ? ref.patterns()[l][h][q][k] : 0;
                            assertEquals(expected, p.get(0, h, q, k), 1e-5, "layer " + l + " head " + h + " q " + q + " k " + k);
                        }
                    }
                }
            }
        }
    }

    /**
     * The handbook's worked example through the model's own attention steps: one query whose scaled scores
     * against three keys are [2, 1, 0], values [1,0], [0,1], [1,1] -> weights ~[0.67, 0.24, 0.09], output
     * ~[0.76, 0.33].
     */
    @Test
    void handbookWorkedExample() {
        // d_model 4, one head of 4 (scale 1/2). Token rows are orthogonal, mean 0, variance 1, so ln1 passes them
        // through; W_K = I; W_Q maps token 2 to q = u0 + u1/2, so q.k_j / 2 = [2, 1, 0]; W_V maps u_j to v_j.
        double[][] u = {{1, 1, -1, -1}, {1, -1, 1, -1}, {1, -1, -1, 1}};
        double[] q2 = new double[4];
        for (int j = 0; j < 4; j++) {
            q2[j] = u[0][j] + 0.5 * u[1][j];
        }
        double[][] v = {{1, 0, 0, 0}, {0, 1, 0, 0}, {1, 1, 0, 0}};
        float[] cAttn = new float[4 * 12];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                cAttn[i * 12 + j] = (float) (u[2][i] * q2[j] / 4);          // W_Q = u2^T q2 / |u2|^2
                cAttn[i * 12 + 4 + j] = i == j ? 1f : 0f;                   // W_K = I
                double wv = 0;
                for (int t = 0; t < 3; t++) {
                    wv += u[t][i] * v[t][j] / 4;                            // W_V = sum_t u_t^T v_t / 4
                }
                cAttn[i * 12 + 8 + j] = (float) wv;
            }
        }
        ModelConfig c = new ModelConfig(1, 1, 4, 3, 3, 1e-12, ModelConfig.Activation.GELU_NEW);
        Map<String, SafeTensors.Tensor> w = new LinkedHashMap<>(RandomGpt2.tensors(c, 1, 0f));
        float[] wte = new float[12];
        for (int t = 0; t < 3; t++) {
            for (int j = 0; j < 4; j++) {
                wte[t * 4 + j] = (float) u[t][j];
            }
        }
        w.put("wte.weight", new SafeTensors.Tensor(wte, new long[] {3, 4}, SafeTensors.DType.F32));
        w.put("h.0.attn.c_attn.weight", new SafeTensors.Tensor(cAttn, new long[] {4, 12}, SafeTensors.DType.F32));
        w.put("h.0.ln_1.weight", new SafeTensors.Tensor(new float[] {1, 1, 1, 1}, new long[] {4}, SafeTensors.DType.F32));
        w.put("h.0.ln_1.bias", new SafeTensors.Tensor(new float[4], new long[] {4}, SafeTensors.DType.F32));

        try (LoadedModel m = LoadedModel.of("handbook", c, w, null, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.FULL))) {
            s.reset(new long[] {0, 1, 2});
            s.runTo(Z.at(0));
            assertArrayEquals(new float[] {2, 1, 0}, s.read(ATTN_SCORES_UNMASKED.at(0)).row(0, 0, 2), 1e-5f);
            float[] weights = s.read(PATTERN.at(0)).row(0, 0, 2);
            assertArrayEquals(new float[] {0.665f, 0.245f, 0.090f}, weights, 0.001f);
            TensorData z = s.read(Z.at(0));
            assertEquals(0.755, z.get(0, 2, 0, 0), 0.001);
            assertEquals(0.335, z.get(0, 2, 0, 1), 0.001);
        }
    }
}
