package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.Arrays;

/** Shape arithmetic shared by the kernels. Tensors are {@link TensorData}: row-major float32. */
final class Shapes {

    /** Name given to intermediate results; {@link Expression#evaluate} names the final one after its source. */
    static final String UNNAMED = "";

    private Shapes() {
    }

    static TensorData tensor(long[] shape, float[] values) {
        return new TensorData(UNNAMED, shape, values);
    }

    static TensorData scalar(double value) {
        return tensor(new long[0], new float[] {(float) value});
    }

    /** The number of values of a shape, refused when a Java array cannot hold them. */
    static int size(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
            if (n > Integer.MAX_VALUE - 8) {
                throw new MathError("the result " + show(shape) + " would be too large to hold");
            }
        }
        return (int) n;
    }

    /** Row-major strides, in values. */
    static int[] strides(long[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= (int) shape[d];
        }
        return s;
    }

    /** A dim in -rank..rank-1 as an axis in 0..rank-1. */
    static int axis(long dim, int rank) {
        if (rank == 0) {
            throw new MathError("dim " + dim + " does not exist: the tensor is a single number (rank 0)");
        }
        if (dim < -rank || dim >= rank) {
            throw new MathError("dim " + dim + " is out of range for a tensor of rank " + rank
                    + " (use " + (-rank) + " to " + (rank - 1) + ")");
        }
        return (int) (dim < 0 ? dim + rank : dim);
    }

    /** Sizes before, along and after an axis: a reduction or softmax sees the tensor as [outer, n, inner]. */
    static int[] split(long[] shape, int axis) {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= (int) shape[d];
        }
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        return new int[] {outer, (int) shape[axis], inner};
    }

    /** "[1, 4, 12, 12]"; a scalar is "[]". */
    static String show(long[] shape) {
        return Arrays.toString(shape);
    }

    static long[] drop(long[] shape, int axis) {
        long[] out = new long[shape.length - 1];
        System.arraycopy(shape, 0, out, 0, axis);
        System.arraycopy(shape, axis + 1, out, axis, shape.length - axis - 1);
        return out;
    }
}
