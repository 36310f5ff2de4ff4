package dev.attnstudio.app.views;

import dev.attnstudio.engine.intervene.HeadAblation;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Program;

/**
 * Which attention of a model a view shows: the stack of blocks and the attention module inside each block,
 * which together spell the hook names {@code <stack>.<layer>.<module>.<hook>}. Decoder-only and encoder-only
 * models have one self-attention ({@link #SELF}: {@code blocks.3.attn.hook_pattern}); an encoder-decoder has
 * encoder and decoder self-attention and the decoder's cross-attention, whose rows are decoder tokens and
 * whose columns are encoder tokens.
 *
 * @param stack  hook-name prefix of the blocks, without the trailing dot ({@code blocks}, {@code decoder.blocks})
 * @param module the attention module in each block ({@code attn}, {@code cross_attn})
 * @param cross  whether queries and keys come from different sequences (decoder reads encoder)
 */
public record AttentionSource(String stack, String module, boolean cross) {

    /** The one self-attention of decoder-only and encoder-only models. */
    public static final AttentionSource SELF = new AttentionSource("blocks", "attn", false);
    /** An encoder-decoder's encoder self-attention. */
    public static final AttentionSource ENCODER = new AttentionSource("encoder.blocks", "attn", false);
    /** An encoder-decoder's decoder self-attention. */
    public static final AttentionSource DECODER = new AttentionSource("decoder.blocks", "attn", false);
    /** An encoder-decoder's cross-attention: decoder queries over encoder keys. */
    public static final AttentionSource CROSS = new AttentionSource("decoder.blocks", "cross_attn", true);

    /** q . k before scaling, [B, H, T, K]. */
    public static final String QK_RAW = "hook_qk_raw";
    /** Scaled scores before the mask, [B, H, T, K]. */
    public static final String SCORES_UNMASKED = "hook_attn_scores_unmasked";
    /** The additive mask, [B or 1, 1, T, K]. */
    public static final String MASK = "hook_mask";
    /** Soft-capped scores, before the mask (Gemma 2 only), [B, H, T, K]. */
    public static final String SCORES_CAPPED = "hook_attn_scores_capped";
    /** Scaled and masked scores, [B, H, T, K]. */
    public static final String SCORES = "hook_attn_scores";
    /** Softmax over keys, [B, H, T, K]. */
    public static final String PATTERN = "hook_pattern";
    /** The pattern-weighted values per head, [B, T, H, h] (where head ablation acts). */
    public static final String Z = "hook_z";

    /**
     * The attention a view opens on for a model: {@link #SELF}, or {@link #ENCODER} for an encoder-decoder (which
     * has no {@code blocks.*} of its own).
     */
    public static AttentionSource of(Capabilities model) {
        return model.readsSource() ? ENCODER : SELF;
    }

    /**
     * The attention of a diagnostic's site label ({@code self}, {@code encoder}, {@code decoder}, {@code cross}: the
     * engine's {@code AttentionLayer.label}); {@link #SELF} for null or an unknown label.
     */
    public static AttentionSource ofSite(String site) {
        if (site == null) {
            return SELF;
        }
        return switch (site) {
            case "encoder" -> ENCODER;
            case "decoder" -> DECODER;
            case "cross" -> CROSS;
            default -> SELF;
        };
    }

    /**
     * Whether a query of this attention sees only itself and earlier positions: the self-attention of a
     * decoder-only model and of an encoder-decoder's decoder. Cross-attention and encoder self-attention are not
     * causal.
     */
    public boolean causal(Capabilities model) {
        if (cross) {
            return false;
        }
        return model.readsSource() ? stack.equals(DECODER.stack) : model.outputStack().causal();
    }

    /** The intervention that ablates one head of this attention (zero or mean ablation). */
    public HeadAblation ablation(int layer, int head, boolean mean) {
        HeadAblation.Site site = cross ? HeadAblation.Site.CROSS : this.equals(ENCODER) ? HeadAblation.Site.ENCODER
                : this.equals(DECODER) ? HeadAblation.Site.DECODER : HeadAblation.Site.SELF;
        return new HeadAblation(site, layer, head, mean);
    }

    /** The full hook name, e.g. {@code hook(3, PATTERN)} = {@code blocks.3.attn.hook_pattern}. */
    public String hook(int layer, String hook) {
        return stack + "." + layer + "." + module + "." + hook;
    }

    /** How many layers of this attention a pass's program has (0 if the model has none of this kind). */
    public int layers(Program program) {
        int n = 0;
        while (program.indexOf(hook(n, PATTERN)) >= 0) {
            n++;
        }
        return n;
    }

    /** What the rows and columns are, for captions: "self-attention" or the cross-attention reading. */
    public String describe() {
        return cross ? "cross-attention (rows: decoder tokens, columns: encoder tokens)" : "self-attention";
    }

    /** A short caption of one head, e.g. "layer 2 · head 5" or "decoder layer 2 cross-attention · head 5". */
    public String caption(int layer, int head) {
        int dot = stack.indexOf('.');
        String where = dot < 0 ? "" : stack.substring(0, dot) + " "; // "decoder " for decoder.blocks
        return where + "layer " + layer + (cross ? " cross-attention" : "") + " \u00b7 head " + head;
    }
}
