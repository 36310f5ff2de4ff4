package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.attnstudio.engine.hooks.HookName.Block.*;

/**
 * Multi-head causal self-attention, written as its stages so each one is a step:
 * q, k, v -> q.k (raw) -> / sqrt(d_head) -> + mask -> softmax -> pattern . v (z) -> z W_O.
 */
final class Attention {

    private final NDArray wQ, wK, wV; // [d, d] each, stored [in, out]
    private final NDArray bQ, bK, bV; // [d]
    private final NDArray wO;         // [d, d]
    private final NDArray bO;         // [d]
    private final int nHead;
    private final int dHead;

    Attention(NDArray[] qkv, NDArray[] qkvBias, NDArray wO, NDArray bO, int nHead) {
        this.wQ = qkv[0];
        this.wK = qkv[1];
        this.wV = qkv[2];
        this.bQ = qkvBias[0];
        this.bK = qkvBias[1];
        this.bV = qkvBias[2];
        this.wO = wO;
        this.bO = bO;
        this.nHead = nHead;
        this.dHead = (int) (wO.getShape().get(0) / nHead);
    }

    /**
     * Adds this layer's attention steps, reading the hook {@code x} (GPT-2: {@code ln1.hook_normalized}; BERT:
     * {@code hook_resid_pre}) and ending with {@code hook_attn_out}.
     *
     * @param causal whether the model's own mask is causal (decoders) or lets every query see every key (encoders)
     */
    void addSteps(Program.Builder p, int layer, Pass pass, String x, boolean causal) {
        Interventions iv = pass.interventions();
        String split = String.format(Locale.ROOT, ", split into %d heads of %d", nHead, dHead);
        p.op(Q.at(layer), "q = x W_Q + b_Q" + split, in -> heads(in.matMul(wQ).add(bQ)), x);
        p.op(K.at(layer), "k = x W_K + b_K" + split, in -> heads(in.matMul(wK).add(bK)), x);
        p.op(V.at(layer), "v = x W_V + b_V" + split, in -> heads(in.matMul(wV).add(bV)), x);

        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        if (pass.past() > 0) {
            int past = pass.past();
            KvCache cache = pass.cache();
            p.op(PAST_K.at(layer), "keys of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.keys(layer, past));
            p.op(PAST_V.at(layer), "values of positions 0.." + (past - 1) + " read from the KV cache",
                    (in, m) -> cache.values(layer, past));
            keys.add(PAST_K.at(layer));
            values.add(PAST_V.at(layer));
        }
        keys.add(K.at(layer));
        values.add(V.at(layer));

        List<String> qAndKeys = new ArrayList<>(keys);
        qAndKeys.add(0, Q.at(layer));
        p.op(QK_RAW.at(layer), "q . k for every query and key, per head",
                (in, m) -> perHead(in.get(0)).matMul(perHead(cat(in.subList(1, in.size()))).transpose(0, 1, 3, 2)),
                qAndKeys.toArray(String[]::new));

        float scale = iv.scaling() ? (float) (1 / Math.sqrt(dHead)) : 1f;
        p.op(ATTN_SCORES_UNMASKED.at(layer), iv.scaling()
                        ? String.format(Locale.ROOT, "scores / sqrt(d_head) = scores / %.4g", Math.sqrt(dHead))
                        : "scaling disabled (intervention): scores unchanged",
                raw -> raw.mul(scale), QK_RAW.at(layer));

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
        p.op(Z.at(layer), "z = pattern . v, per head" + (ablated(iv, layer) ? "; ablated heads zeroed (intervention)" : ""),
                (in, m) -> {
                    NDArray z = in.get(0).matMul(perHead(cat(in.subList(1, in.size())))).transpose(0, 2, 1, 3);
                    if (!ablated(iv, layer)) {
                        return z;
                    }
                    float[] gate = new float[nHead];
                    for (int h = 0; h < nHead; h++) {
                        gate[h] = iv.isAblated(layer, h) ? 0f : 1f;
                    }
                    return z.mul(m.create(gate, new Shape(1, 1, nHead, 1)));
                },
                patternAndValues.toArray(String[]::new));
        p.op(ATTN_OUT.at(layer), "heads concatenated: z W_O + b_O",
                z -> z.reshape(z.getShape().get(0), z.getShape().get(1), (long) nHead * dHead).matMul(wO).add(bO),
                Z.at(layer));
    }

    private static boolean ablated(Interventions iv, int layer) {
        return iv.ablatedHeads().stream().anyMatch(h -> h.layer() == layer);
    }

    /** [B, T, d] -> [B, T, H, h]. */
    private NDArray heads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), nHead, dHead);
    }

    /** [B, T, H, h] -> [B, H, T, h]. */
    private static NDArray perHead(NDArray x) {
        return x.transpose(0, 2, 1, 3);
    }

    /** Past and present along the position axis: [B, P, H, h] + [B, T, H, h] -> [B, K, H, h]. */
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
        return m.create(cells, new Shape(b, 1, t, k));
    }
}
