package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.program.Op;

/**
 * RMSNorm over the last axis (LLaMA, T5): x / sqrt(mean(x^2) + eps) * w. Unlike LayerNorm it subtracts no mean and
 * adds no bias. Computed in float32 (Hugging Face upcasts to float32 for this step too).
 *
 * <p>Gemma's form stores the gain as an offset from 1 and multiplies by (1 + w) ({@code Gemma2RMSNorm}); Qwen3 applies
 * the norm to each head of q and k, over the head's h values ({@code q_norm}, {@code k_norm}, gains [h]).
 */
final class RmsNorm implements Norm {

    private final NDArray weight; // [n]: n = d_model, or h for a per-head norm
    private final float eps;
    private final boolean plusOne; // Gemma: gains (1 + w)
    private final String axis;     // what the mean runs over, for people

    RmsNorm(NDArray weight, double eps) {
        this(weight, eps, false, "d_model");
    }

    /**
     * @param plusOne whether the gain is (1 + w) (Gemma) rather than w
     * @param axis    what the last axis is, for the description ("d_model", "each head's h values")
     */
    RmsNorm(NDArray weight, double eps, boolean plusOne, String axis) {
        this.weight = weight;
        this.eps = (float) eps;
        this.plusOne = plusOne;
        this.axis = axis;
    }

    @Override
    public Op.NormType type() {
        return Op.NormType.RMS_NORM;
    }

    @Override
    public String math() {
        return "RMSNorm: x / sqrt(mean(x^2) + eps) * " + (plusOne ? "(1 + w)" : "w") + ", over " + axis
                + " (no mean subtracted, no bias)";
    }

    /** [..., n] -> [..., n]. */
    @Override
    public NDArray forward(NDArray x) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt(); // [..., 1]
        // (1 + w) formed each pass from the stored w, so the checkpoint's tensor stays the one that is trained
        NDArray gain = plusOne ? x.getManager().full(new Shape(), 1f).add(weight) : weight; // the pass's memory, not the model's
        return x.div(rms).mul(gain);
    }
}
