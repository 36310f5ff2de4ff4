package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. */
final class LayerNorm implements Norm {

    static final String MATH = "(x - mean) / sqrt(var + eps) * gamma + beta, over d_model";

    private final NDArray gamma; // [d]
    private final NDArray beta;  // [d]
    private final float eps;

    LayerNorm(NDArray gamma, NDArray beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = (float) eps;
    }

    /** Loads {@code name.weight} and {@code name.bias}, each [d_model]. */
    static LayerNorm load(WeightSource source, String name, NDManager m, ModelConfig config) {
        return new LayerNorm(source.require(name + ".weight", m, config.dModel()),
                source.require(name + ".bias", m, config.dModel()), config.layerNormEps());
    }

    @Override
    public String math() {
        return MATH;
    }

    /** [B, T, d] -> [B, T, d]. */
    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, beta, eps).singletonOrThrow();
    }
}
