package dev.attnstudio.engine.diagnose;

import dev.attnstudio.engine.program.MaskSpec;

/**
 * The cells an intended mask allows, expanded once per pass and site (every layer of a stack shares them):
 * {@code allowed(row, q, k)}, the number of keys each query may see, and whether the query is a real token.
 */
public final class AllowedCells {

    private final int batch;
    private final int queries;
    private final int keys;
    private final int past;
    private final boolean[] allowed;  // [B][T][K]
    private final int[] count;        // [B][T]
    private final boolean[] real;     // [B][T]

    private AllowedCells(int batch, int queries, int keys, int past, boolean[] allowed, int[] count, boolean[] real) {
        this.batch = batch;
        this.queries = queries;
        this.keys = keys;
        this.past = past;
        this.allowed = allowed;
        this.count = count;
        this.real = real;
    }

    /** Expands the intended mask of one sub-layer. */
    public static AllowedCells of(AttentionLayer layer, MaskSpec spec) {
        int b = spec.batch();
        int t = spec.queries();
        int k = spec.keys();
        boolean[] allowed = new boolean[b * t * k];
        int[] count = new int[b * t];
        boolean[] real = new boolean[b * t];
        for (int row = 0; row < b; row++) {
            for (int q = 0; q < t; q++) {
                int n = 0;
                for (int key = 0; key < k; key++) {
                    boolean a = spec.allowed(row, q, key);
                    allowed[(row * t + q) * k + key] = a;
                    if (a) {
                        n++;
                    }
                }
                count[row * t + q] = n;
                real[row * t + q] = PassView.realQuery(layer, spec, row, q);
            }
        }
        return new AllowedCells(b, t, k, spec.past(), allowed, count, real);
    }

    public boolean allowed(int row, int q, int k) {
        return allowed[(row * queries + q) * keys + k];
    }

    /** Keys query {@code q} of {@code row} may see (n_i). */
    public int count(int row, int q) {
        return count[row * queries + q];
    }

    /** Whether the query is a real token (not padding). */
    public boolean real(int row, int q) {
        return real[row * queries + q];
    }

    /** Absolute position of query {@code q} (its index after the cached positions). */
    public int position(int q) {
        return past + q;
    }

    public int batch() {
        return batch;
    }

    public int queries() {
        return queries;
    }

    public int keys() {
        return keys;
    }
}
