package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.JensenShannon;
import dev.attnstudio.engine.step.TensorData;

/**
 * How alike the heads of one attention sub-layer attend: the Jensen-Shannon divergence between every two heads'
 * patterns ({@link JensenShannon}), averaged over the real, finite query rows of every pass added. Heads with a small
 * distance are redundancy candidates (Clark et al. 2019); under grouped-query attention the heads that share a
 * key/value head are compared too ({@link #sameGroup}).
 */
public final class Redundancy {

    private final AttentionLayer layer;
    private final int heads;
    private final int kvHeads;
    private final double[][] sum;
    private final long[][] rows;

    /**
     * @param kvHeads key/value heads (H for plain multi-head attention); query head j reads kv head j / (H / Hkv)
     */
    public Redundancy(AttentionLayer layer, int heads, int kvHeads) {
        this.layer = layer;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.sum = new double[heads][heads];
        this.rows = new long[heads][heads];
    }

    public AttentionLayer layer() {
        return layer;
    }

    /** Adds one pass's pattern [B, H, T, K] under its intended mask. */
    public void add(TensorData pattern, AllowedCells cells) {
        long[] s = pattern.shape();
        int b = (int) s[0], t = (int) s[2], k = (int) s[3];
        float[] a = pattern.values();
        for (int row = 0; row < b; row++) {
            for (int q = 0; q < t; q++) {
                if (!cells.real(row, q) || cells.count(row, q) < 1) {
                    continue;
                }
                int[] keys = new int[cells.count(row, q)];
                int n = 0;
                for (int key = 0; key < k; key++) {
                    if (cells.allowed(row, q, key)) {
                        keys[n++] = key;
                    }
                }
                boolean[] finite = new boolean[heads];
                for (int h = 0; h < heads; h++) {
                    finite[h] = finite(a, ((row * heads + h) * t + q) * k, k);
                }
                for (int h1 = 0; h1 < heads; h1++) {
                    if (!finite[h1]) {
                        continue;
                    }
                    int o1 = ((row * heads + h1) * t + q) * k;
                    for (int h2 = h1 + 1; h2 < heads; h2++) {
                        if (!finite[h2]) {
                            continue;
                        }
                        double js = JensenShannon.rows(a, o1, a, ((row * heads + h2) * t + q) * k, keys);
                        sum[h1][h2] += js;
                        rows[h1][h2]++;
                    }
                }
            }
        }
    }

    private static boolean finite(float[] a, int base, int k) {
        for (int i = 0; i < k; i++) {
            if (!Float.isFinite(a[base + i])) {
                return false;
            }
        }
        return true;
    }

    /** Mean JS divergence between two heads (symmetric; 0 on the diagonal; NaN if no row was compared). */
    public double js(int h1, int h2) {
        if (h1 == h2) {
            return 0;
        }
        int a = Math.min(h1, h2);
        int b = Math.max(h1, h2);
        return rows[a][b] == 0 ? Double.NaN : sum[a][b] / rows[a][b];
    }

    /** The [H][H] matrix of {@link #js}. */
    public double[][] matrix() {
        double[][] m = new double[heads][heads];
        for (int i = 0; i < heads; i++) {
            for (int j = 0; j < heads; j++) {
                m[i][j] = js(i, j);
            }
        }
        return m;
    }

    /** The other head of the layer closest to {@code head}, or -1 if the layer has one head. */
    public int nearest(int head) {
        int best = -1;
        for (int h = 0; h < heads; h++) {
            if (h != head && !Double.isNaN(js(head, h)) && (best < 0 || js(head, h) < js(head, best))) {
                best = h;
            }
        }
        return best;
    }

    /** Whether two query heads read the same key/value head (grouped-query attention). */
    public boolean sameGroup(int h1, int h2) {
        int group = heads / kvHeads;
        return h1 / group == h2 / group;
    }

    /** The closest head sharing {@code head}'s key/value head, or -1 without grouped-query sharing. */
    public int nearestInGroup(int head) {
        if (kvHeads == heads) {
            return -1;
        }
        int best = -1;
        for (int h = 0; h < heads; h++) {
            if (h != head && sameGroup(head, h) && !Double.isNaN(js(head, h)) && (best < 0 || js(head, h) < js(head, best))) {
                best = h;
            }
        }
        return best;
    }
}
