package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * Gemma 2's block, each sub-layer between two norms ({@code Gemma2DecoderLayer}):
 * resid_mid = x + norm_post1(attn(norm1(x))), then resid_mid + norm_post2(mlp(norm2(resid_mid))).
 * The four norms are {@code input_layernorm} (ln1), {@code post_attention_layernorm} (ln1_post),
 * {@code pre_feedforward_layernorm} (ln2) and {@code post_feedforward_layernorm} (ln2_post). [B, T, d] -> [B, T, d].
 */
final class SandwichBlock implements Block {

    private final Norm ln1;
    private final Attention attn;
    private final Norm ln1Post;
    private final Norm ln2;
    private final Mlp mlp;
    private final Norm ln2Post;

    SandwichBlock(Norm ln1, Attention attn, Norm ln1Post, Norm ln2, Mlp mlp, Norm ln2Post) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln1Post = ln1Post;
        this.ln2 = ln2;
        this.mlp = mlp;
        this.ln2Post = ln2Post;
    }

    @Override
    public String addSteps(Program.Builder p, int i, Function<HookName.Block, String> at, Context c) {
        p.subLayer(Op.SubLayer.ATTENTION);
        ln1.addStep(p, at.apply(LN1_NORMALIZED), at.apply(RESID_PRE), "; input_layernorm, before attention");
        attn.addSelfSteps(p, i, at, c.pass(), at.apply(LN1_NORMALIZED), c.rule(), c.positionBias());
        ln1Post.addStep(p, at.apply(LN1_POST_NORMALIZED), at.apply(ATTN_OUT),
                "; post_attention_layernorm, of attn_out before the residual add");
        p.op(at.apply(RESID_MID), Op.Kind.RESIDUAL_ADD, "resid_mid = resid_pre + ln1_post(attn_out)", NDArray::add,
                at.apply(RESID_PRE), at.apply(LN1_POST_NORMALIZED));

        p.subLayer(Op.SubLayer.MLP);
        ln2.addStep(p, at.apply(LN2_NORMALIZED), at.apply(RESID_MID), "; pre_feedforward_layernorm, before the MLP");
        mlp.addSteps(p, at, at.apply(LN2_NORMALIZED));
        ln2Post.addStep(p, at.apply(LN2_POST_NORMALIZED), at.apply(MLP_OUT),
                "; post_feedforward_layernorm, of mlp_out before the residual add");
        p.op(at.apply(RESID_POST), Op.Kind.RESIDUAL_ADD, "resid_post = resid_mid + ln2_post(mlp_out)", NDArray::add,
                at.apply(RESID_MID), at.apply(LN2_POST_NORMALIZED));
        for (HookName.Block b : PreNormBlock.CHEAP) {
            p.derivable(at.apply(b));
        }
        p.derivable(at.apply(ATTN_SCORES_CAPPED), at.apply(LN1_POST_NORMALIZED), at.apply(LN2_POST_NORMALIZED));
        return at.apply(RESID_POST);
    }
}
