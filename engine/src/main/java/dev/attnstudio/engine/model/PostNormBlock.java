package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * A post-norm block (BERT): x1 = norm1(x + attn(x)); out = norm2(x1 + mlp(x1)). [B, T, d] -> [B, T, d]; the block's
 * output is {@code ln2.hook_normalized}.
 */
final class PostNormBlock implements Block {

    private final Attention attn;
    private final Norm ln1;
    private final Mlp mlp;
    private final Norm ln2;

    PostNormBlock(Attention attn, Norm ln1, Mlp mlp, Norm ln2) {
        this.attn = attn;
        this.ln1 = ln1;
        this.mlp = mlp;
        this.ln2 = ln2;
    }

    @Override
    public String addSteps(Program.Builder p, int i, Function<HookName.Block, String> at, Context c) {
        attn.addSelfSteps(p, i, at, c.pass(), at.apply(RESID_PRE), c.rule(), c.positionBias());
        p.op(at.apply(RESID_MID), Op.Kind.RESIDUAL_ADD, "resid_mid = resid_pre + attn_out", NDArray::add,
                at.apply(RESID_PRE), at.apply(ATTN_OUT));
        ln1.addStep(p, at.apply(LN1_NORMALIZED), at.apply(RESID_MID), " (post-norm: after the residual add)");

        mlp.addSteps(p, at, at.apply(LN1_NORMALIZED));
        p.op(at.apply(RESID_POST), Op.Kind.RESIDUAL_ADD, "resid_post = ln1 output + mlp_out", NDArray::add,
                at.apply(LN1_NORMALIZED), at.apply(MLP_OUT));
        ln2.addStep(p, at.apply(LN2_NORMALIZED), at.apply(RESID_POST), " (post-norm): the block's output");
        for (HookName.Block b : CHEAP) {
            p.derivable(at.apply(b));
        }
        return at.apply(LN2_NORMALIZED);
    }

    /** The hooks a compact trace recomputes rather than keeps. */
    private static final HookName.Block[] CHEAP = {QK_RAW, ATTN_SCORES_UNMASKED, MASK, ATTN_SCORES, PATTERN, RESID_MID,
            LN1_NORMALIZED, MLP_PRE, MLP_POST, RESID_POST};
}
