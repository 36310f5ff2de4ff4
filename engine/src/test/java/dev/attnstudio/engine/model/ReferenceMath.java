package dev.attnstudio.engine.model;

import dev.attnstudio.engine.io.SafeTensors;

/**
 * The plain-double building blocks the reference forward passes ({@link ReferenceGpt2}, {@link ReferenceLlama},
 * {@link ReferenceT5}) share, written with loops and no DJL, so each reference stays independent of the engine it
 * checks.
 */
final class ReferenceMath {

    private ReferenceMath() {
    }

    /** RMS norm of each row of x [N, d]: x / sqrt(mean(x^2) + eps) * gain, no mean and no bias (LLaMA, T5). */
    static double[][] rmsNorm(double[][] x, float[] gain, double eps) {
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            double ms = 0;
            for (double v : x[i]) {
                ms += v * v;
            }
            double inv = 1 / Math.sqrt(ms / x[i].length + eps);
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = x[i][j] * inv * gain[j];
            }
        }
        return out;
    }

    /** x [N, in] . W^T with W a torch Linear weight [out, in], no bias. */
    static double[][] linear(double[][] x, SafeTensors.Tensor w) {
        int out = (int) w.shape()[0], in = (int) w.shape()[1];
        float[] values = w.values();
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int k = 0; k < in; k++) {
                    s += values[o * in + k] * x[i][k];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    /** The residual add, in place: x += y. */
    static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] += y[i][j];
            }
        }
    }
}
