package dev.attnstudio.app.panels;

import dev.attnstudio.engine.config.ModelConfig;

/**
 * Which attention of a model a panel reads: the stack its blocks live in and the attention inside each block,
 * so one panel serves decoder-only and encoder models ({@code blocks.{i}.attn.*}) as well as the two stacks
 * and the cross-attention of an encoder-decoder ({@code decoder.blocks.{i}.cross_attn.*}).
 *
 * @param stack     prefix of the block names, e.g. {@code blocks} or {@code decoder.blocks}
 * @param attention the attention inside a block, e.g. {@code attn} or {@code cross_attn}
 * @param causal    whether this attention is causal (a query sees only earlier positions)
 */
public record AttentionSite(String stack, String attention, boolean causal) {

    /** The self-attention of a decoder-only or encoder-only model: {@code blocks.{i}.attn}. */
    public static AttentionSite of(ModelConfig config) {
        return new AttentionSite("blocks", "attn", config.causal());
    }

    /** The full name of an attention hook in block {@code layer}, e.g. {@code hook(2, "hook_mask")}. */
    public String hook(int layer, String hook) {
        return stack + "." + layer + "." + attention + "." + hook;
    }

    /** A readable name: "blocks.*.attn". */
    @Override
    public String toString() {
        return stack + ".*." + attention;
    }
}
