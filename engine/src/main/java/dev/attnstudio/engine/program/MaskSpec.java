package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.Tensors;

/**
 * Which keys the queries of one attention sub-layer may see: a rule over (query position, key position), or none,
 * and the keys' padding. Query t sits at absolute position {@code past} + t. The data of a {@link Op.Kind#MASK}
 * step, from which its tensor is built.
 *
 * @param rule     the positional rule (causal, sliding window), or null when every key is allowed by position
 * @param padding  [B][K] 1 = real key, 0 = padding; null when nothing is padded
 * @param batch    rows (B)
 * @param queries  query positions computed in the pass (T)
 * @param past     positions before the first query (P)
 * @param keys     key positions (K: P + T for self-attention, S for cross-attention)
 */
public record MaskSpec(MaskRule rule, long[][] padding, int batch, int queries, int past, int keys) {

    /** The same keys under another rule (padding kept). */
    public MaskSpec withRule(MaskRule other) {
        return new MaskSpec(other, padding, batch, queries, past, keys);
    }

    /** Whether a query may see a key: the rule allows it and the key is not padding. */
    public boolean allowed(int row, int query, int key) {
        return (rule == null || rule.allowed(past + query, key)) && (padding == null || padding[row][key] != 0);
    }

    /**
     * Whether every query may see at least one key, so the softmax over the masked scores never meets a row of -inf
     * alone: nothing is padded, and the rule (if any) lets each query see its own position among the keys.
     */
    public boolean everyRowSeesAKey() {
        if (padding != null || keys == 0) {
            return false;
        }
        if (rule == null) {
            return true;
        }
        if (keys != past + queries) {
            return false;
        }
        for (int q = 0; q < queries; q++) {
            if (!rule.allowed(past + q, past + q)) {
                return false;
            }
        }
        return true;
    }

    /** Which cells of a mask are allowed: (batch row, query index in the pass, key position). */
    @FunctionalInterface
    public interface Cells {
        boolean allowed(int row, int query, int key);
    }

    /**
     * The additive mask: 0 where a query may see a key, -inf where not. Its shape shows what it depends on:
     * [1, 1, T, K] for a positional rule, [B, 1, 1, K] for padding alone, [B, 1, T, K] for both, [1, 1, 1, K] when
     * nothing is masked.
     */
    public NDArray build(NDManager manager) {
        return build(manager, padding == null ? 1 : batch, rule == null ? 1 : queries, this::allowed);
    }

    /** An additive mask [rows, 1, queries, K] over these keys: 0 where {@code allowed}, -inf elsewhere. */
    public NDArray build(NDManager manager, int rows, int queries, Cells allowed) {
        float[] cells = new float[rows * queries * keys];
        for (int row = 0; row < rows; row++) {
            for (int q = 0; q < queries; q++) {
                for (int key = 0; key < keys; key++) {
                    cells[(row * queries + q) * keys + key] = allowed.allowed(row, q, key) ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
        }
        return Tensors.owned(manager, cells, new Shape(rows, 1, queries, keys));
    }
}
