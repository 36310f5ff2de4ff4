package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.KvCache;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * Multi-head attention, written as its stages so each one is a step:
 * q, k, v [B, T, H, h] -> (rotary models: q and k rotated by position) -> q.k [B, H, T, K] -> / sqrt(h) -> + mask
 * -> softmax over keys -> pattern . v = z [B, T, H, h] -> z W_O [B, T, d].
 *
 * <p>T5 varies it: no scaling, a relative position bias added to the scores instead ({@code hook_attn_scores_unmasked}
 * = q.k + position_bias), and cross-attention, whose queries come from the decoder and whose keys and values come from
 * the encoder's output (or, in a decode pass, from the cache), masked only where the source is padded.
 *
 * <p>Grouped-query attention: keys and values may have fewer heads (Hkv) than the queries (H). Query head j then
 * reads kv head j / (H / Hkv), the grouping of Hugging Face's {@code repeat_kv}. The hooks and the KV cache hold
 * the Hkv heads as computed; the sharing happens inside the score and z steps.
 *
 * <p>The LLaMA variants add stages ({@link Tweaks}): Qwen3 normalizes each head of q and k before the rotation
 * ({@code hook_q_normed}, {@code hook_k_normed}); Gemma 2 scales by query_pre_attn_scalar^-0.5 instead of 1/sqrt(h)
 * and soft-caps the scores before the mask ({@code hook_attn_scores_capped} = cap tanh(scores / cap)); Mistral and
 * Gemma 2 (even layers) see only a sliding window of keys, which is part of the mask ({@code hook_mask} is a band).
 */
final class Attention {

    private final Linear q;       // d -> H h
    private final Linear k;       // d -> Hkv h
    private final Linear v;       // d -> Hkv h
    private final Linear o;       // H h -> d
    private final int nHead;      // H
    private final int nKvHead;    // Hkv, divides H
    private final int group;      // H / Hkv query heads per kv head
    private final int dHead;      // h
    private final Rotary rotary;  // null where positions enter elsewhere (learned embeddings, T5's bias)
    private final boolean scaled; // scores divided by sqrt(h) (all but T5)
    private final Tweaks tweaks;

    /**
     * What the LLaMA variants change in attention; {@link Tweaks#NONE} for the others.
     *
     * @param qNorm              an RMSNorm over each query head's h values before the rotation (Qwen3), or null
     * @param kNorm              the same for the keys, or null
     * @param queryPreAttnScalar scores times this^-0.5 instead of 1/sqrt(h) (Gemma 2); 0 for 1/sqrt(h)
     * @param softcap            scores = cap tanh(scores / cap) before the mask (Gemma 2); 0 for none
     * @param window             a causal query sees only keys with query - window < key (Mistral, Gemma 2); 0: all
     */
    record Tweaks(Norm qNorm, Norm kNorm, double queryPreAttnScalar, double softcap, int window) {
        static final Tweaks NONE = new Tweaks(null, null, 0, 0, 0);
    }

    /**
     * @param nKvHead key/value heads; H for plain multi-head attention
     * @param rotary  the rotation applied to q and k by position, or null
     * @param scaled  whether scores are divided by sqrt(d_head)
     */
    Attention(Linear q, Linear k, Linear v, Linear o, int nHead, int nKvHead, Rotary rotary, boolean scaled) {
        this(q, k, v, o, nHead, nKvHead, rotary, scaled, Tweaks.NONE);
    }

    /** Attention with the stages a LLaMA variant adds. */
    Attention(Linear q, Linear k, Linear v, Linear o, int nHead, int nKvHead, Rotary rotary, boolean scaled, Tweaks tweaks) {
        if (nKvHead < 1 || nHead % nKvHead != 0) {
            throw new IllegalArgumentException(nKvHead + " key/value heads do not divide " + nHead + " query heads");
        }
        if (q.outputs() % nHead != 0) {
            throw new IllegalArgumentException("W_Q gives " + q.outputs() + " values, not a multiple of " + nHead + " heads");
        }
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.nHead = nHead;
        this.nKvHead = nKvHead;
        this.group = nHead / nKvHead;
        this.dHead = (int) (q.outputs() / nHead);
        this.rotary = rotary;
        this.scaled = scaled;
        this.tweaks = tweaks;
        if (k.outputs() != (long) nKvHead * dHead || v.outputs() != (long) nKvHead * dHead || o.inputs() != q.outputs()) {
            throw new IllegalArgumentException("W_K, W_V must give " + nKvHead + " x " + dHead + " values and W_O read "
                    + q.outputs() + "; got " + k.outputs() + ", " + v.outputs() + ", " + o.inputs());
        }
    }

    /**
     * Self-attention: adds the steps from {@code hook_q} to {@code hook_attn_out}, reading the hook {@code x}.
     *
     * @param names        the full hook name of each stage ({@code blocks.0.attn.hook_q}, or T5's stack-prefixed ones)
     * @param pass         the queries' pass: its batch, positions, past in the cache, padding of the keys
     * @param rule         which keys each query may see by position (causal), or null for every key (encoders)
     * @param positionBias a hook [1, H, T, K] added to the scores (T5's relative positions), or null
     */
    void addSelfSteps(Program.Builder p, int layer, Function<HookName.Block, String> names, Pass pass, String x,
                      MaskRule rule, String positionBias) {
        p.subLayer(Op.SubLayer.ATTENTION);
        String query = addProjection(p, names.apply(Q), Op.Kind.Q_PROJ, "q", q, nHead, x);
        String key = addProjection(p, names.apply(K), Op.Kind.K_PROJ, "k", k, nKvHead, x);
        String value = addProjection(p, names.apply(V), Op.Kind.V_PROJ, "v", v, nKvHead, x);
        if (tweaks.qNorm() != null) {
            // [B, T, H, h] -> [B, T, H, h]: each head's h values normalized on their own (Qwen3's q_norm, k_norm)
            tweaks.qNorm().addStep(p, names.apply(Q_NORMED), query, "; q_norm, per query head, before the rotation");
            tweaks.kNorm().addStep(p, names.apply(K_NORMED), key, "; k_norm, per key/value head, before the rotation");
            query = names.apply(Q_NORMED);
            key = names.apply(K_NORMED);
        }
        if (rotary != null) {
            addRotation(p, names.apply(ROT_Q), "q", query, pass);
            addRotation(p, names.apply(ROT_K), "k", key, pass);
            query = names.apply(ROT_Q);
            key = names.apply(ROT_K);
        }

        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        if (pass.past() > 0) {
            int past = pass.past();
            KvCache cache = pass.cache();
            String what = rotary == null ? "keys" : "rotated keys";
            String window = windowed(rule) ? String.format(Locale.ROOT, " (the sliding window of %d needs only the last "
                    + "%d of them; the cache keeps all %d and the mask hides the older ones)", tweaks.window(),
                    tweaks.window() - 1, past) : "";
            p.op(names.apply(PAST_K), Op.Kind.CACHE_READ, what + " of positions 0.." + (past - 1) + " read from the KV cache"
                    + window, (in, m) -> cache.keys(layer, past));
            p.op(names.apply(PAST_V), Op.Kind.CACHE_READ, "values of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.values(layer, past));
            keys.add(names.apply(PAST_K));
            values.add(names.apply(PAST_V));
        }
        keys.add(key);
        values.add(value);

        MaskRule applied = windowed(rule) ? MaskRule.slidingWindow(tweaks.window()) : rule;
        MaskSpec mask = new MaskSpec(applied, pass.keyMask(), pass.batch(), pass.length(), pass.past(), pass.keys());
        String ruleMath = rule == null ? "bidirectional: every key allowed"
                : windowed(rule) ? String.format(Locale.ROOT, "sliding-window causal mask, W = %d: 0 where query - %d < key "
                        + "<= query (the last %d positions), -inf elsewhere", tweaks.window(), tweaks.window(), tweaks.window())
                : rule == MaskRule.CAUSAL ? "causal mask: 0 where key <= query, -inf after" : "0 where allowed, -inf elsewhere";
        addScoresAndOutput(p, names, query, keys, values, mask, ruleMath, positionBias, scaled,
                rotary == null ? "q . k" : "rot_q . rot_k");
        if (pass.past() > 0 && pass.batch() == 1) {
            // a fused decode pass reads past and present keys (values) where the cache holds them side by side: the
            // concatenation's values in the concatenation's layout, without copying the past twice per layer
            KvCache cache = pass.cache();
            p.fast(names.apply(QK_RAW), (in, m) -> scores(in.get(0), cache.keysWith(layer, in.get(1))), query, key);
            p.fast(names.apply(Z), (in, m) -> weightedValues(in.get(0), cache.valuesWith(layer, in.get(1))),
                    names.apply(PATTERN), value);
        }
    }

    /** Whether this layer's sliding window narrows the model's causal rule. */
    private boolean windowed(MaskRule rule) {
        return tweaks.window() > 0 && rule == MaskRule.CAUSAL;
    }

    /**
     * Cross-attention (T5's decoder): queries from {@code x}, keys and values from the encoder's S positions, no
     * positional rule (only the source's padding), no position bias, no scaling.
     *
     * @param names   the full hook name of each stage ({@code decoder.blocks.{i}.cross_attn.hook_q} ...)
     * @param pass    the decoder's pass; its source length and mask describe the keys
     * @param encoder the hook holding the encoder's output [B, S, d], or null to read this layer's cross-attention
     *                keys and values from the pass's cache (a decode pass: the encoder does not run again)
     */
    void addCrossSteps(Program.Builder p, int layer, Function<HookName.Block, String> names, Pass pass, String x,
                       String encoder) {
        p.subLayer(Op.SubLayer.CROSS_ATTENTION);
        String query = addProjection(p, names.apply(Q), Op.Kind.Q_PROJ, "q", q, nHead, x);
        if (encoder != null) {
            addProjection(p, names.apply(K), Op.Kind.K_PROJ, "k", k, nKvHead, encoder);
            addProjection(p, names.apply(V), Op.Kind.V_PROJ, "v", v, nKvHead, encoder);
        } else {
            KvCache cache = pass.cache();
            String when = " of the " + pass.sourceLength() + " encoder positions, read from the KV cache (projected once "
                    + "from the encoder's output when the prompt ran)";
            p.op(names.apply(K), Op.Kind.CACHE_READ, "k" + when, (in, m) -> cache.crossKeys(layer));
            p.op(names.apply(V), Op.Kind.CACHE_READ, "v" + when, (in, m) -> cache.crossValues(layer));
        }
        MaskSpec mask = new MaskSpec(null, pass.sourceMask(), pass.batch(), pass.length(), 0, pass.sourceLength());
        addScoresAndOutput(p, names, query, List.of(names.apply(K)), List.of(names.apply(V)), mask,
                "encoder keys: every source position allowed", null, false, "q . k");
    }

    /** x -> x W (+ b), split into {@code n} heads: [B, T, d] -> [B, T, n, h]; returns the hook's name. */
    private String addProjection(Program.Builder p, String name, Op.Kind kind, String what, Linear proj, int n, String x) {
        String split = n == nHead ? String.format(Locale.ROOT, ", split into %d heads of %d", nHead, dHead)
                : String.format(Locale.ROOT, ", split into %d key/value heads of %d (each serves %d query heads)",
                n, dHead, group);
        p.op(name, kind, what + " = " + proj.math("x", what.toUpperCase(Locale.ROOT)) + split,
                in -> heads(proj.apply(in), n), x);
        return name;
    }

    /** From q . k to hook_attn_out: scaling and position bias, mask, softmax, z, output projection. */
    private void addScoresAndOutput(Program.Builder p, Function<HookName.Block, String> names, String query,
                                    List<String> keys, List<String> values, MaskSpec mask, String ruleMath,
                                    String positionBias, boolean scaling, String qk) {
        List<String> qAndKeys = new ArrayList<>(keys);
        qAndKeys.add(0, query);
        p.op(names.apply(QK_RAW), Op.Kind.QK_RAW, qk + " for every query and key, per head" + sharing(),
                (in, m) -> scores(in.get(0), cat(in.subList(1, in.size()))), qAndKeys.toArray(String[]::new));

        double scalar = tweaks.queryPreAttnScalar();
        float factor = !scaling ? 1f : scalar > 0 ? (float) Math.pow(scalar, -0.5) : (float) (1 / Math.sqrt(dHead));
        String scaleMath = !scaling ? "scores unscaled (T5 has no 1/sqrt(d_head))"
                : scalar > 0 ? String.format(Locale.ROOT, "scores * query_pre_attn_scalar^-0.5 = scores / sqrt(%s) (not "
                        + "sqrt(d_head) = sqrt(%d))", trim(scalar), dHead)
                : String.format(Locale.ROOT, "scores / sqrt(d_head) = scores / %.4g", Math.sqrt(dHead));
        if (positionBias == null) {
            p.scale(names.apply(ATTN_SCORES_UNMASKED), factor, scaling ? scaleMath : scaleMath + ", no position bias",
                    // the factor is made by PyTorch (full), not from a Java buffer: autograd keeps it for the backward pass
                    (in, m) -> scaling ? in.get(0).mul(m.full(new Shape(), factor)) : Tensors.copy(in.get(0)),
                    names.apply(QK_RAW));
        } else {
            p.scale(names.apply(ATTN_SCORES_UNMASKED), factor, scaleMath + ", + position_bias (per head, by relative position)",
                    (in, m) -> (scaling ? in.get(0).mul(m.full(new Shape(), factor)) : in.get(0)).add(in.get(1)),
                    names.apply(QK_RAW), positionBias);
        }

        if (positionBias == null && scaling) {
            // a fused run scales the raw scores where they are, [B, H, T, K] not allocated again
            p.fastOverwriting(names.apply(ATTN_SCORES_UNMASKED), (in, m) -> in.get(0).muli(m.full(new Shape(), factor)),
                    names.apply(QK_RAW));
        }
        String beforeMask = names.apply(ATTN_SCORES_UNMASKED);
        if (tweaks.softcap() > 0) {
            float cap = (float) tweaks.softcap();
            p.op(names.apply(ATTN_SCORES_CAPPED), Op.Kind.SOFTCAP, String.format(Locale.ROOT, "soft-capped: %s tanh(scores "
                    + "/ %s), every score within (-%s, %s) (attn_logit_softcapping)", trim(cap), trim(cap), trim(cap), trim(cap)),
                    s -> softcap(s, cap), beforeMask);
            beforeMask = names.apply(ATTN_SCORES_CAPPED);
        }
        p.mask(names.apply(MASK), mask, mask.padding() != null ? ruleMath + "; padding keys -inf" : ruleMath);
        p.op(names.apply(ATTN_SCORES), Op.Kind.APPLY_MASK, "scores + mask", NDArray::add, beforeMask, names.apply(MASK));
        p.fastOverwriting(names.apply(ATTN_SCORES), (in, m) -> in.get(0).addi(in.get(1)), beforeMask, names.apply(MASK));

        boolean mayBlankRows = mask.rule() != null || mask.padding() != null;
        p.op(names.apply(PATTERN), Op.Kind.SOFTMAX, "softmax over keys: exp(s) / sum exp(s)",
                s -> mayBlankRows ? softmaxOrZero(s) : s.softmax(-1), names.apply(ATTN_SCORES));
        if (mayBlankRows && mask.everyRowSeesAKey()) {
            // the model's own mask leaves no row blank, so there is no 0/0 to replace (a hook's mask might)
            p.fast(names.apply(PATTERN), (in, m) -> in.get(0).softmax(-1), names.apply(ATTN_SCORES));
        }

        List<String> patternAndValues = new ArrayList<>(values);
        patternAndValues.add(0, names.apply(PATTERN));
        p.op(names.apply(Z), Op.Kind.Z, "z = pattern . v, per head" + sharing(),
                (in, m) -> weightedValues(in.get(0), cat(in.subList(1, in.size()))),
                patternAndValues.toArray(String[]::new));
        p.op(names.apply(ATTN_OUT), Op.Kind.OUT_PROJ, "heads concatenated: " + o.math("z", "O"),
                z -> o.apply(z.reshape(z.getShape().get(0), z.getShape().get(1), (long) nHead * dHead)),
                names.apply(Z));
    }

    /**
     * cap tanh(x / cap), elementwise: near x for |x| much below cap, never beyond +-cap (Gemma 2's soft-capping of
     * scores and logits). The constant is made by PyTorch so autograd may keep it.
     */
    static NDArray softcap(NDArray x, float cap) {
        NDArray c = x.getManager().full(new Shape(), cap);
        return x.div(c).tanh().mul(c);
    }

    /** 50.0 -> "50", 0.5 -> "0.5". */
    static String trim(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * Softmax over keys; a query that may see no key at all gets a zero row instead of 0/0 (TransformerLens does the
     * same). [B, H, T, K] -> [B, H, T, K].
     */
    private static NDArray softmaxOrZero(NDArray scores) {
        NDArray pattern = scores.softmax(-1);
        return NDArrays.where(pattern.isNaN(), pattern.zerosLike(), pattern);
    }

    /** Rotates {@code input} ([B, T, heads, h]) by each position's angles. */
    private void addRotation(Program.Builder p, String name, String what, String input, Pass pass) {
        int start = pass.past();
        p.op(name, Op.Kind.ROTARY, rotary.math(what, start, start + pass.length() - 1),
                (in, m) -> rotary.apply(in.get(0), start, m), input);
    }

    /** How query heads share kv heads, for the score and z steps' descriptions; empty without sharing. */
    private String sharing() {
        return group == 1 ? "" : String.format(Locale.ROOT,
                "; grouped: query head j reads kv head j / %d (%d kv heads, each repeated for %d query heads)",
                group, nKvHead, group);
    }

    /** [B, T, n h] -> [B, T, n, h]. */
    private NDArray heads(NDArray x, int n) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), n, dHead);
    }

    /** [B, T, n, h] -> [B, n, T, h]. */
    private static NDArray perHead(NDArray x) {
        return x.transpose(0, 2, 1, 3);
    }

    /** q [B, T, H, h], k [B, K, Hkv, h] -> q . k [B, H, T, K]. */
    private NDArray scores(NDArray query, NDArray key) {
        NDArray qh = perHead(query);                      // [B, H, T, h]
        NDArray kt = perHead(key).transpose(0, 1, 3, 2);  // [B, Hkv, h, K]
        if (group == 1) {
            return qh.matMul(kt);
        }
        long b = qh.getShape().get(0);
        long t = qh.getShape().get(2);
        // [B, Hkv, g, T, h] . [B, Hkv, 1, h, K] -> [B, Hkv, g, T, K]: head j = kv * g + r reads kv head j / g
        return qh.reshape(b, nKvHead, group, t, dHead).matMul(kt.expandDims(2))
                .reshape(b, nHead, t, kt.getShape().get(3));
    }

    /** pattern [B, H, T, K], v [B, K, Hkv, h] -> z [B, T, H, h]. */
    private NDArray weightedValues(NDArray pattern, NDArray value) {
        NDArray vh = perHead(value); // [B, Hkv, K, h]
        if (group == 1) {
            return pattern.matMul(vh).transpose(0, 2, 1, 3);
        }
        Shape s = pattern.getShape();
        // [B, Hkv, g, T, K] . [B, Hkv, 1, K, h] -> [B, Hkv, g, T, h] -> [B, H, T, h]
        return pattern.reshape(s.get(0), nKvHead, group, s.get(2), s.get(3)).matMul(vh.expandDims(2))
                .reshape(s.get(0), nHead, s.get(2), dHead).transpose(0, 2, 1, 3);
    }

    /** Past and present along the position axis: [B, P, n, h] + [B, T, n, h] -> [B, K, n, h]. */
    private static NDArray cat(List<NDArray> parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 1);
    }
}
