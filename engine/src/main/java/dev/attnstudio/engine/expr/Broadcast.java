package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Element-wise operations with NumPy broadcasting: shapes are aligned at their last axis, and an axis of size 1 (or
 * a missing leading axis) is repeated to match the other. Each value is computed in double from the float32 inputs
 * and rounded once, which for + - * / gives exactly the float32 result.
 */
final class Broadcast {

    private Broadcast() {
    }

    /** The broadcast shape of {@code a} and {@code b}; a {@link MathError} naming the first axis that disagrees. */
    static long[] shape(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int d = 1; d <= rank; d++) {
            long x = d <= a.length ? a[a.length - d] : 1;
            long y = d <= b.length ? b[b.length - d] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new MathError("shapes " + Shapes.show(a) + " and " + Shapes.show(b) + " do not broadcast: "
                        + "axis " + (-d) + " has size " + x + " in one and " + y + " in the other");
            }
            out[rank - d] = x == 1 ? y : x;
        }
        return out;
    }

    /** Strides for reading {@code shape} as if it had the broadcast shape {@code out}: 0 on repeated axes. */
    static int[] stridesWithin(long[] shape, long[] out) {
        int[] own = Shapes.strides(shape);
        int[] s = new int[out.length];
        int offset = out.length - shape.length;
        for (int d = 0; d < shape.length; d++) {
            s[offset + d] = shape[d] == 1 ? 0 : own[d];
        }
        return s;
    }

    static TensorData apply(TensorData a, TensorData b, DoubleBinaryOperator op) {
        long[] out = shape(a.shape(), b.shape());
        int n = Shapes.size(out);
        float[] av = a.values();
        float[] bv = b.values();
        float[] r = new float[n];
        if (av.length == n && bv.length == n) {
            for (int f = 0; f < n; f++) {
                r[f] = (float) op.applyAsDouble(av[f], bv[f]);
            }
        } else if (bv.length == 1 && av.length == n) {
            double y = bv[0];
            for (int f = 0; f < n; f++) {
                r[f] = (float) op.applyAsDouble(av[f], y);
            }
        } else if (av.length == 1 && bv.length == n) {
            double x = av[0];
            for (int f = 0; f < n; f++) {
                r[f] = (float) op.applyAsDouble(x, bv[f]);
            }
        } else {
            general(av, stridesWithin(a.shape(), out), bv, stridesWithin(b.shape(), out), out, r, op);
        }
        return Shapes.tensor(out, r);
    }

    /** Walks the output in row-major order, moving an offset into each input by its (possibly zero) strides. */
    private static void general(float[] av, int[] sa, float[] bv, int[] sb, long[] out, float[] r,
                                DoubleBinaryOperator op) {
        int rank = out.length;
        int[] idx = new int[rank];
        int ia = 0;
        int ib = 0;
        for (int f = 0; f < r.length; f++) {
            r[f] = (float) op.applyAsDouble(av[ia], bv[ib]);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                ia += sa[d];
                ib += sb[d];
                if (idx[d] < out[d]) {
                    break;
                }
                ia -= sa[d] * (int) out[d];
                ib -= sb[d] * (int) out[d];
                idx[d] = 0;
            }
        }
    }

    static TensorData map(TensorData x, DoubleUnaryOperator f) {
        float[] v = x.values();
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) f.applyAsDouble(v[i]);
        }
        return Shapes.tensor(x.shape().clone(), r);
    }
}
