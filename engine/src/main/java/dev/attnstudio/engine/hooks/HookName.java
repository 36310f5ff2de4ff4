package dev.attnstudio.engine.hooks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every named intermediate of a forward pass. Names follow TransformerLens ({@code blocks.3.attn.hook_pattern})
 * so a trace means the same thing to people who know that library; the few we add (the raw and unmasked
 * scores, the mask, the KV-cache contents) are marked as ours.
 *
 * <p>Shape letters: B batch, T positions computed in this pass (query positions), K key positions (past +
 * T), H heads, Hkv key/value heads (fewer than H under grouped-query attention, else H), d d_model, h d_head,
 * m d_mlp (4 d for GPT-2), V vocabulary, S encoder (source) positions.
 *
 * <p>Encoder-decoders (T5) have two stacks, and their hooks carry the stack's name in front of the usual one:
 * {@code encoder.hook_embed}, {@code encoder.blocks.0.attn.hook_pattern}, {@code decoder.hook_position_bias},
 * {@code decoder.blocks.1.cross_attn.hook_pattern}; only {@code hook_logits} stays unprefixed. In the encoder stack T
 * and K are both S.
 */
public final class HookName {

    /** Hooks outside the blocks. */
    public enum Model {
        EMBED("hook_embed", "[B, T, d]", "token embedding W_E[token] (Gemma 2: times sqrt(d_model))",
                in(GEMMA2, "token embedding times sqrt(d_model): W_E[token] * sqrt(d), the normalizer rounded to float32 as "
                        + "Hugging Face rounds it to the model's dtype"),
                in(T5, Stack.ENCODER, "token embedding of the source, W_E[token] (the embedding the two stacks share)"),
                in(T5, Stack.DECODER, "token embedding of the decoder's tokens, W_E[token] (the embedding the two stacks share)")),
        POS_EMBED("hook_pos_embed", "[B, T, d]", "position embedding W_pos[position] (none in rotary models)",
                in(GPT2, "learned position embedding W_pos[position], added to the token embedding"),
                in(BERT, "learned position embedding W_pos[position], added to the token embedding")),
        TOKEN_TYPE_EMBED("hook_token_type_embed", "[B, T, d]", "(encoders) segment embedding W_type[token type]",
                in(BERT, "segment embedding W_type[token type]: type 0 for sentence A, 1 for sentence B")),
        EMBED_LN_NORMALIZED("embed.ln.hook_normalized", "[B, T, d]", "(encoders) LayerNorm of the summed embeddings",
                in(BERT, "LayerNorm of the summed token, position and segment embeddings")),
        LN_FINAL_NORMALIZED("ln_final.hook_normalized", "[B, T, d]", "final norm of the residual stream (LayerNorm; LLaMA: RMSNorm)",
                in(GPT2, "final LayerNorm of the residual stream"),
                in(NEOX, "final LayerNorm of the residual stream"),
                in(LLAMA, "final RMSNorm of the residual stream"),
                in(GEMMA2, "final RMSNorm of the residual stream, with gains (1 + w)"),
                in(T5, Stack.ENCODER, "the encoder's final RMS norm: its output, which every cross-attention reads"),
                in(T5, Stack.DECODER, "the decoder's final RMS norm; hook_logits reads it")),
        LOGITS_UNCAPPED("hook_logits_uncapped", "[B, T, V]", "(ours; Gemma 2) ln_final x W_U before the final soft-capping",
                in(GEMMA2, "(ours) ln_final x W_U (tied: W_U = W_E^T), before the final soft-capping")),
        LOGITS("hook_logits", "[B, T, V]", "unembedding: ln_final x W_U (T5: the decoder's, times d_model^-0.5 first when tied; "
                + "Gemma 2: soft-capped)",
                in(GEMMA2, "the soft-capped logits: cap tanh(logits_uncapped / cap), cap = final_logit_softcapping, so every "
                        + "logit lies within (-cap, cap)"),
                in(GPT2, "unembedding: ln_final x W_U, a score for every token of the vocabulary as the next one"),
                in(NEOX, "unembedding: ln_final x W_U (embed_out, or embed_in^T when tied), a score for every token as the next one"),
                in(LLAMA, "unembedding: ln_final x W_U (lm_head), a score for every token of the vocabulary as the next one"),
                in(T5, "the decoder's unembedding: ln_final x W_U (times d_model^-0.5 first when the embedding is tied), "
                        + "a score for every token as the next one")),
        POSITION_BIAS("hook_position_bias", "[1, H, T, K]",
                "(T5, one per stack) relative position bias: a learned number per head and distance bucket, added to "
                        + "the scores of every self-attention layer of the stack",
                in(T5, Stack.ENCODER, "the encoder's relative position bias: a learned number per head and distance bucket "
                        + "(both directions), added to every encoder layer's scores"),
                in(T5, Stack.DECODER, "the decoder's relative position bias: a learned number per head and distance bucket "
                        + "(keys before the query only), added to every decoder self-attention's scores"));

        public final String id;
        public final String shape;
        /** What it holds in any model that has it (the hook table's text). */
        public final String meaning;
        private final List<Variant> variants;

        Model(String id, String shape, String meaning, Variant... variants) {
            this.id = id;
            this.shape = shape;
            this.meaning = meaning;
            this.variants = List.of(variants);
        }
    }

    /** Hooks inside block i, written {@code blocks.{i}.<suffix>}. */
    public enum Block {
        RESID_PRE("hook_resid_pre", "[B, T, d]", "residual stream entering the block"),
        LN1_NORMALIZED("ln1.hook_normalized", "[B, T, d]", "first norm: before attention (GPT-2; LLaMA: RMSNorm), of resid_mid (BERT)",
                in(GPT2, "LayerNorm of the residual stream, before attention (pre-norm)"),
                in(NEOX, "LayerNorm of resid_pre, before attention (pre-norm)"),
                in(LLAMA, "RMSNorm of the residual stream, before attention (pre-norm)"),
                in(GEMMA2, "RMSNorm (gains 1 + w) of the residual stream, before attention (input_layernorm)"),
                in(BERT, "first LayerNorm, after attention: LayerNorm(resid_mid) (post-norm)"),
                in(T5, "RMS norm of the residual stream, before self-attention (pre-norm)")),
        Q("attn.hook_q", "[B, T, H, h]", "queries, split into heads"),
        K("attn.hook_k", "[B, T, Hkv, h]", "keys of this pass's positions (rotary models: before rotation)",
                in(GPT2, "keys of this pass's positions, split into heads"),
                in(NEOX, "keys of this pass's positions (from the fused query_key_value), before rotation"),
                in(BERT, "keys of the prompt's positions, split into heads"),
                in(LLAMA, "keys of this pass's positions, one per key/value head, before rotation"),
                in(T5, "keys of this pass's positions, split into heads")),
        V("attn.hook_v", "[B, T, Hkv, h]", "values of this pass's positions",
                in(LLAMA, "values of this pass's positions, one per key/value head")),
        Q_NORMED("attn.hook_q_normed", "[B, T, H, h]", "(Qwen3) queries after q_norm: an RMSNorm over each head's h values, "
                + "before the rotation",
                in(QWEN3, "queries after q_norm: each head's h values RMS-normalized and scaled by the gain q_norm [h], "
                        + "before the rotation")),
        K_NORMED("attn.hook_k_normed", "[B, T, Hkv, h]", "(Qwen3) keys after k_norm: an RMSNorm over each head's h values, "
                + "before the rotation",
                in(QWEN3, "keys after k_norm: each key/value head's h values RMS-normalized and scaled by the gain k_norm [h], "
                        + "before the rotation")),
        ROT_Q("attn.hook_rot_q", "[B, T, H, h]", "(rotary models) queries rotated by their position",
                in(NEOX, "queries whose first rotary_pct of each head's coordinates are rotated by position; the rest unchanged"),
                in(LLAMA, "queries rotated by their position (rotary embedding)")),
        ROT_K("attn.hook_rot_k", "[B, T, Hkv, h]", "(rotary models) keys rotated by their position: what the scores and the KV cache use",
                in(NEOX, "keys whose first rotary_pct of each head's coordinates are rotated by position (the rest unchanged): "
                        + "what the scores and the KV cache use"),
                in(LLAMA, "keys rotated by their position (rotary embedding): what the scores and the KV cache use")),
        PAST_K("attn.hook_past_k", "[B, K-T, Hkv, h]", "(ours) keys held in the KV cache before this pass (rotary models: rotated)",
                in(GPT2, "(ours) keys held in the KV cache before this pass"),
                in(NEOX, "(ours) keys held in the KV cache before this pass, already (partially) rotated"),
                in(LLAMA, "(ours) keys held in the KV cache before this pass, already rotated"),
                in(T5, "(ours) keys held in the KV cache before this pass")),
        PAST_V("attn.hook_past_v", "[B, K-T, Hkv, h]", "(ours) values held in the KV cache before this pass"),
        QK_RAW("attn.hook_qk_raw", "[B, H, T, K]", "(ours) q . k before scaling; query head j reads kv head j / (H / Hkv)",
                in(GPT2, "(ours) q . k of every query and key, before scaling"),
                in(BERT, "(ours) q . k of every query and key, before scaling"),
                in(T5, "(ours) q . k of every query and key, never scaled (no division by sqrt(d_head))")),
        ATTN_SCORES_UNMASKED("attn.hook_attn_scores_unmasked", "[B, H, T, K]", "(ours) scaled scores before the mask "
                + "(Gemma 2: before the soft-capping too)",
                in(GEMMA2, "(ours) q . k times query_pre_attn_scalar^-0.5, before the soft-capping and the mask"),
                in(T5, "(ours) q . k plus the relative position bias, before the mask (no scaling)")),
        ATTN_SCORES_CAPPED("attn.hook_attn_scores_capped", "[B, H, T, K]", "(ours; Gemma 2) soft-capped scores before the "
                + "mask: cap tanh(scores / cap)",
                in(GEMMA2, "(ours) soft-capped scores: cap tanh(attn_scores_unmasked / cap), cap = attn_logit_softcapping, "
                        + "before the mask")),
        MASK("attn.hook_mask", "[B or 1, 1, T, K]", "(ours) additive mask actually applied: 0 allowed, -inf blocked "
                + "(sliding-window layers: a band)",
                in(MISTRAL, "(ours) additive mask actually applied: 0 where query - W < key <= query (the sliding window W), "
                        + "-inf elsewhere"),
                in(GEMMA2, "(ours) additive mask actually applied: even layers a sliding-window band (query - W < key <= "
                        + "query), odd layers causal; -inf blocked")),
        ATTN_SCORES("attn.hook_attn_scores", "[B, H, T, K]", "scaled and masked scores (masked cells -inf)",
                in(T5, "scores with the position bias, masked (masked cells -inf)")),
        PATTERN("attn.hook_pattern", "[B, H, T, K]", "softmax over keys; a fully masked row is 0"),
        Z("attn.hook_z", "[B, T, H, h]", "pattern-weighted sum of values per head"),
        ATTN_OUT("hook_attn_out", "[B, T, d]", "heads concatenated, output projection"),
        LN1_POST_NORMALIZED("ln1_post.hook_normalized", "[B, T, d]", "(Gemma 2) norm of attn_out before the residual add",
                in(GEMMA2, "post_attention_layernorm of attn_out (RMSNorm, gains 1 + w), before it joins the residual")),
        RESID_MID("hook_resid_mid", "[B, T, d]", "resid_pre + attn_out (Gemma 2: + its norm)",
                in(NEOX, "resid_pre + attn_out (sequential residual only: a parallel-residual block has no hook_resid_mid)"),
                in(GEMMA2, "resid_pre + ln1_post(attn_out)")),
        LN2_NORMALIZED("ln2.hook_normalized", "[B, T, d]", "second norm: before the MLP (GPT-2; LLaMA: RMSNorm), of resid_post = block output (BERT)",
                in(GPT2, "LayerNorm of resid_mid, before the MLP (pre-norm)"),
                in(NEOX, "LayerNorm before the MLP: of resid_pre with parallel residual (attention and MLP read the same "
                        + "input), of resid_mid without"),
                in(LLAMA, "RMSNorm of resid_mid, before the MLP (pre-norm)"),
                in(GEMMA2, "pre_feedforward_layernorm of resid_mid (RMSNorm, gains 1 + w), before the MLP"),
                in(BERT, "second LayerNorm: of resid_post, giving the block's output (post-norm)"),
                in(T5, Stack.ENCODER, "RMS norm of resid_mid, before the feed-forward (pre-norm)"),
                in(T5, Stack.DECODER, "RMS norm of resid_mid, before cross-attention (pre-norm)")),
        MLP_PRE("mlp.hook_pre", "[B, T, m]", "first MLP layer (d -> d_mlp) before the non-linearity (gated MLPs: the gate)",
                in(GPT2, "first MLP layer, x W_in + b_in (d -> d_mlp), before the GELU"),
                in(NEOX, "first MLP layer, x W_in + b_in (dense_h_to_4h, d -> d_mlp), before the GELU"),
                in(BERT, "first MLP layer, x W_in + b_in (d -> d_mlp), before the GELU"),
                in(LLAMA, "the gate, x W_gate (d -> d_mlp), before the SiLU"),
                in(GEMMA2, "the gate, x W_gate (d -> d_mlp), before the tanh-approximated GELU")),
        MLP_PRE_LINEAR("mlp.hook_pre_linear", "[B, T, m]", "(gated MLPs) the gate's linear partner, x W_up",
                in(LLAMA, "the gate's linear partner, x W_up (d -> d_mlp)"),
                in(T5, "the gate's linear partner, x W_up (d -> d_mlp)")),
        MLP_POST("mlp.hook_post", "[B, T, m]", "after the non-linearity (gated MLPs: act(gate) * up)",
                in(GPT2, "GELU of mlp.hook_pre"),
                in(NEOX, "GELU of mlp.hook_pre"),
                in(BERT, "GELU of mlp.hook_pre"),
                in(LLAMA, "SiLU(gate) * up"),
                in(GEMMA2, "GELU_tanh(gate) * up (GeGLU)")),
        MLP_OUT("hook_mlp_out", "[B, T, d]", "second MLP layer"),
        LN2_POST_NORMALIZED("ln2_post.hook_normalized", "[B, T, d]", "(Gemma 2) norm of mlp_out before the residual add",
                in(GEMMA2, "post_feedforward_layernorm of mlp_out (RMSNorm, gains 1 + w), before it joins the residual")),
        RESID_POST("hook_resid_post", "[B, T, d]", "resid_mid + mlp_out (BERT: ln1 output + mlp_out; T5 decoder: resid_mid_cross + mlp_out)",
                in(GPT2, "resid_mid + mlp_out: the block's output"),
                in(NEOX, "the block's output: resid_pre + attn_out + mlp_out with parallel residual, resid_mid + mlp_out "
                        + "without"),
                in(LLAMA, "resid_mid + mlp_out: the block's output"),
                in(GEMMA2, "resid_mid + ln2_post(mlp_out): the block's output"),
                in(BERT, "ln1 output + mlp_out; ln2 normalizes it into the block's output"),
                in(T5, Stack.ENCODER, "resid_mid + mlp_out: the block's output"),
                in(T5, Stack.DECODER, "resid_mid_cross + mlp_out: the block's output")),
        CROSS_Q("cross_attn.hook_q", "[B, T, H, h]", "(T5 decoder) cross-attention queries, from ln2 of resid_mid",
                in(T5, "cross-attention queries, from ln2 of resid_mid")),
        CROSS_K("cross_attn.hook_k", "[B, S, H, h]", "(T5 decoder) cross-attention keys, from the encoder's output (decode passes: read from the cache)",
                in(T5, "cross-attention keys, from the encoder's output (decode passes: read from the cache)")),
        CROSS_V("cross_attn.hook_v", "[B, S, H, h]", "(T5 decoder) cross-attention values, from the encoder's output (decode passes: read from the cache)",
                in(T5, "cross-attention values, from the encoder's output (decode passes: read from the cache)")),
        CROSS_QK_RAW("cross_attn.hook_qk_raw", "[B, H, T, S]", "(ours; T5 decoder) q . k of every decoder query and encoder key",
                in(T5, "(ours) q . k of every decoder query and encoder key")),
        CROSS_ATTN_SCORES_UNMASKED("cross_attn.hook_attn_scores_unmasked", "[B, H, T, S]", "(ours; T5 decoder) cross-attention scores before the mask (no scaling, no position bias)",
                in(T5, "(ours) cross-attention scores before the mask (no scaling, no position bias)")),
        CROSS_MASK("cross_attn.hook_mask", "[B or 1, 1, 1, S]", "(ours; T5 decoder) additive mask on the encoder keys: -inf on padding",
                in(T5, "(ours) additive mask on the encoder keys: -inf on padding")),
        CROSS_ATTN_SCORES("cross_attn.hook_attn_scores", "[B, H, T, S]", "(T5 decoder) cross-attention scores, masked",
                in(T5, "cross-attention scores, masked")),
        CROSS_PATTERN("cross_attn.hook_pattern", "[B, H, T, S]", "(T5 decoder) softmax over the encoder positions: where each decoder position reads the source",
                in(T5, "softmax over the encoder positions: where each decoder position reads the source")),
        CROSS_Z("cross_attn.hook_z", "[B, T, H, h]", "(T5 decoder) pattern-weighted sum of the encoder values per head",
                in(T5, "pattern-weighted sum of the encoder values per head")),
        CROSS_ATTN_OUT("hook_cross_attn_out", "[B, T, d]", "(T5 decoder) cross-attention heads concatenated, output projection",
                in(T5, "cross-attention heads concatenated, output projection")),
        RESID_MID_CROSS("hook_resid_mid_cross", "[B, T, d]", "(T5 decoder) resid_mid + cross_attn_out",
                in(T5, "resid_mid + cross_attn_out")),
        LN3_NORMALIZED("ln3.hook_normalized", "[B, T, d]", "(T5 decoder) third norm: of resid_mid_cross, before the MLP",
                in(T5, "third norm: RMS norm of resid_mid_cross, before the feed-forward"));

        public final String suffix;
        public final String shape;
        /** What it holds in any model that has it (the hook table's text). */
        public final String meaning;
        private final List<Variant> variants;

        Block(String suffix, String shape, String meaning, Variant... variants) {
            this.suffix = suffix;
            this.shape = shape;
            this.meaning = meaning;
            this.variants = List.of(variants);
        }

        /** This hook's full name in block {@code layer}. */
        public String at(int layer) {
            return "blocks." + layer + "." + suffix;
        }

        /** Whether only the decoder blocks of an encoder-decoder have this hook (cross-attention and around it). */
        public boolean crossOnly() {
            return compareTo(CROSS_Q) >= 0;
        }

        /**
         * The cross-attention hook that corresponds to a self-attention stage ({@code attn.hook_q} ->
         * {@code cross_attn.hook_q}, {@code hook_attn_out} -> {@code hook_cross_attn_out}).
         *
         * @throws IllegalArgumentException for a stage cross-attention does not have (rotation, the cache's past)
         */
        public Block cross() {
            return switch (this) {
                case Q -> CROSS_Q;
                case K -> CROSS_K;
                case V -> CROSS_V;
                case QK_RAW -> CROSS_QK_RAW;
                case ATTN_SCORES_UNMASKED -> CROSS_ATTN_SCORES_UNMASKED;
                case MASK -> CROSS_MASK;
                case ATTN_SCORES -> CROSS_ATTN_SCORES;
                case PATTERN -> CROSS_PATTERN;
                case Z -> CROSS_Z;
                case ATTN_OUT -> CROSS_ATTN_OUT;
                default -> throw new IllegalArgumentException(this + " has no cross-attention counterpart");
            };
        }
    }

    /**
     * The two stacks of an encoder-decoder (T5). A stack's hooks are the usual names behind its prefix:
     * {@code encoder.blocks.0.attn.hook_q}, {@code decoder.hook_embed}.
     */
    public enum Stack {
        ENCODER("encoder"),
        DECODER("decoder");

        public final String prefix;

        Stack(String prefix) {
            this.prefix = prefix;
        }

        /** A block hook of this stack: {@code encoder.blocks.{layer}.<suffix>}. */
        public String at(Block block, int layer) {
            return prefix + "." + block.at(layer);
        }

        /**
         * A stack-level hook: {@code encoder.hook_embed}, {@code decoder.hook_position_bias},
         * {@code encoder.ln_final.hook_normalized}.
         */
        public String at(Model hook) {
            if (!StackHooks.ALL.contains(hook)) {
                throw new IllegalArgumentException(hook.id + " is not a hook of one stack");
            }
            return prefix + "." + hook.id;
        }
    }

    /** The model-level hooks each stack of an encoder-decoder has once. */
    private static final class StackHooks {
        // in a holder, not a field of HookName: the enums' constants call in(...), which initializes HookName, and a
        // field there naming Model's constants would read them as null when Model is the first class touched
        static final Set<Model> ALL = EnumSet.of(Model.EMBED, Model.POSITION_BIAS, Model.LN_FINAL_NORMALIZED);
    }

    private static final Pattern BLOCK_NAME = Pattern.compile("blocks\\.(\\d+)\\.(.+)");
    private static final Pattern STACK_NAME = Pattern.compile("(encoder|decoder)\\.(.+)");

    /**
     * A parsed hook name: either a model-level hook or a (layer, block hook) pair, with the stack it belongs to in an
     * encoder-decoder.
     *
     * @param stack the stack of an encoder-decoder hook; null for unprefixed names
     */
    public record Parsed(Model model, int layer, Block block, Stack stack) {

        /** An unprefixed hook name. */
        public Parsed(Model model, int layer, Block block) {
            this(model, layer, block, null);
        }

        public boolean inBlock() {
            return block != null;
        }

        /** The documented shape. */
        public String shape() {
            return inBlock() ? block.shape : model.shape;
        }

        /** The documented meaning, for every family that has the hook (the hook table's text). */
        public String meaning() {
            return inBlock() ? block.meaning : model.meaning;
        }

        /**
         * What the hook holds in a model of one family ({@code Capabilities.family()}: gpt2, bert, llama, t5), in its
         * stack: without what only the other families do. The general {@link #meaning()} for a family without a text
         * of its own.
         */
        public String meaningIn(String family) {
            String own = textIn(family);
            if (own == null && LLAMA_VARIANTS.contains(family)) {
                own = textIn(LLAMA); // Qwen2, Qwen3, Mistral, Gemma 2 are LLaMA where they have no text of their own
            }
            return own != null ? own : meaning();
        }

        private String textIn(String family) {
            List<Variant> variants = inBlock() ? block.variants : model.variants;
            String general = null;
            for (Variant v : variants) {
                if (v.family().equals(family)) {
                    if (v.stack() == stack && v.stack() != null) {
                        return v.text();
                    }
                    if (v.stack() == null) {
                        general = v.text();
                    }
                }
            }
            return general;
        }
    }

    /** The families with texts of their own ({@code Capabilities.family()}), for {@link Parsed#meaningIn}. */
    private static final String GPT2 = "gpt2";
    private static final String NEOX = "gpt_neox";
    private static final String BERT = "bert";
    private static final String LLAMA = "llama";
    private static final String QWEN3 = "qwen3";
    private static final String MISTRAL = "mistral";
    private static final String GEMMA2 = "gemma2";
    private static final Set<String> LLAMA_VARIANTS = Set.of("qwen2", QWEN3, MISTRAL, GEMMA2);
    private static final String T5 = "t5";

    /**
     * A hook's meaning in one family (and, for an encoder-decoder, one stack): what its text says without the
     * asides about the other families.
     *
     * @param stack the stack it applies to, or null for every stack of the family
     */
    private record Variant(String family, Stack stack, String text) {
    }

    private static Variant in(String family, String text) {
        return new Variant(family, null, text);
    }

    private static Variant in(String family, Stack stack, String text) {
        return new Variant(family, stack, text);
    }

    private HookName() {
    }

    /**
     * Parses a full hook name strictly; unknown names are an error that lists what would be valid. Names of
     * encoder-decoders carry their stack ({@code decoder.blocks.0.cross_attn.hook_pattern}); the cross-attention
     * hooks exist in decoder blocks only, the position bias only per stack.
     */
    public static Parsed parse(String name) {
        Matcher stacked = STACK_NAME.matcher(name);
        if (stacked.matches()) {
            Stack stack = Stack.valueOf(stacked.group(1).toUpperCase(Locale.ROOT));
            String rest = stacked.group(2);
            for (Model m : StackHooks.ALL) {
                if (m.id.equals(rest)) {
                    return new Parsed(m, -1, null, stack);
                }
            }
            Parsed inner = parseBlock(rest);
            if (inner != null && (stack == Stack.DECODER || !inner.block().crossOnly())) {
                return new Parsed(null, inner.layer(), inner.block(), stack);
            }
        } else {
            for (Model m : Model.values()) {
                if (m.id.equals(name) && m != Model.POSITION_BIAS) {
                    return new Parsed(m, -1, null);
                }
            }
            Parsed inner = parseBlock(name);
            if (inner != null && !inner.block().crossOnly()) {
                return inner;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a hook name; see HookName for the list, e.g. "
                + Block.PATTERN.at(0) + ", " + Model.LOGITS.id + " or (T5) " + Stack.DECODER.at(Block.CROSS_PATTERN, 0));
    }

    private static Parsed parseBlock(String name) {
        Matcher matcher = BLOCK_NAME.matcher(name);
        if (matcher.matches()) {
            for (Block b : Block.values()) {
                if (b.suffix.equals(matcher.group(2))) {
                    return new Parsed(null, Integer.parseInt(matcher.group(1)), b);
                }
            }
        }
        return null;
    }

    /** The shape documented for a full hook name. */
    public static String shapeOf(String name) {
        return parse(name).shape();
    }

    /** Axis names from the documented shape ("[B, H, T, K]"), or generic ones when it does not fit. */
    public static List<String> axes(String hook, int rank) {
        String documented = documentedShape(hook);
        List<String> letters = new ArrayList<>();
        if (documented.startsWith("[") && documented.endsWith("]")) {
            for (String part : documented.substring(1, documented.length() - 1).split(",")) {
                letters.add(part.strip());
            }
        }
        if (letters.size() != rank) {
            letters.clear();
            for (int i = 0; i < rank; i++) {
                letters.add("axis " + i);
            }
        }
        return letters;
    }

    /** The shape documented for a name, or {@code ?} when it is not a hook name (for labels that must not fail). */
    public static String documentedShape(String name) {
        try {
            return shapeOf(name);
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    /**
     * Compiles a breakpoint pattern: {@code *} matches within one dot-separated part, {@code **} across parts,
     * so {@code blocks.*.attn.hook_pattern} stops in every block and {@code **hook_z} anywhere.
     */
    public static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                boolean twice = i + 1 < pattern.length() && pattern.charAt(i + 1) == '*';
                re.append(twice ? ".*" : "[^.]*");
                if (twice) {
                    i++;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** A markdown table of every hook with its shape and meaning (for the README and --help). */
    public static String table() {
        List<String> rows = new ArrayList<>();
        rows.add("| hook | shape | meaning |");
        rows.add("|---|---|---|");
        for (Model m : List.of(Model.EMBED, Model.POS_EMBED, Model.TOKEN_TYPE_EMBED, Model.EMBED_LN_NORMALIZED)) {
            rows.add(row(m.id, m.shape, m.meaning));
        }
        for (Block b : Block.values()) {
            if (!b.crossOnly()) {
                rows.add(row("blocks.{i}." + b.suffix, b.shape, b.meaning));
            }
        }
        rows.add(row(Model.LN_FINAL_NORMALIZED.id, Model.LN_FINAL_NORMALIZED.shape, Model.LN_FINAL_NORMALIZED.meaning));
        rows.add(row(Model.LOGITS_UNCAPPED.id, Model.LOGITS_UNCAPPED.shape, Model.LOGITS_UNCAPPED.meaning));
        rows.add(row(Model.LOGITS.id, Model.LOGITS.shape, Model.LOGITS.meaning));
        rows.add(row("encoder.hook_embed", "[B, S, d]", "(T5) token embedding of the source, W_E[token] (the shared embedding)"));
        rows.add(row("encoder.hook_position_bias", "[1, H, S, S]",
                "(T5) the encoder's relative position bias (bidirectional buckets), added to every encoder layer's scores"));
        rows.add(row("encoder.blocks.{i}.<block hook>", "as above, T = K = S",
                "(T5) the block hooks above in the encoder: resid_pre, ln1, attn.hook_q ... hook_z (no past, no rotation), "
                        + "attn_out, resid_mid, ln2, mlp, resid_post"));
        rows.add(row("encoder.ln_final.hook_normalized", "[B, S, d]", "(T5) the encoder's output: what cross-attention reads"));
        rows.add(row("decoder.hook_embed", "[B, T, d]", "(T5) token embedding of the decoder's tokens, W_E[token]"));
        rows.add(row("decoder.hook_position_bias", "[1, H, T, K]",
                "(T5) the decoder's relative position bias (causal buckets), added to every decoder self-attention's scores"));
        rows.add(row("decoder.blocks.{i}.<block hook>", "as above",
                "(T5) the block hooks above in the decoder: causal self-attention (decode passes: attn.hook_past_k and "
                        + "attn.hook_past_v from the cache), ln2 normalizes resid_mid for cross-attention"));
        for (Block b : Block.values()) {
            if (b.crossOnly()) {
                rows.add(row("decoder.blocks.{i}." + b.suffix, b.shape, b.meaning));
            }
        }
        rows.add(row("decoder.ln_final.hook_normalized", "[B, T, d]", "(T5) the decoder's final norm; hook_logits reads it"));
        return String.join("\n", rows);
    }

    private static String row(String name, String shape, String meaning) {
        return String.format(Locale.ROOT, "| `%s` | %s | %s |", name, shape, meaning);
    }
}
