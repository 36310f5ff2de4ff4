package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.program.Op;

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. */
final class LayerNorm implements Norm {

    private final NDArray gamma; // [d]
    private final NDArray beta;  // [d]
    private final float eps;

    LayerNorm(NDArray gamma, NDArray beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = (float) eps;
    }

    @Override
    public Op.NormType type() {
        return Op.NormType.LAYER_NORM;
    }

    @Override
    public String math() {
        return "LayerNorm: (x - mean) / sqrt(var + eps) * gamma + beta, over d_model";
    }

    /** [B, T, d] -> [B, T, d]. */
    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, beta, eps).singletonOrThrow();
    }
}
