package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.step.Program;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/** A pre-norm transformer block: x + attn(ln1(x)), then x + mlp(ln2(x)). */
final class Block {

    private final LayerNorm ln1;
    private final Attention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    Block(LayerNorm ln1, Attention attn, LayerNorm ln2, Mlp mlp) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.mlp = mlp;
    }

    /** Adds block {@code i}'s steps: from {@code hook_resid_pre} to {@code hook_resid_post}. */
    void addSteps(Program.Builder p, int i, Pass pass) {
        p.op(LN1_NORMALIZED.at(i), LayerNorm.MATH, ln1::forward, RESID_PRE.at(i));
        attn.addSteps(p, i, pass, LN1_NORMALIZED.at(i), true);
        p.op(RESID_MID.at(i), "resid_mid = resid_pre + attn_out", NDArray::add, RESID_PRE.at(i), ATTN_OUT.at(i));

        p.op(LN2_NORMALIZED.at(i), LayerNorm.MATH, ln2::forward, RESID_MID.at(i));
        p.op(MLP_PRE.at(i), "x W_in + b_in (d_model -> d_mlp)", mlp::pre, LN2_NORMALIZED.at(i));
        p.op(MLP_POST.at(i), mlp.postMath(), mlp::post, MLP_PRE.at(i));
        p.op(MLP_OUT.at(i), "post W_out + b_out (d_mlp -> d_model)", mlp::out, MLP_POST.at(i));
        p.op(RESID_POST.at(i), "resid_post = resid_mid + mlp_out", NDArray::add, RESID_MID.at(i), MLP_OUT.at(i));
    }
}
