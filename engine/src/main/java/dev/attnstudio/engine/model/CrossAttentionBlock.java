package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * An encoder-decoder's decoder block (T5): x + attn(norm1(x)) (causal self-attention), x + cross_attn(norm2(x)) over
 * the encoder's output, then x + mlp(norm3(x)). [B, T, d] -> [B, T, d].
 */
final class CrossAttentionBlock implements Block {

    private final Norm ln1;
    private final Attention attn;
    private final Norm ln2;
    private final Attention cross;
    private final Norm ln3;
    private final Mlp mlp;

    CrossAttentionBlock(Norm ln1, Attention attn, Norm ln2, Attention cross, Norm ln3, Mlp mlp) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.cross = cross;
        this.ln3 = ln3;
        this.mlp = mlp;
    }

    @Override
    public String addSteps(Program.Builder p, int i, Function<HookName.Block, String> at, Context c) {
        p.subLayer(Op.SubLayer.ATTENTION);
        ln1.addStep(p, at.apply(LN1_NORMALIZED), at.apply(RESID_PRE), null);
        attn.addSelfSteps(p, i, at, c.pass(), at.apply(LN1_NORMALIZED), c.rule(), c.positionBias());
        p.op(at.apply(RESID_MID), Op.Kind.RESIDUAL_ADD, "resid_mid = resid_pre + attn_out", NDArray::add,
                at.apply(RESID_PRE), at.apply(ATTN_OUT));

        p.subLayer(Op.SubLayer.CROSS_ATTENTION);
        ln2.addStep(p, at.apply(LN2_NORMALIZED), at.apply(RESID_MID), ": the queries of cross-attention");
        cross.addCrossSteps(p, i, b -> at.apply(b.cross()), c.pass(), at.apply(LN2_NORMALIZED), c.encoderOut());
        p.op(at.apply(RESID_MID_CROSS), Op.Kind.RESIDUAL_ADD, "resid_mid_cross = resid_mid + cross_attn_out", NDArray::add,
                at.apply(RESID_MID), at.apply(CROSS_ATTN_OUT));

        p.subLayer(Op.SubLayer.MLP);
        ln3.addStep(p, at.apply(LN3_NORMALIZED), at.apply(RESID_MID_CROSS), null);
        mlp.addSteps(p, at, at.apply(LN3_NORMALIZED));
        p.op(at.apply(RESID_POST), Op.Kind.RESIDUAL_ADD, "resid_post = resid_mid_cross + mlp_out", NDArray::add,
                at.apply(RESID_MID_CROSS), at.apply(MLP_OUT));
        for (HookName.Block b : PreNormBlock.CHEAP) {
            p.derivable(at.apply(b));
        }
        for (HookName.Block b : CROSS_CHEAP) {
            p.derivable(at.apply(b));
        }
        if (c.encoderOut() == null) {
            p.derivable(at.apply(CROSS_K), at.apply(CROSS_V)); // read back from the cache
        }
        return at.apply(RESID_POST);
    }

    private static final HookName.Block[] CROSS_CHEAP = {CROSS_QK_RAW, CROSS_ATTN_SCORES_UNMASKED, CROSS_MASK,
            CROSS_ATTN_SCORES, CROSS_PATTERN, RESID_MID_CROSS, LN3_NORMALIZED};
}
