package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.Arrays;

/**
 * Operations along one axis, computed in double: reductions (sum, mean, max, min, argmax, population variance),
 * softmax and log-softmax, and the two norms over the last axis. Each views the tensor as [outer, n, inner] around
 * the axis.
 */
final class Reductions {

    enum Kind {
        SUM, MEAN, MAX, MIN, ARGMAX, VAR
    }

    private Reductions() {
    }

    /**
     * @param axis    0..rank-1, or -1 for every value at once (the result is then a single number)
     * @param keepdim whether the reduced axis stays with size 1 (every axis, when reducing all)
     */
    static TensorData reduce(TensorData x, Kind kind, int axis, boolean keepdim) {
        long[] shape = x.shape();
        int[] onr = axis < 0 ? new int[] {1, x.values().length, 1} : Shapes.split(shape, axis);
        int outer = onr[0];
        int n = onr[1];
        int inner = onr[2];
        if (n == 0 && (kind == Kind.MAX || kind == Kind.MIN || kind == Kind.ARGMAX)) {
            throw new MathError(kind.name().toLowerCase() + " of an empty axis has no value");
        }
        float[] v = x.values();
        float[] r = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                r[o * inner + i] = (float) along(v, o * n * inner + i, inner, n, kind);
            }
        }
        long[] out;
        if (axis < 0) {
            out = keepdim ? ones(shape.length) : new long[0];
        } else if (keepdim) {
            out = shape.clone();
            out[axis] = 1;
        } else {
            out = Shapes.drop(shape, axis);
        }
        return Shapes.tensor(out, r);
    }

    /** One reduction over n values starting at {@code start}, {@code step} apart. NaN propagates, as in PyTorch. */
    private static double along(float[] v, int start, int step, int n, Kind kind) {
        switch (kind) {
            case SUM:
            case MEAN: {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += v[start + j * step];
                }
                return kind == Kind.SUM ? s : s / n;
            }
            case VAR: {
                double mean = 0;
                for (int j = 0; j < n; j++) {
                    mean += v[start + j * step];
                }
                mean /= n;
                double ss = 0;
                for (int j = 0; j < n; j++) {
                    double d = v[start + j * step] - mean;
                    ss += d * d;
                }
                return ss / n;
            }
            default: {
                int best = 0;
                double bestValue = v[start];
                for (int j = 1; j < n && !Double.isNaN(bestValue); j++) {
                    double y = v[start + j * step];
                    boolean better = Double.isNaN(y) || (kind == Kind.MIN ? y < bestValue : y > bestValue);
                    if (better) {
                        best = j;
                        bestValue = y;
                    }
                }
                return kind == Kind.ARGMAX ? best : bestValue;
            }
        }
    }

    /**
     * exp(x - max) / sum(exp(x - max)) along an axis, or its logarithm. A row of only -inf gives NaN, as in
     * PyTorch (the engine's own hook_pattern gives such a row zeros instead).
     */
    static TensorData softmax(TensorData x, int axis, boolean log) {
        int[] onr = Shapes.split(x.shape(), axis);
        int n = onr[1];
        int inner = onr[2];
        float[] v = x.values();
        float[] r = new float[v.length];
        double[] e = new double[n];
        for (int o = 0; o < onr[0]; o++) {
            for (int i = 0; i < inner; i++) {
                int start = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, v[start + j * inner]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    e[j] = Math.exp(v[start + j * inner] - max);
                    sum += e[j];
                }
                double logSum = Math.log(sum);
                for (int j = 0; j < n; j++) {
                    r[start + j * inner] = (float) (log ? v[start + j * inner] - max - logSum : e[j] / sum);
                }
            }
        }
        return Shapes.tensor(x.shape().clone(), r);
    }

    /** (x - mean) / sqrt(var + eps) over the last axis, var the population variance; no gain or bias. */
    static TensorData layerNorm(TensorData x, double eps) {
        return lastAxis(x, true, eps);
    }

    /** x / sqrt(mean(x^2) + eps) over the last axis; no gain. */
    static TensorData rmsNorm(TensorData x, double eps) {
        return lastAxis(x, false, eps);
    }

    private static TensorData lastAxis(TensorData x, boolean center, double eps) {
        if (x.rank() == 0) {
            throw new MathError("a norm works over the last axis, but the tensor is a single number");
        }
        int n = (int) x.shape()[x.rank() - 1];
        float[] v = x.values();
        float[] r = new float[v.length];
        for (int start = 0; start + n <= v.length && n > 0; start += n) {
            double mean = 0;
            if (center) {
                for (int j = 0; j < n; j++) {
                    mean += v[start + j];
                }
                mean /= n;
            }
            double ss = 0;
            for (int j = 0; j < n; j++) {
                double d = v[start + j] - mean;
                ss += d * d;
            }
            double scale = 1 / Math.sqrt(ss / n + eps);
            for (int j = 0; j < n; j++) {
                r[start + j] = (float) ((v[start + j] - mean) * scale);
            }
        }
        return Shapes.tensor(x.shape().clone(), r);
    }

    private static long[] ones(int rank) {
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        return s;
    }
}
