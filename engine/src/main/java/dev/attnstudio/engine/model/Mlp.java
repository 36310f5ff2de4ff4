package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.attnstudio.engine.config.ModelConfig;

/** The feed-forward sub-layer: act(x W_in + b_in) W_out + b_out, widening d_model to d_mlp and back. */
final class Mlp {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private final NDArray wIn;  // [d, m]
    private final NDArray bIn;  // [m]
    private final NDArray wOut; // [m, d]
    private final NDArray bOut; // [d]
    private final ModelConfig.Activation activation;

    Mlp(NDArray wIn, NDArray bIn, NDArray wOut, NDArray bOut, ModelConfig.Activation activation) {
        this.wIn = wIn;
        this.bIn = bIn;
        this.wOut = wOut;
        this.bOut = bOut;
        this.activation = activation;
    }

    /** [B, T, d] -> [B, T, m]. */
    NDArray pre(NDArray x) {
        return x.matMul(wIn).add(bIn);
    }

    /** [B, T, m] -> [B, T, m]. */
    NDArray post(NDArray pre) {
        return switch (activation) {
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's gelu_new
            case GELU_NEW -> pre.pow(3).mul(0.044715f).add(pre).mul((float) SQRT_2_OVER_PI).tanh().add(1f).mul(pre).mul(0.5f);
            case GELU -> Activation.gelu(pre);
            case RELU -> Activation.relu(pre);
            case SILU -> pre.mul(Activation.sigmoid(pre));
        };
    }

    String postMath() {
        return switch (activation) {
            case GELU_NEW -> "gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))";
            case GELU -> "gelu(x) = x Phi(x) (exact erf form)";
            case RELU -> "relu(x) = max(x, 0)";
            case SILU -> "silu(x) = x sigmoid(x)";
        };
    }

    /** [B, T, m] -> [B, T, d]. */
    NDArray out(NDArray post) {
        return post.matMul(wOut).add(bOut);
    }
}
