package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * The feed-forward sub-layer, widening d_model to d_mlp and back: [B, T, d] -> [B, T, m] -> [B, T, d]. Plain (GPT-2,
 * BERT, T5's ReLU): act(x W_in + b_in) W_out + b_out. Gated (LLaMA's SwiGLU, T5's gated GELU):
 * (act(x W_gate) * x W_up) W_down, where the gate is {@code mlp.hook_pre} and its linear partner
 * {@code mlp.hook_pre_linear}. Biases are optional.
 */
final class Mlp {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private final Linear in;   // d -> m (gated: the gate)
    private final Linear up;   // d -> m, the gate's partner; null when not gated
    private final Linear out;  // m -> d
    private final ModelConfig.Activation activation;

    /** A plain MLP. */
    static Mlp plain(Linear in, Linear out, ModelConfig.Activation activation) {
        return new Mlp(in, null, out, activation);
    }

    /** A gated MLP: gate, up, down. */
    static Mlp gated(Linear gate, Linear up, Linear down, ModelConfig.Activation activation) {
        return new Mlp(gate, up, down, activation);
    }

    private Mlp(Linear in, Linear up, Linear out, ModelConfig.Activation activation) {
        this.in = in;
        this.up = up;
        this.out = out;
        this.activation = activation;
    }

    /** Adds the MLP's steps, reading the hook {@code x} and ending with {@code hook_mlp_out}. */
    void addSteps(Program.Builder p, Function<HookName.Block, String> names, String x) {
        p.subLayer(Op.SubLayer.MLP);
        if (up == null) {
            p.op(names.apply(MLP_PRE), Op.Kind.MLP_IN, in.math("x", "in") + " (d_model -> d_mlp)", in::apply, x);
            p.op(names.apply(MLP_POST), Op.Kind.MLP_ACT, actMath(), this::act, names.apply(MLP_PRE));
        } else {
            p.op(names.apply(MLP_PRE), Op.Kind.MLP_IN, "gate = " + in.math("x", "gate") + " (d_model -> d_mlp)", in::apply, x);
            p.op(names.apply(MLP_PRE_LINEAR), Op.Kind.MLP_IN, "up = " + up.math("x", "up")
                    + " (d_model -> d_mlp): the gate's linear partner", up::apply, x);
            String act = actMath();
            p.op(names.apply(MLP_POST), Op.Kind.MLP_ACT, act.substring(0, act.indexOf('(')) + "(gate) * up, with " + act,
                    (gate, linear) -> act(gate).mul(linear), names.apply(MLP_PRE), names.apply(MLP_PRE_LINEAR));
        }
        p.op(names.apply(MLP_OUT), Op.Kind.MLP_OUT, out.math("post", up == null ? "out" : "down") + " (d_mlp -> d_model)",
                out::apply, names.apply(MLP_POST));
    }

    /** [B, T, m] -> [B, T, m]: the non-linearity. */
    private NDArray act(NDArray pre) {
        return switch (activation) {
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's gelu_new
            case GELU_NEW -> pre.pow(constant(pre, 3)).mul(constant(pre, 0.044715f)).add(pre)
                    .mul(constant(pre, (float) SQRT_2_OVER_PI)).tanh().add(constant(pre, 1f)).mul(pre).mul(constant(pre, 0.5f));
            case GELU -> Activation.gelu(pre);
            case RELU -> Activation.relu(pre);
            case SILU -> pre.mul(Activation.sigmoid(pre));
        };
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

    private String actMath() {
        return switch (activation) {
            case GELU_NEW -> "gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))";
            case GELU -> "gelu(x) = x Phi(x) (exact erf form)";
            case RELU -> "relu(x) = max(x, 0)";
            case SILU -> "silu(x) = x sigmoid(x)";
        };
    }
}
