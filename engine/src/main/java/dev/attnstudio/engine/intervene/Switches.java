package dev.attnstudio.engine.intervene;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.program.HookContext;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.runtime.Tensors;

/** The interventions without parameters: switching off the score scaling or the positions. */
public enum Switches implements Intervention {

    /**
     * Scores are not divided by sqrt(d_head): {@code hook_attn_scores_unmasked} becomes q . k itself (plus a position
     * bias where the model adds one). Models that do not scale (T5) are unchanged.
     */
    NO_SCALING("no-scaling", "scaling off: scores not divided by sqrt(d_head)") {
        @Override
        public Hooks.Handle attach(Hooks hooks) {
            return hooks.add("**.attn.hook_attn_scores_unmasked", label(), Switches::unscaled);
        }
    },

    /**
     * The model gets no position information: learned position embeddings ({@code hook_pos_embed}) and relative
     * position biases ({@code hook_position_bias}) become zeros, and rotary models leave q and k unrotated
     * ({@code hook_rot_q} = {@code hook_q}). Attention then cannot tell positions apart except through the mask.
     */
    NO_POSITIONS("no-positions", "positions off") {
        @Override
        public Hooks.Handle attach(Hooks hooks) {
            return new HookSet(hooks, label())
                    .on("hook_pos_embed", Switches::zeros)
                    .on("*.hook_position_bias", Switches::zeros)
                    .on("**.attn.hook_rot_q", Switches::unrotated)
                    .on("**.attn.hook_rot_k", Switches::unrotated)
                    .handle();
        }
    };

    private final String spec;
    private final String label;

    Switches(String spec, String label) {
        this.spec = spec;
        this.label = label;
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public String label() {
        return label;
    }

    /** q . k (+ bias) without the factor: the sum of the scaling step's inputs; unchanged where the factor is 1. */
    private static NDArray unscaled(NDArray scores, HookContext ctx) {
        if (ctx.op().scale() == 1f) {
            return scores;
        }
        NDArray raw = Tensors.copy(ctx.input(0));
        for (int i = 1; i < ctx.op().inputs().size(); i++) {
            raw = raw.add(ctx.input(i));
        }
        return raw;
    }

    private static NDArray zeros(NDArray x, HookContext ctx) {
        return ctx.manager().zeros(x.getShape(), x.getDataType());
    }

    /** The rotation's input, unrotated. */
    private static NDArray unrotated(NDArray rotated, HookContext ctx) {
        return Tensors.copy(ctx.input(0));
    }
}
