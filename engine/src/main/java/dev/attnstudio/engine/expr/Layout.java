package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

/** Operations that move values without changing them: transpose (swap two axes) and reshape. */
final class Layout {

    private Layout() {
    }

    /** Swaps two axes (each 0..rank-1). */
    static TensorData transpose(TensorData x, int a, int b) {
        long[] shape = x.shape();
        if (a == b) {
            return x;
        }
        long[] out = shape.clone();
        out[a] = shape[b];
        out[b] = shape[a];
        int[] in = Shapes.strides(shape);
        int[] read = in.clone();
        read[a] = in[b];
        read[b] = in[a];
        float[] v = x.values();
        float[] r = new float[v.length];
        int rank = out.length;
        int[] idx = new int[rank];
        int src = 0;
        for (int f = 0; f < r.length; f++) {
            r[f] = v[src];
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                src += read[d];
                if (idx[d] < out[d]) {
                    break;
                }
                src -= read[d] * (int) out[d];
                idx[d] = 0;
            }
        }
        return Shapes.tensor(out, r);
    }

    /**
     * The same values under a new shape; one size may be -1, meaning whatever the others leave.
     *
     * @throws MathError with {@code operand} the position of the bad size in {@code sizes}, or -1 when the total
     *                   does not match
     */
    static TensorData reshape(TensorData x, long[] sizes) {
        long[] out = sizes.clone();
        int free = -1;
        long known = 1;
        for (int d = 0; d < out.length; d++) {
            if (out[d] == -1) {
                if (free >= 0) {
                    throw new MathError("only one size may be -1", d);
                }
                free = d;
            } else if (out[d] < 0) {
                throw new MathError("a size cannot be negative (only -1, meaning \"the rest\")", d);
            } else {
                known *= out[d];
            }
        }
        int total = x.values().length;
        if (free >= 0) {
            if (known == 0 || total % known != 0) {
                throw new MathError("cannot reshape " + Shapes.show(x.shape()) + " (" + total + " values) into "
                        + Shapes.show(sizes) + ": " + total + " is not a multiple of " + known);
            }
            out[free] = total / known;
        } else if (known != total) {
            throw new MathError("cannot reshape " + Shapes.show(x.shape()) + " (" + total + " values) into "
                    + Shapes.show(sizes) + " (" + known + " values)");
        }
        return Shapes.tensor(out, x.values());
    }
}
