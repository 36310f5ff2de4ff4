package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.attnstudio.engine.config.ModelConfig;

/**
 * The feed-forward sub-layer, widening d_model to d_mlp and back. Plain (GPT-2, BERT):
 * act(x W_in + b_in) W_out + b_out. Gated (LLaMA's SwiGLU): (act(x W_gate) * x W_up) W_down, where the gate is
 * {@code mlp.hook_pre} and its linear partner {@code mlp.hook_pre_linear}. T5 has both kinds without biases: ReLU
 * (original T5) and gated gelu_new (v1.1, flan).
 */
final class Mlp {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private final Attention.Projection in;   // d -> m (gated: the gate)
    private final Attention.Projection up;   // d -> m, the gate's partner; null when not gated
    private final Attention.Projection out;  // m -> d
    private final ModelConfig.Activation activation;

    /** Plain MLP, weights [in, out] with biases: wIn [d, m], bIn [m], wOut [m, d], bOut [d]. */
    Mlp(NDArray wIn, NDArray bIn, NDArray wOut, NDArray bOut, ModelConfig.Activation activation) {
        this(Attention.Projection.inOut(wIn, bIn), null, Attention.Projection.inOut(wOut, bOut), activation);
    }

    private Mlp(Attention.Projection in, Attention.Projection up, Attention.Projection out,
                ModelConfig.Activation activation) {
        this.in = in;
        this.up = up;
        this.out = out;
        this.activation = activation;
    }

    /** Plain MLP from torch Linear weights without biases (T5's ReLU feed-forward): in [m, d], out [d, m]. */
    static Mlp linear(NDArray wIn, NDArray wOut, ModelConfig.Activation activation) {
        return new Mlp(Attention.Projection.linear(wIn), null, Attention.Projection.linear(wOut), activation);
    }

    /** Gated MLP from torch Linear weights without biases: gate [m, d], up [m, d], down [d, m]. */
    static Mlp gated(NDArray gate, NDArray up, NDArray down, ModelConfig.Activation activation) {
        return new Mlp(Attention.Projection.linear(gate), Attention.Projection.linear(up),
                Attention.Projection.linear(down), activation);
    }

    boolean isGated() {
        return up != null;
    }

    /** [B, T, d] -> [B, T, m]: x W_in + b_in, or the gate x W_gate. */
    NDArray pre(NDArray x) {
        return in.apply(x);
    }

    /** [B, T, d] -> [B, T, m]: x W_up, the gate's linear partner (gated MLPs only). */
    NDArray preLinear(NDArray x) {
        if (up == null) {
            throw new IllegalStateException("a plain MLP has no linear partner");
        }
        return up.apply(x);
    }

    /** [B, T, m] -> [B, T, m]: act(pre) (plain MLPs). */
    NDArray post(NDArray pre) {
        return switch (activation) {
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's gelu_new
            case GELU_NEW -> pre.pow(constant(pre, 3)).mul(constant(pre, 0.044715f)).add(pre)
                    .mul(constant(pre, (float) SQRT_2_OVER_PI)).tanh().add(constant(pre, 1f)).mul(pre).mul(constant(pre, 0.5f));
            case GELU -> Activation.gelu(pre);
            case RELU -> Activation.relu(pre);
            case SILU -> pre.mul(Activation.sigmoid(pre));
        };
    }

    /** [B, T, m] x2 -> [B, T, m]: act(gate) * up (gated MLPs). */
    NDArray postGated(NDArray gate, NDArray linear) {
        return post(gate).mul(linear);
    }

    /**
     * A scalar made by PyTorch. {@code x.mul(0.5f)} would wrap a Java buffer that DJL frees at once while autograd
     * still holds it for the backward pass; {@code full} memory belongs to PyTorch.
     */
    private static NDArray constant(NDArray like, float value) {
        return like.getManager().full(new ai.djl.ndarray.types.Shape(), value);
    }

    private static NDArray constant(NDArray like, int value) {
        return like.getManager().full(new ai.djl.ndarray.types.Shape(), value);
    }

    String postMath() {
        String act = switch (activation) {
            case GELU_NEW -> "gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))";
            case GELU -> "gelu(x) = x Phi(x) (exact erf form)";
            case RELU -> "relu(x) = max(x, 0)";
            case SILU -> "silu(x) = x sigmoid(x)";
        };
        if (!isGated()) {
            return act;
        }
        String name = act.substring(0, act.indexOf('('));
        return name + "(gate) * up, with " + act;
    }

    /** [B, T, m] -> [B, T, d]. */
    NDArray out(NDArray post) {
        return out.apply(post);
    }
}
