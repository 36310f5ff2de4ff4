package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.io.Checkpoint;
import dev.attnstudio.engine.io.SafeTensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Weights held in half precision, widened to float32 where they are used. A float16 or bfloat16 checkpoint opened with
 * half-precision matrices ({@link WeightSource#of(Checkpoint, boolean)}) keeps each matrix (projections, embeddings,
 * lm_head) as its stored 16-bit values, half the memory of float32, in an array of dtype FLOAT16 named
 * {@link Checkpoint#storedAs} its stored dtype. For bfloat16 that array is only a container of the bits: DJL's PyTorch
 * engine has no bfloat16 type (creating or converting to one aborts the JVM), so the bits are widened here by a byte
 * copy through views of the engine's memory: float32 bits = bfloat16 bits {@code << 16}. Float16 is widened by the
 * engine ({@code toType}). A FLOAT16 weight without that name is refused rather than guessed at. The bits are read
 * in memory order, so a half weight is always contiguous (the loader keeps it so: see
 * {@link WeightTable.Layout#TRANSPOSED}).
 *
 * <p>Widening is exact (every float16 and bfloat16 value is a float32), and the widened copy is contiguous in the
 * layout the float32 loader would have made, so the float32 arithmetic that follows is the same operation on the same
 * values and gives the same result bit for bit. Float32 weights pass through untouched: no copy, no extra op.
 *
 * <p>A widened copy is closed as soon as its product or gather is computed (autograd, when recording, keeps its own
 * reference), so the transient is one weight's float32 at a time: the largest is the unembedding's, V x d x 4 bytes
 * (1.0 GiB for LLaMA-3.2-1B's 128256 x 2048).
 */
public final class HalfWeights {

    /**
     * The system property that turns half-precision weights off when set to {@code false}: a half-precision checkpoint
     * then opens with every tensor widened to float32 at load (twice the memory; needed to train it).
     */
    public static final String PROPERTY = "attnstudio.halfPrecisionWeights";

    private static final String F16 = Checkpoint.storedAs(SafeTensors.DType.F16);
    private static final String BF16 = Checkpoint.storedAs(SafeTensors.DType.BF16);

    /** Bytes 2 and 3 of each float32: where a bfloat16's two bytes go. */
    private static final NDIndex HIGH_HALF = new NDIndex(":, 2:4");

    private HalfWeights() {
    }

    /** Whether an array holds a weight's 16-bit values (float16 or bfloat16) rather than float32. */
    public static boolean isHalf(NDArray a) {
        return a.getDataType() == DataType.FLOAT16;
    }

    /** The stored dtype of a weight: F32, or F16 / BF16 for a half-precision one. */
    public static SafeTensors.DType storedAs(NDArray weight) {
        if (!isHalf(weight)) {
            return SafeTensors.DType.F32;
        }
        if (F16.equals(weight.getName())) {
            return SafeTensors.DType.F16;
        }
        if (BF16.equals(weight.getName())) {
            return SafeTensors.DType.BF16;
        }
        throw new IllegalStateException("a float16 weight " + weight.getShape() + " is named '" + weight.getName()
                + "', not '" + F16 + "' or '" + BF16 + "': it is not known what its 16 bits hold");
    }

    /**
     * An array derived from a half weight by moving whole elements (a transpose copy, a slice, a gather) holds the same
     * kind of bits: names it as {@code from} is named, and returns it.
     */
    static NDArray sameKind(NDArray from, NDArray derived) {
        if (isHalf(from)) {
            derived.setName(from.getName());
        }
        return derived;
    }

    /**
     * x W, or x W^T when {@code transposed}: [..., in] x [in, out] (or [out, in] read transposed) -> [..., out]. A half
     * W is widened for this product only; a float32 W read transposed may be split over the threads
     * ({@link RowBlockProduct}).
     */
    static NDArray times(NDArray x, NDArray w, boolean transposed) {
        if (!isHalf(w)) {
            return transposed ? RowBlockProduct.timesTransposed(x, w) : x.matMul(w);
        }
        try (NDArray wide = widen(w); NDArray view = transposed ? wide.transpose() : null) {
            return x.matMul(transposed ? view : wide);
        }
    }

    /** Rows of a table: ids [...] (int64) -> table[ids] [..., d] as float32; a half table's rows are gathered, then widened. */
    static NDArray rows(NDArray table, NDArray ids) {
        return part(table, table.get(ids));
    }

    /**
     * A part of a weight as float32 ({@code part} made from {@code weight} by moving whole elements: a slice, a
     * gather): a half part becomes a float32 copy and is itself closed; a float32 part is returned as it is.
     */
    static NDArray part(NDArray weight, NDArray part) {
        if (!isHalf(weight)) {
            return part;
        }
        try (NDArray bits = sameKind(weight, part)) {
            return widen(bits);
        }
    }

    /** A weight's values as float32 on the Java heap, row-major (for writers and exporters), whatever it holds. */
    public static float[] floats(NDArray weight) {
        if (!isHalf(weight)) {
            return weight.toFloatArray();
        }
        try (NDArray wide = widen(weight)) {
            return wide.toFloatArray();
        }
    }

    /**
     * A new float32 array (in the weight's manager) equal to a half weight: exact. Float16 by the engine's conversion;
     * bfloat16 by a byte copy within the engine: the float32 array starts as zeros, and a UINT8 view of its memory
     * [n, 4] takes the weight's bytes [n, 2] as its bytes 2 and 3 (little-endian: the high half, so bits << 16).
     */
    private static NDArray widen(NDArray half) {
        if (storedAs(half) == SafeTensors.DType.F16) {
            return half.toType(DataType.FLOAT32, false);
        }
        NDManager manager = half.getManager();
        NDArray wide = manager.zeros(half.getShape(), DataType.FLOAT32);
        try {
            long n = half.size();
            if (n == 0) {
                return wide;
            }
            ByteBuffer from = half.toByteBuffer(true);
            ByteBuffer into = wide.toByteBuffer(true);
            if (!from.isDirect() || !into.isDirect() || into.capacity() != 4 * n || from.capacity() != 2 * n
                    || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                throw new IllegalStateException("bfloat16 weights are widened through direct views of little-endian CPU"
                        + " memory; this engine lends none here (" + half.getDevice() + ")");
            }
            // Both views wrap the arrays' memory in place: writing through one writes the float32 array.
            try (NDArray bytes = manager.create(into, new Shape(n, 4), DataType.UINT8);
                 NDArray bits = manager.create(from, new Shape(n, 2), DataType.UINT8)) {
                bytes.set(HIGH_HALF, bits);
            }
            return wide;
        } catch (RuntimeException | Error e) {
            wide.close();
            throw e;
        }
    }
}
