package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.List;
import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.RESID_PRE;

/**
 * A transformer block: reads the residual stream [B, T, d] at {@code hook_resid_pre} and adds its steps up to its
 * output [B, T, d]. The kinds: {@link PreNormBlock} (GPT-2, LLaMA, T5's encoder), {@link PostNormBlock} (BERT),
 * {@link CrossAttentionBlock} (T5's decoder).
 */
interface Block {

    /**
     * What a block's steps read besides its input.
     *
     * @param pass         the queries' pass (an encoder's own pass over the source, in an encoder-decoder)
     * @param rule         the model's own mask rule for self-attention (causal), or null (bidirectional)
     * @param positionBias a hook added to every self-attention's scores (T5), or null
     * @param encoderOut   the encoder's output hook that cross-attention reads, or null (decoders without cross-attention,
     *                     and decode passes, which read the cross keys and values from the cache)
     */
    record Context(Pass pass, MaskRule rule, String positionBias, String encoderOut) {
    }

    /**
     * Adds block {@code layer}'s steps, from {@code names(RESID_PRE)}, and returns the hook of its output.
     *
     * @param names the full hook name of each block hook in this stack ({@code blocks.0.attn.hook_q},
     *              {@code encoder.blocks.0.attn.hook_q})
     */
    String addSteps(Program.Builder p, int layer, Function<HookName.Block, String> names, Context context);

    /**
     * Adds a stack of blocks: for each, {@code hook_resid_pre} (for the first block the stack's input, or the sum of its
     * inputs; after that the previous block's output) and the block's steps. Returns the hook of the last block's
     * output.
     *
     * @param stack          an encoder-decoder's stack, or null for a single-stack model
     * @param inputMath      what the first block's {@code hook_resid_pre} is, for its description
     * @param firstDerivable whether the first block's {@code hook_resid_pre} is recomputed rather than kept
     * @param inputs         the hook the first block reads, or two hooks whose sum it reads (GPT-2: embed + pos_embed)
     */
    static String addStack(Program.Builder p, HookName.Stack stack, List<? extends Block> blocks, Context context,
                           String inputMath, boolean firstDerivable, String... inputs) {
        String previous = null;
        for (int i = 0; i < blocks.size(); i++) {
            int layer = i;
            Function<HookName.Block, String> names = stack == null ? b -> b.at(layer) : b -> stack.at(b, layer);
            String prefix = stack == null ? "" : stack.prefix + ".";
            p.group(prefix + "blocks." + i).site(stack, i, Op.SubLayer.BLOCK);
            String residPre = names.apply(RESID_PRE);
            if (i > 0) {
                p.op(residPre, Op.Kind.IDENTITY, "the residual stream leaving " + prefix.replace('.', ' ') + "block "
                        + (i - 1), Tensors::copy, previous);
            } else if (inputs.length == 1) {
                p.op(residPre, Op.Kind.IDENTITY, inputMath, Tensors::copy, inputs[0]);
            } else {
                p.op(residPre, Op.Kind.RESIDUAL_ADD, inputMath, NDArray::add, inputs[0], inputs[1]);
            }
            if (i > 0 || firstDerivable) {
                p.derivable(residPre);
            }
            previous = blocks.get(i).addSteps(p, i, names, context);
        }
        return previous;
    }
}
