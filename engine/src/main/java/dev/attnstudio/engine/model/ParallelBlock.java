package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * A parallel-residual block (GPT-NeoX with {@code use_parallel_residual}, GPT-J): attention and MLP both read the
 * block's input, each through its own norm, and both outputs are added to it at once:
 * x + attn(ln1(x)) + mlp(ln2(x)). [B, T, d] -> [B, T, d].
 *
 * <p>Hooks as TransformerLens names them for such blocks: {@code ln2.hook_normalized} normalizes
 * {@code hook_resid_pre} (not a mid-block residual), and there is no {@code hook_resid_mid}, because no residual
 * stream exists between the two sub-layers; {@code hook_resid_post} = resid_pre + attn_out + mlp_out.
 * The sum is formed as Hugging Face forms it ({@code mlp_output + attn_output + hidden_states}), so float32
 * rounding matches too.
 */
final class ParallelBlock implements Block {

    private final Norm ln1;
    private final Attention attn;
    private final Norm ln2;
    private final Mlp mlp;

    ParallelBlock(Norm ln1, Attention attn, Norm ln2, Mlp mlp) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.mlp = mlp;
    }

    @Override
    public String addSteps(Program.Builder p, int i, Function<HookName.Block, String> at, Context c) {
        String residPre = at.apply(RESID_PRE);
        p.subLayer(Op.SubLayer.ATTENTION);
        ln1.addStep(p, at.apply(LN1_NORMALIZED), residPre, null);
        attn.addSelfSteps(p, i, at, c.pass(), at.apply(LN1_NORMALIZED), c.rule(), c.positionBias());

        p.subLayer(Op.SubLayer.MLP);
        ln2.addStep(p, at.apply(LN2_NORMALIZED), residPre, " (of resid_pre: the MLP runs in parallel with attention)");
        mlp.addSteps(p, at, at.apply(LN2_NORMALIZED));
        p.op(at.apply(RESID_POST), Op.Kind.RESIDUAL_ADD, "resid_post = resid_pre + attn_out + mlp_out (parallel residual)",
                (in, m) -> in.get(2).add(in.get(1)).add(in.get(0)), residPre, at.apply(ATTN_OUT), at.apply(MLP_OUT));
        for (HookName.Block b : PreNormBlock.CHEAP) {
            if (b != RESID_MID) {
                p.derivable(at.apply(b));
            }
        }
        return at.apply(RESID_POST);
    }
}
