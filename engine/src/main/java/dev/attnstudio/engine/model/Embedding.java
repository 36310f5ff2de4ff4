package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.Tensors;

/** Learned token and position embeddings (GPT-2 {@code wte}, {@code wpe}; BERT's word and position tables). */
final class Embedding {

    private final NDArray wte; // [V, d]
    private final NDArray wpe; // [P, d]

    Embedding(NDArray wte, NDArray wpe) {
        this.wte = wte;
        this.wpe = wpe;
    }

    /** ids [B, T] (int64) -> W_E[ids] [B, T, d], float32 (a half table's rows widened after the gather). */
    NDArray tokens(NDArray ids) {
        return HalfWeights.rows(wte, ids);
    }

    /** Rows start..start+T of W_pos, repeated over the batch: ids [B, T] -> [B, T, d]. */
    NDArray positions(NDArray ids, long start) {
        long batch = ids.getShape().get(0);
        long len = ids.getShape().get(1);
        Shape shape = new Shape(batch, len, wpe.getShape().get(1));
        NDArray rows = HalfWeights.part(wpe, wpe.get(new NDIndex("{}:{}", start, start + len))); // [T, d] float32
        return Tensors.copy(rows.broadcast(shape));
    }

    /**
     * The unembedding W_U = W_E^T [d, V] (GPT-2 ties them): [B, T, d] -> [B, T, V]. A half W_E is widened whole for
     * each call: a transient of V x d x 4 bytes.
     */
    NDArray unembed(NDArray x) {
        return HalfWeights.times(x, wte, true);
    }
}
