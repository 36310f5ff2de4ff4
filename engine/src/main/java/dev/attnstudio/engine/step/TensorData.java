package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.Arrays;

/**
 * A tensor copied out of native memory as plain Java values, for views, exporters and tests. Values are
 * row-major float32 whatever the tensor's dtype was.
 */
public record TensorData(String name, long[] shape, float[] values) {

    public static TensorData of(String name, NDArray array) {
        NDArray f = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        return new TensorData(name, array.getShape().getShape(), f.toFloatArray());
    }

    public int rank() {
        return shape.length;
    }

    public long size() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** The value at a full index (one coordinate per dimension). */
    public float get(long... idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException(name + " has rank " + shape.length + ", got " + idx.length + " indices");
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (idx[d] < 0 || idx[d] >= shape[d]) {
                throw new IndexOutOfBoundsException(name + ": index " + Arrays.toString(idx) + " outside " + Arrays.toString(shape));
            }
            flat = flat * shape[d] + idx[d];
        }
        return values[(int) flat];
    }

    /** The last-axis row at a prefix index, e.g. {@code row(0, head, query)} of a pattern. */
    public float[] row(long... prefix) {
        if (prefix.length != shape.length - 1) {
            throw new IllegalArgumentException(name + ": row() needs " + (shape.length - 1) + " indices");
        }
        long[] full = Arrays.copyOf(prefix, shape.length);
        int start = (int) flatIndex(full);
        int len = (int) shape[shape.length - 1];
        return Arrays.copyOfRange(values, start, start + len);
    }

    private long flatIndex(long[] idx) {
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + idx[d];
        }
        return flat;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
