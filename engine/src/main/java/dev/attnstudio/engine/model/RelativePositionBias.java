package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.Locale;

/**
 * T5's relative positions: instead of position embeddings, each stack learns one number per head for each bucket of
 * relative distance (key position - query position), and adds it to the scores of all its self-attention layers. The
 * table lives in block 0 of the stack ({@code relative_attention_bias.weight} [buckets, H]).
 *
 * <p>Buckets: distances below {@code maxExact} = buckets / 2 (of the half, in the bidirectional encoder) get a bucket
 * each; longer ones share log-spaced buckets up to {@code maxDistance}, beyond which all share the last. The
 * encoder is bidirectional: keys after the query use the upper half of the buckets. The decoder is causal: only
 * distances back in time count (later keys all get bucket 0, and the causal mask hides them anyway).
 */
public final class RelativePositionBias {

    private final NDArray table;      // [buckets, H]
    private final boolean bidirectional;
    private final int buckets;
    private final int maxDistance;

    RelativePositionBias(NDArray table, boolean bidirectional, int maxDistance) {
        this.table = table;
        this.bidirectional = bidirectional;
        this.buckets = (int) table.getShape().get(0);
        this.maxDistance = maxDistance;
    }

    /**
     * The bucket of a key at {@code relative} = key position - query position. The logarithm is taken in float32,
     * as Hugging Face's and Mesh TensorFlow's implementations do, so the boundaries fall where the checkpoints
     * were trained with them.
     *
     * @param bidirectional whether later keys count (the encoder) or only earlier ones (the decoder)
     */
    public static int bucket(int relative, boolean bidirectional, int buckets, int maxDistance) {
        int n = buckets;
        int offset = 0;
        int distance;
        if (bidirectional) {
            n /= 2;
            offset = relative > 0 ? n : 0;
            distance = Math.abs(relative);
        } else {
            distance = Math.max(-relative, 0);
        }
        int maxExact = n / 2;
        if (distance < maxExact) {
            return offset + distance;
        }
        if (maxDistance <= maxExact) {
            // no log-spaced range is left (a config whose max distance is within the exact buckets): every longer
            // distance shares the last bucket, where the formula below would divide by log(1) = 0
            return offset + n - 1;
        }
        float log = (float) Math.log((float) distance / maxExact) / (float) Math.log((double) maxDistance / maxExact);
        int large = maxExact + (int) (log * (n - maxExact));
        return offset + Math.min(large, n - 1);
    }

    /** Bucket of every (query, key) pair for queries at positions past..past+T-1 and keys 0..K-1, [T][K] flattened. */
    long[] buckets(int past, int queries, int keys) {
        long[] ids = new long[queries * keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                ids[q * keys + k] = bucket(k - (past + q), bidirectional, buckets, maxDistance);
            }
        }
        return ids;
    }

    /** The bias [1, H, T, K]: table[bucket(key - query)] for every head. */
    NDArray forward(int past, int queries, int keys, NDManager m) {
        NDArray ids = Tensors.owned(m, buckets(past, queries, keys), new Shape(queries, keys));
        return HalfWeights.rows(table, ids).transpose(2, 0, 1).expandDims(0); // [T, K, H] -> [1, H, T, K]
    }

    String math(int past, int queries, int keys) {
        return String.format(Locale.ROOT, "position_bias[h, q, k] = table[bucket(k - q), h] for queries %d..%d and "
                        + "keys 0..%d: %d %s buckets (exact below %d, log-spaced up to %d)", past, past + queries - 1,
                keys - 1, buckets, bidirectional ? "bidirectional" : "causal", (bidirectional ? buckets / 2 : buckets) / 2,
                maxDistance);
    }
}
