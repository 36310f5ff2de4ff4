package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.runtime.Tensors;
import dev.attnstudio.engine.step.Op;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * Multi-head self-attention, written as its stages so each one is a step:
 * q, k, v -> (rotary models: q and k rotated by position) -> q.k (raw) -> / sqrt(d_head) -> + mask -> softmax
 * -> pattern . v (z) -> z W_O.
 *
 * <p>T5 varies it: no scaling, a relative position bias added to the scores instead ({@code hook_attn_scores_unmasked}
 * = q.k + position_bias), and cross-attention, whose queries come from the decoder and whose keys and values come from
 * the encoder's output (or, in a decode pass, from the cache), masked only where the source is padded.
 *
 * <p>Grouped-query attention: keys and values may have fewer heads (Hkv) than the queries (H). Query head j then
 * reads kv head j / (H / Hkv), the grouping of Hugging Face's {@code repeat_kv}. The hooks and the KV cache hold
 * the Hkv heads as computed; the sharing happens inside the score and z steps.
 */
final class Attention {

    /**
     * x -> x W (+ b). The weight stays in the layout its checkpoint stores, so a trainer can be handed the
     * checkpoint's own tensors: [in, out] (GPT-2's Conv1D; BERT after its load-time transpose) or [out, in]
     * (a torch Linear, as LLaMA stores them; multiplied through a transposed view, no copy).
     *
     * @param bias  [out], or null for none
     * @param outIn whether the weight is stored [out, in]
     */
    record Projection(NDArray weight, NDArray bias, boolean outIn) {

        /** A weight stored [in, out] with a bias. */
        static Projection inOut(NDArray weight, NDArray bias) {
            return new Projection(weight, bias, false);
        }

        /** A torch Linear weight [out, in] without bias. */
        static Projection linear(NDArray weight) {
            return new Projection(weight, null, true);
        }

        long inputs() {
            return weight.getShape().get(outIn ? 1 : 0);
        }

        long outputs() {
            return weight.getShape().get(outIn ? 0 : 1);
        }

        /** [..., in] -> [..., out]. */
        NDArray apply(NDArray x) {
            NDArray y = x.matMul(outIn ? weight.transpose() : weight);
            return bias == null ? y : y.add(bias);
        }
    }

    private final Projection q;  // d -> H h
    private final Projection k;  // d -> Hkv h
    private final Projection v;  // d -> Hkv h
    private final Projection o;  // H h -> d
    private final int nHead;     // H
    private final int nKvHead;   // Hkv, divides H
    private final int group;     // H / Hkv query heads per kv head
    private final int dHead;     // h
    private final Rotary rotary; // null where positions enter elsewhere (learned position embeddings)

    /** GPT-2 and BERT: weights [in, out] each [d, d], biases [d], as many key/value heads as query heads. */
    Attention(NDArray[] qkv, NDArray[] qkvBias, NDArray wO, NDArray bO, int nHead) {
        this(Projection.inOut(qkv[0], qkvBias[0]), Projection.inOut(qkv[1], qkvBias[1]),
                Projection.inOut(qkv[2], qkvBias[2]), Projection.inOut(wO, bO), nHead, nHead, null);
    }

    /**
     * @param nKvHead key/value heads; H for plain multi-head attention
     * @param rotary  the rotation applied to q and k by position, or null
     */
    Attention(Projection q, Projection k, Projection v, Projection o, int nHead, int nKvHead, Rotary rotary) {
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
        if (k.outputs() != (long) nKvHead * dHead || v.outputs() != (long) nKvHead * dHead || o.inputs() != q.outputs()) {
            throw new IllegalArgumentException("W_K, W_V must give " + nKvHead + " x " + dHead + " values and W_O read "
                    + q.outputs() + "; got " + k.outputs() + ", " + v.outputs() + ", " + o.inputs());
        }
    }

    /**
     * Adds this layer's attention steps, reading the hook {@code x} (GPT-2, LLaMA: {@code ln1.hook_normalized};
     * BERT: {@code hook_resid_pre}) and ending with {@code hook_attn_out}.
     *
     * @param causal whether the model's own mask is causal (decoders) or lets every query see every key (encoders)
     */
    void addSteps(Program.Builder p, int layer, Pass pass, String x, boolean causal) {
        addSteps(p, layer, b -> b.at(layer), pass, x, causal, null, true);
    }

    /**
     * Self-attention under any naming (T5 prefixes its stacks: {@code encoder.blocks.0.attn.hook_q}).
     *
     * @param names        the full hook name of each stage
     * @param pass         the queries' pass: its batch, positions, past in the cache, padding of the keys
     * @param positionBias a hook [1, H, T, K] added to the scores (T5's relative positions), or null
     * @param scaled       whether the model divides scores by sqrt(d_head) (T5 does not)
     */
    void addSteps(Program.Builder p, int layer, Function<HookName.Block, String> names, Pass pass, String x,
                  boolean causal, String positionBias, boolean scaled) {
        String query = addProjection(p, names.apply(Q), "q", q, nHead, x);
        String key = addProjection(p, names.apply(K), "k", k, nKvHead, x);
        String value = addProjection(p, names.apply(V), "v", v, nKvHead, x);
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
            p.op(names.apply(PAST_K), what + " of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.keys(layer, past));
            p.op(names.apply(PAST_V), "values of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.values(layer, past));
            keys.add(names.apply(PAST_K));
            values.add(names.apply(PAST_V));
        }
        keys.add(key);
        values.add(value);

        Interventions iv = pass.interventions();
        MaskOverride rule = iv.mask() != null ? iv.mask() : causal ? MaskOverride.CAUSAL : null;
        String ruleMath = iv.mask() != null ? "mask override (intervention): 0 where allowed, -inf elsewhere"
                : causal ? "causal mask: 0 where key <= query, -inf after" : "bidirectional: every key allowed";
        Keys scored = new Keys(rule, ruleMath, pass.keyMask(), pass.batch(), pass.length(), pass.past(), pass.keys());
        addScoresAndOutput(p, layer, names, iv, query, keys, values, scored, positionBias, scaled,
                rotary == null ? "q . k" : "rot_q . rot_k");
    }

    /**
     * Cross-attention (T5's decoder): queries from {@code x}, keys and values from the encoder's S positions, no
     * causal rule (only the source's padding), no position bias, no scaling.
     *
     * @param names   the full hook name of each stage ({@code decoder.blocks.{i}.cross_attn.hook_q} ...)
     * @param pass    the decoder's pass; its source length and mask describe the keys
     * @param encoder the hook holding the encoder's output [B, S, d], or null to read this layer's cross-attention
     *                keys and values from the pass's cache (a decode pass: the encoder does not run again)
     */
    void addCrossSteps(Program.Builder p, int layer, Function<HookName.Block, String> names, Pass pass, String x,
                       String encoder) {
        String query = addProjection(p, names.apply(Q), "q", q, nHead, x);
        if (encoder != null) {
            addProjection(p, names.apply(K), "k", k, nKvHead, encoder);
            addProjection(p, names.apply(V), "v", v, nKvHead, encoder);
        } else {
            KvCache cache = pass.cache();
            String when = " of the " + pass.sourceLength() + " encoder positions, read from the KV cache (projected once "
                    + "from the encoder's output when the prompt ran)";
            p.op(names.apply(K), "k" + when, (in, m) -> cache.crossKeys(layer));
            p.op(names.apply(V), "v" + when, (in, m) -> cache.crossValues(layer));
        }
        Keys scored = new Keys(null, "encoder keys: every source position allowed", pass.sourceMask(), pass.batch(),
                pass.length(), 0, pass.sourceLength());
        addScoresAndOutput(p, layer, names, pass.interventions(), query, List.of(names.apply(K)), List.of(names.apply(V)),
                scored, null, false, "q . k");
    }

    /** x -> x W (+ b), split into {@code n} heads; returns the hook's name. */
    private String addProjection(Program.Builder p, String name, String what, Projection proj, int n, String x) {
        String split = n == nHead ? String.format(Locale.ROOT, ", split into %d heads of %d", nHead, dHead)
                : String.format(Locale.ROOT, ", split into %d key/value heads of %d (each serves %d query heads)",
                n, dHead, group);
        String w = what.toUpperCase(Locale.ROOT);
        p.op(name, what + " = " + affine("x", w, proj) + split, in -> heads(proj.apply(in), n), x);
        return name;
    }

    /**
     * Which keys the queries may see: a rule over (query position, key position) or none, and the keys' padding.
     * Query t sits at absolute position {@code past} + t.
     */
    private record Keys(MaskOverride rule, String ruleMath, long[][] padding, int batch, int queries, int past, int count) {

        String math() {
            return padding != null ? ruleMath + "; padding keys -inf" : ruleMath;
        }
    }

    /** From q . k to hook_attn_out: scaling and position bias, mask, softmax, z, output projection. */
    private void addScoresAndOutput(Program.Builder p, int layer, Function<HookName.Block, String> names,
                                    Interventions iv, String query, List<String> keys, List<String> values, Keys scored,
                                    String positionBias, boolean scaled, String qk) {
        List<String> qAndKeys = new ArrayList<>(keys);
        qAndKeys.add(0, query);
        p.op(names.apply(QK_RAW), qk + " for every query and key, per head" + sharing(),
                (in, m) -> scores(in.get(0), cat(in.subList(1, in.size()))),
                qAndKeys.toArray(String[]::new));

        boolean scaling = scaled && iv.scaling();
        float scale = scaling ? (float) (1 / Math.sqrt(dHead)) : 1f;
        String scaleMath = scaling ? String.format(Locale.ROOT, "scores / sqrt(d_head) = scores / %.4g", Math.sqrt(dHead))
                : scaled ? "scaling disabled (intervention): scores unchanged" : "scores unscaled (T5 has no 1/sqrt(d_head))";
        if (positionBias == null) {
            p.op(names.apply(ATTN_SCORES_UNMASKED), scaled ? scaleMath : scaleMath + ", no position bias",
                    // the factor is made by PyTorch (full), not from a Java buffer: autograd keeps it for the backward pass
                    (in, m) -> scaling ? in.get(0).mul(m.full(new Shape(), scale)) : Tensors.copy(in.get(0)),
                    names.apply(QK_RAW));
        } else {
            p.op(names.apply(ATTN_SCORES_UNMASKED), scaleMath + ", + position_bias (per head, by relative position)",
                    (Op.Kernel) (in, m) -> (scaling ? in.get(0).mul(m.full(new Shape(), scale)) : in.get(0)).add(in.get(1)),
                    names.apply(QK_RAW), positionBias);
        }

        p.op(names.apply(MASK), scored.math(), (in, m) -> mask(scored, m));
        p.op(names.apply(ATTN_SCORES), "scores + mask", NDArray::add, names.apply(ATTN_SCORES_UNMASKED), names.apply(MASK));

        boolean mayBlankRows = scored.rule() != null || scored.padding() != null;
        p.op(names.apply(PATTERN), "softmax over keys: exp(s) / sum exp(s)", s -> {
            NDArray pattern = s.softmax(-1);
            // A query that may see no key at all gets a zero row instead of 0/0 (TransformerLens does the same).
            return mayBlankRows ? NDArrays.where(pattern.isNaN(), pattern.zerosLike(), pattern) : pattern;
        }, names.apply(ATTN_SCORES));

        List<String> patternAndValues = new ArrayList<>(values);
        patternAndValues.add(0, names.apply(PATTERN));
        p.op(names.apply(Z), "z = pattern . v, per head" + sharing()
                        + (ablated(iv, layer) ? "; ablated heads zeroed (intervention)" : ""),
                (in, m) -> {
                    NDArray z = weightedValues(in.get(0), cat(in.subList(1, in.size())));
                    if (!ablated(iv, layer)) {
                        return z;
                    }
                    float[] gate = new float[nHead];
                    for (int h = 0; h < nHead; h++) {
                        gate[h] = iv.isAblated(layer, h) ? 0f : 1f;
                    }
                    return z.mul(Tensors.owned(m, gate, new Shape(1, 1, nHead, 1)));
                },
                patternAndValues.toArray(String[]::new));
        p.op(names.apply(ATTN_OUT), "heads concatenated: " + affine("z", "O", o),
                z -> o.apply(z.reshape(z.getShape().get(0), z.getShape().get(1), (long) nHead * dHead)),
                names.apply(Z));
    }

    /** Rotates {@code input} ([B, T, heads, h]) by each position's angles; the identity when positions are disabled. */
    private void addRotation(Program.Builder p, String name, String what, String input, Pass pass) {
        int start = pass.past();
        if (pass.interventions().positions()) {
            p.op(name, rotary.math(what, start, start + pass.length() - 1),
                    (in, m) -> rotary.apply(in.get(0), start, m), input);
        } else {
            // a copy that stays on the autograd graph (duplicate() detaches on DJL's PyTorch engine)
            p.op(name, "positions disabled (intervention): " + what + " not rotated",
                    Tensors::copy, input);
        }
    }

    /** "x W_Q + b_Q", or "x W_Q (no bias)". */
    private static String affine(String in, String w, Projection proj) {
        return in + " W_" + w + (proj.bias() == null ? " (no bias)" : " + b_" + w);
    }

    /** How query heads share kv heads, for the score and z steps' descriptions; empty without sharing. */
    private String sharing() {
        return group == 1 ? "" : String.format(Locale.ROOT,
                "; grouped: query head j reads kv head j / %d (%d kv heads, each repeated for %d query heads)",
                group, nKvHead, group);
    }

    private static boolean ablated(Interventions iv, int layer) {
        return iv.ablatedHeads().stream().anyMatch(h -> h.layer() == layer);
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

    /**
     * The additive mask: 0 where a query may see a key, -inf where not. Its shape shows what it depends on:
     * [1, 1, T, K] for a causal or overridden rule, [B, 1, 1, K] for padding alone, [B, 1, T, K] for both,
     * [1, 1, 1, K] when nothing is masked.
     */
    private static NDArray mask(Keys keys, NDManager m) {
        MaskOverride rule = keys.rule();
        long[][] padding = keys.padding();
        int b = padding == null ? 1 : keys.batch();
        int t = rule == null ? 1 : keys.queries();
        int k = keys.count();
        float[] cells = new float[b * t * k];
        for (int row = 0; row < b; row++) {
            for (int q = 0; q < t; q++) {
                int queryPos = keys.past() + q;
                for (int key = 0; key < k; key++) {
                    boolean allowed = (rule == null || rule.allowed(queryPos, key))
                            && (padding == null || padding[row][key] != 0);
                    cells[(row * t + q) * k + key] = allowed ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
        }
        return Tensors.owned(m, cells, new Shape(b, 1, t, k));
    }
}
