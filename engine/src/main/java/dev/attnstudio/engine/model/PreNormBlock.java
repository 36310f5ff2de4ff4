package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * A pre-norm block (GPT-2, LLaMA, T5's encoder): x + attn(norm1(x)), then x + mlp(norm2(x)).
 * [B, T, d] -> [B, T, d].
 */
final class PreNormBlock implements Block {

    private final Norm ln1;
    private final Attention attn;
    private final Norm ln2;
    private final Mlp mlp;

    PreNormBlock(Norm ln1, Attention attn, Norm ln2, Mlp mlp) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.mlp = mlp;
    }

    @Override
    public String addSteps(Program.Builder p, int i, Function<HookName.Block, String> at, Context c) {
        p.subLayer(Op.SubLayer.ATTENTION);
        ln1.addStep(p, at.apply(LN1_NORMALIZED), at.apply(RESID_PRE), null);
        attn.addSelfSteps(p, i, at, c.pass(), at.apply(LN1_NORMALIZED), c.rule(), c.positionBias());
        p.op(at.apply(RESID_MID), Op.Kind.RESIDUAL_ADD, "resid_mid = resid_pre + attn_out", NDArray::add,
                at.apply(RESID_PRE), at.apply(ATTN_OUT));

        p.subLayer(Op.SubLayer.MLP);
        ln2.addStep(p, at.apply(LN2_NORMALIZED), at.apply(RESID_MID), null);
        mlp.addSteps(p, at, at.apply(LN2_NORMALIZED));
        p.op(at.apply(RESID_POST), Op.Kind.RESIDUAL_ADD, "resid_post = resid_mid + mlp_out", NDArray::add,
                at.apply(RESID_MID), at.apply(MLP_OUT));
        for (HookName.Block b : CHEAP) {
            p.derivable(at.apply(b));
        }
        return at.apply(RESID_POST);
    }

    /** The hooks a compact trace recomputes rather than keeps (those the block has). */
    static final HookName.Block[] CHEAP = {LN1_NORMALIZED, ROT_Q, ROT_K, PAST_K, PAST_V, QK_RAW, ATTN_SCORES_UNMASKED,
            MASK, ATTN_SCORES, PATTERN, RESID_MID, LN2_NORMALIZED, MLP_PRE, MLP_PRE_LINEAR, MLP_POST};
}
