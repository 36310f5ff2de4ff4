package dev.attnstudio.engine.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every named intermediate of a forward pass. Names follow TransformerLens ({@code blocks.3.attn.hook_pattern})
 * so a trace means the same thing to people who know that library; the few we add (the raw and unmasked
 * scores, the mask, the KV-cache contents) are marked as ours.
 *
 * <p>Shape letters: B batch, T positions computed in this pass (query positions), K key positions (past +
 * T), H heads, Hkv key/value heads (fewer than H under grouped-query attention, else H), d d_model, h d_head,
 * m d_mlp (4 d for GPT-2), V vocabulary.
 */
public final class HookName {

    /** Hooks outside the blocks. */
    public enum Model {
        EMBED("hook_embed", "[B, T, d]", "token embedding W_E[token]"),
        POS_EMBED("hook_pos_embed", "[B, T, d]", "position embedding W_pos[position] (none in rotary models)"),
        TOKEN_TYPE_EMBED("hook_token_type_embed", "[B, T, d]", "(encoders) segment embedding W_type[token type]"),
        EMBED_LN_NORMALIZED("embed.ln.hook_normalized", "[B, T, d]", "(encoders) LayerNorm of the summed embeddings"),
        LN_FINAL_NORMALIZED("ln_final.hook_normalized", "[B, T, d]", "final norm of the residual stream (LayerNorm; LLaMA: RMSNorm)"),
        LOGITS("hook_logits", "[B, T, V]", "unembedding: ln_final x W_U");

        public final String id;
        public final String shape;
        public final String meaning;

        Model(String id, String shape, String meaning) {
            this.id = id;
            this.shape = shape;
            this.meaning = meaning;
        }
    }

    /** Hooks inside block i, written {@code blocks.{i}.<suffix>}. */
    public enum Block {
        RESID_PRE("hook_resid_pre", "[B, T, d]", "residual stream entering the block"),
        LN1_NORMALIZED("ln1.hook_normalized", "[B, T, d]", "first norm: before attention (GPT-2; LLaMA: RMSNorm), of resid_mid (BERT)"),
        Q("attn.hook_q", "[B, T, H, h]", "queries, split into heads"),
        K("attn.hook_k", "[B, T, Hkv, h]", "keys of this pass's positions (rotary models: before rotation)"),
        V("attn.hook_v", "[B, T, Hkv, h]", "values of this pass's positions"),
        ROT_Q("attn.hook_rot_q", "[B, T, H, h]", "(rotary models) queries rotated by their position"),
        ROT_K("attn.hook_rot_k", "[B, T, Hkv, h]", "(rotary models) keys rotated by their position: what the scores and the KV cache use"),
        PAST_K("attn.hook_past_k", "[B, K-T, Hkv, h]", "(ours) keys held in the KV cache before this pass (rotary models: rotated)"),
        PAST_V("attn.hook_past_v", "[B, K-T, Hkv, h]", "(ours) values held in the KV cache before this pass"),
        QK_RAW("attn.hook_qk_raw", "[B, H, T, K]", "(ours) q . k before scaling; query head j reads kv head j / (H / Hkv)"),
        ATTN_SCORES_UNMASKED("attn.hook_attn_scores_unmasked", "[B, H, T, K]", "(ours) scaled scores before the mask"),
        MASK("attn.hook_mask", "[B or 1, 1, T, K]", "(ours) additive mask actually applied: 0 allowed, -inf blocked"),
        ATTN_SCORES("attn.hook_attn_scores", "[B, H, T, K]", "scaled and masked scores (masked cells -inf)"),
        PATTERN("attn.hook_pattern", "[B, H, T, K]", "softmax over keys; a fully masked row is 0"),
        Z("attn.hook_z", "[B, T, H, h]", "pattern-weighted sum of values per head"),
        ATTN_OUT("hook_attn_out", "[B, T, d]", "heads concatenated, output projection"),
        RESID_MID("hook_resid_mid", "[B, T, d]", "resid_pre + attn_out"),
        LN2_NORMALIZED("ln2.hook_normalized", "[B, T, d]", "second norm: before the MLP (GPT-2; LLaMA: RMSNorm), of resid_post = block output (BERT)"),
        MLP_PRE("mlp.hook_pre", "[B, T, m]", "first MLP layer (d -> d_mlp) before the non-linearity (gated MLPs: the gate)"),
        MLP_PRE_LINEAR("mlp.hook_pre_linear", "[B, T, m]", "(gated MLPs) the gate's linear partner, x W_up"),
        MLP_POST("mlp.hook_post", "[B, T, m]", "after the non-linearity (gated MLPs: act(gate) * up)"),
        MLP_OUT("hook_mlp_out", "[B, T, d]", "second MLP layer"),
        RESID_POST("hook_resid_post", "[B, T, d]", "resid_mid + mlp_out (BERT: ln1 output + mlp_out)");

        public final String suffix;
        public final String shape;
        public final String meaning;

        Block(String suffix, String shape, String meaning) {
            this.suffix = suffix;
            this.shape = shape;
            this.meaning = meaning;
        }

        /** This hook's full name in block {@code layer}. */
        public String at(int layer) {
            return "blocks." + layer + "." + suffix;
        }
    }

    private static final Pattern BLOCK_NAME = Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    /** A parsed hook name: either a model-level hook or a (layer, block hook) pair. */
    public record Parsed(Model model, int layer, Block block) {
        public boolean inBlock() {
            return block != null;
        }
    }

    private HookName() {
    }

    /** Parses a full hook name strictly; unknown names are an error that lists what would be valid. */
    public static Parsed parse(String name) {
        for (Model m : Model.values()) {
            if (m.id.equals(name)) {
                return new Parsed(m, -1, null);
            }
        }
        Matcher matcher = BLOCK_NAME.matcher(name);
        if (matcher.matches()) {
            for (Block b : Block.values()) {
                if (b.suffix.equals(matcher.group(2))) {
                    return new Parsed(null, Integer.parseInt(matcher.group(1)), b);
                }
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a hook name; see HookName for the list, e.g. "
                + Block.PATTERN.at(0) + " or " + Model.LOGITS.id);
    }

    /** The shape documented for a full hook name. */
    public static String shapeOf(String name) {
        Parsed p = parse(name);
        return p.inBlock() ? p.block().shape : p.model().shape;
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
        rows.add(row(Model.EMBED.id, Model.EMBED.shape, Model.EMBED.meaning));
        rows.add(row(Model.POS_EMBED.id, Model.POS_EMBED.shape, Model.POS_EMBED.meaning));
        rows.add(row(Model.TOKEN_TYPE_EMBED.id, Model.TOKEN_TYPE_EMBED.shape, Model.TOKEN_TYPE_EMBED.meaning));
        rows.add(row(Model.EMBED_LN_NORMALIZED.id, Model.EMBED_LN_NORMALIZED.shape, Model.EMBED_LN_NORMALIZED.meaning));
        for (Block b : Block.values()) {
            rows.add(row("blocks.{i}." + b.suffix, b.shape, b.meaning));
        }
        rows.add(row(Model.LN_FINAL_NORMALIZED.id, Model.LN_FINAL_NORMALIZED.shape, Model.LN_FINAL_NORMALIZED.meaning));
        rows.add(row(Model.LOGITS.id, Model.LOGITS.shape, Model.LOGITS.meaning));
        return String.join("\n", rows);
    }

    private static String row(String name, String shape, String meaning) {
        return String.format(Locale.ROOT, "| `%s` | %s | %s |", name, shape, meaning);
    }
}
