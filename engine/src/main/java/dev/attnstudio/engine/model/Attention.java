package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.Tensors;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * Multi-head self-attention, written as its stages so each one is a step:
 * q, k, v -> (rotary models: q and k rotated by position) -> q.k (raw) -> / sqrt(d_head) -> + mask -> softmax
 * -> pattern . v (z) -> z W_O.
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
        Interventions iv = pass.interventions();
        p.op(Q.at(layer), "q = " + affine("x", "Q", q) + String.format(Locale.ROOT, ", split into %d heads of %d", nHead, dHead),
                in -> heads(q.apply(in), nHead), x);
        String kvSplit = group == 1 ? String.format(Locale.ROOT, ", split into %d heads of %d", nHead, dHead)
                : String.format(Locale.ROOT, ", split into %d key/value heads of %d (each serves %d query heads)",
                nKvHead, dHead, group);
        p.op(K.at(layer), "k = " + affine("x", "K", k) + kvSplit, in -> heads(k.apply(in), nKvHead), x);
        p.op(V.at(layer), "v = " + affine("x", "V", v) + kvSplit, in -> heads(v.apply(in), nKvHead), x);

        String query = Q.at(layer);
        String key = K.at(layer);
        if (rotary != null) {
            addRotation(p, ROT_Q.at(layer), "q", query, pass);
            addRotation(p, ROT_K.at(layer), "k", key, pass);
            query = ROT_Q.at(layer);
            key = ROT_K.at(layer);
        }

        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        if (pass.past() > 0) {
            int past = pass.past();
            KvCache cache = pass.cache();
            String what = rotary == null ? "keys" : "rotated keys";
            p.op(PAST_K.at(layer), what + " of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.keys(layer, past));
            p.op(PAST_V.at(layer), "values of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.values(layer, past));
            keys.add(PAST_K.at(layer));
            values.add(PAST_V.at(layer));
        }
        keys.add(key);
        values.add(V.at(layer));

        List<String> qAndKeys = new ArrayList<>(keys);
        qAndKeys.add(0, query);
        String qk = rotary == null ? "q . k" : "rot_q . rot_k";
        p.op(QK_RAW.at(layer), qk + " for every query and key, per head" + sharing(),
                (in, m) -> scores(in.get(0), cat(in.subList(1, in.size()))),
                qAndKeys.toArray(String[]::new));

        float scale = iv.scaling() ? (float) (1 / Math.sqrt(dHead)) : 1f;
        p.op(ATTN_SCORES_UNMASKED.at(layer), iv.scaling()
                        ? String.format(Locale.ROOT, "scores / sqrt(d_head) = scores / %.4g", Math.sqrt(dHead))
                        : "scaling disabled (intervention): scores unchanged",
                // the factor is made by PyTorch (full), not from a Java buffer: autograd keeps it for the backward pass
                (in, m) -> in.get(0).mul(m.full(new Shape(), scale)), QK_RAW.at(layer));

        p.op(MASK.at(layer), maskMath(iv, causal, pass.keyMask() != null), (in, m) -> mask(pass, causal, m));
        p.op(ATTN_SCORES.at(layer), "scores + mask", NDArray::add, ATTN_SCORES_UNMASKED.at(layer), MASK.at(layer));

        boolean mayBlankRows = iv.mask() != null || pass.keyMask() != null;
        p.op(PATTERN.at(layer), "softmax over keys: exp(s) / sum exp(s)", s -> {
            NDArray pattern = s.softmax(-1);
            // A query that may see no key at all gets a zero row instead of 0/0 (TransformerLens does the same).
            return mayBlankRows ? NDArrays.where(pattern.isNaN(), pattern.zerosLike(), pattern) : pattern;
        }, ATTN_SCORES.at(layer));

        List<String> patternAndValues = new ArrayList<>(values);
        patternAndValues.add(0, PATTERN.at(layer));
        p.op(Z.at(layer), "z = pattern . v, per head" + sharing()
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
        p.op(ATTN_OUT.at(layer), "heads concatenated: " + affine("z", "O", o),
                z -> o.apply(z.reshape(z.getShape().get(0), z.getShape().get(1), (long) nHead * dHead)),
                Z.at(layer));
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

    private static String maskMath(Interventions iv, boolean causal, boolean padded) {
        String rule = iv.mask() != null ? "mask override (intervention): 0 where allowed, -inf elsewhere"
                : causal ? "causal mask: 0 where key <= query, -inf after" : "bidirectional: every key allowed";
        return padded ? rule + "; padding keys -inf" : rule;
    }

    /**
     * The additive mask: 0 where a query may see a key, -inf where not. Its shape shows what it depends on:
     * [1, 1, T, K] for a causal or overridden rule, [B, 1, 1, K] for padding alone, [B, 1, T, K] for both,
     * [1, 1, 1, K] when nothing is masked. Query t sits at absolute position P + t.
     */
    private static NDArray mask(Pass pass, boolean causal, NDManager m) {
        MaskOverride rule = pass.interventions().mask() != null ? pass.interventions().mask()
                : causal ? MaskOverride.CAUSAL : null;
        long[][] padding = pass.keyMask();
        int b = padding == null ? 1 : pass.batch();
        int t = rule == null ? 1 : pass.length();
        int k = pass.keys();
        float[] cells = new float[b * t * k];
        for (int row = 0; row < b; row++) {
            for (int q = 0; q < t; q++) {
                int queryPos = pass.past() + q;
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
