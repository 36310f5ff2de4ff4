package dev.attnstudio.engine.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Two facts of DJL's PyTorch engine that matter once a trainer runs the forward pass under autograd.
 * {@code NDArray.duplicate()} detaches its result from the graph, so a copy made with it stops every gradient
 * flowing back through it. And an array created from Java values wraps a Java buffer without copying: once
 * the array is closed, the garbage collector may free that buffer while autograd still holds the tensor for the
 * backward pass (a multiplier, an index), which then reads freed memory.
 */
public final class Tensors {

    private Tensors() {
    }

    /** A copy that stays on the autograd graph. */
    public static NDArray copy(NDArray x) {
        return x.toType(x.getDataType(), true);
    }

    /**
     * Java values in memory PyTorch owns (a clone of the wrapped buffer; {@code toType(same, true)} is not enough).
     * For constants and indices: the clone is off the autograd graph, which they need not be on.
     */
    public static NDArray owned(NDManager manager, float[] values, Shape shape) {
        try (NDArray wrapped = manager.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    /** As {@link #owned(NDManager, float[], Shape)}, for indices. */
    public static NDArray owned(NDManager manager, long[] values, Shape shape) {
        try (NDArray wrapped = manager.create(values, shape)) {
            return wrapped.duplicate();
        }
    }
}
