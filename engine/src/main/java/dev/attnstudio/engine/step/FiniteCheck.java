package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.attnstudio.engine.program.Op;

import java.util.List;

/**
 * How a {@link Trace} tells that a step's value holds NaN or an infinity it should not: one reduction of the value to a
 * scalar, read back; and for a fused run, one sum over the probes of all its kept values.
 */
final class FiniteCheck {

    private FiniteCheck() {
    }

    /** Whether every probe ({@link #probe}) of a fused run is finite: their sum, read once. */
    static boolean allFinite(List<NDArray> probes) {
        return Float.isFinite(scalar(NDArrays.stack(new NDList(probes)).sum()));
    }

    /**
     * "NaN" or "Inf" when a step's value is not finite where it should be, else null: one reduction to a scalar, whose
     * NaN or infinity tells. For most steps the sum, which any NaN or infinity makes non-finite and which allocates
     * nothing the size of the value; only when it is not finite (finite values can also overflow it) does max |x|
     * decide. For the mask and the masked scores, whose -inf is by design, max x.
     */
    static String nonFinite(Op op, NDArray out) {
        if (!checkable(out)) {
            return null;
        }
        if (minusInfinityAllowed(op)) {
            return verdict(scalar(out.max()));
        }
        if (Float.isFinite(scalar(out.sum()))) {
            return null;
        }
        return verdict(scalar(out.abs().max()));
    }

    static boolean checkable(NDArray out) {
        return out.getDataType().isFloating() && !out.isEmpty();
    }

    /** The mask and the masked scores hold -inf by design. */
    private static boolean minusInfinityAllowed(Op op) {
        return op.kind() == Op.Kind.MASK || op.kind() == Op.Kind.APPLY_MASK;
    }

    /**
     * A scalar that is finite when the value is as it should be: its sum (which finite values can also overflow, so a
     * non-finite probe is confirmed by {@link #nonFinite}), or for a mask max(max x, 0), which only NaN or +inf spoil.
     */
    static NDArray probe(Op op, NDArray out) {
        NDArray p = minusInfinityAllowed(op) ? out.max().maximum(0f) : out.sum();
        return p.toType(DataType.FLOAT32, false);
    }

    private static float scalar(NDArray reduced) {
        return reduced.toType(DataType.FLOAT32, false).getFloat();
    }

    private static String verdict(float top) {
        return Float.isNaN(top) ? "NaN" : top == Float.POSITIVE_INFINITY ? "Inf" : null;
    }
}
