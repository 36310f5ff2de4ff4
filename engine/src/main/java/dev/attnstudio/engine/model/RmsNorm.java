package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.program.Op;

/**
 * RMSNorm over the last axis (LLaMA, T5): x / sqrt(mean(x^2) + eps) * w. Unlike LayerNorm it subtracts no mean and
 * adds no bias. Computed in float32 (Hugging Face upcasts to float32 for this step too).
 */
final class RmsNorm implements Norm {

    private final NDArray weight; // [d]
    private final float eps;

    RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    @Override
    public Op.NormType type() {
        return Op.NormType.RMS_NORM;
    }

    @Override
    public String math() {
        return "RMSNorm: x / sqrt(mean(x^2) + eps) * w, over d_model (no mean subtracted, no bias)";
    }

    /** [B, T, d] -> [B, T, d]. */
    @Override
    public NDArray forward(NDArray x) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt(); // [B, T, 1]
        return x.div(rms).mul(weight);
    }
}
