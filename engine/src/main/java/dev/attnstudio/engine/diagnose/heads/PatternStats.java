package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.step.TensorData;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-head statistics of one attention sub-layer's patterns, accumulated over every real query row of any number of
 * passes (a prompt, a padded batch, several runs, the decode passes of a generation). Rows that are not finite (a
 * broken mask's NaN rows) are skipped here; the mask linter reports them.
 *
 * <ul>
 *   <li>Normalized entropy of row i: H_i / log n_i, with H_i = -sum_j A[i,j] log A[i,j] (nats) and n_i the keys the
 *       intended mask lets row i see (Zhai et al. 2023, normalized as in section 3.5 of the project's notes, because a
 *       causal row i can have at most log(i + 1) nats). Rows with n_i = 1 carry no choice and are left out. Mean and
 *       standard deviation over rows.</li>
 *   <li>Confidence: the mean over rows of max_j A[i,j] (Voita et al. 2019; without their end-of-sentence
 *       exclusion).</li>
 *   <li>Previous-token score: the mean of A[i, i-1] over the rows whose previous position is a real key (Olsson et al.
 *       2022).</li>
 *   <li>Sink score of a key k: alpha_k = the mean, over the real queries i that may see k, of A[i,k] (Gu et al. 2025:
 *       (1 / (T - k + 1)) sum_{i >= k} A[i,k] for a causal model). Kept for the first real position of each row
 *       ({@code first}) and for every special token by its text ({@code [SEP]}), pooling occurrences: sum of A[i,k]
 *       over every occurrence and query, divided by the number of (occurrence, query) pairs.</li>
 *   <li>Special mass: the mean over rows of the weight on special-token keys together.</li>
 * </ul>
 */
public final class PatternStats {

    /** The label of the first real position in {@link #sinkAlpha}. */
    public static final String FIRST = "first";

    private final AttentionLayer layer;
    private final int heads;
    private final double[] entSum;
    private final double[] entSq;
    private final long[] entN;
    private final double[] confSum;
    private final double[] massSum;
    private final long[] rows;
    private final double[] prevSum;
    private final long[] prevN;
    private final Map<String, double[]> sinkSum = new LinkedHashMap<>(); // label -> [H]
    private final Map<String, long[]> sinkN = new LinkedHashMap<>();

    public PatternStats(AttentionLayer layer, int heads) {
        this.layer = layer;
        this.heads = heads;
        entSum = new double[heads];
        entSq = new double[heads];
        entN = new long[heads];
        confSum = new double[heads];
        massSum = new double[heads];
        rows = new long[heads];
        prevSum = new double[heads];
        prevN = new long[heads];
    }

    public AttentionLayer layer() {
        return layer;
    }

    /**
     * Adds one pass's pattern.
     *
     * @param pattern [B, H, T, K]
     * @param cells   the intended mask of the pass, expanded
     * @param keyIds  token id of every key position, per batch row ([B][K])
     */
    public void add(TensorData pattern, AllowedCells cells, long[][] keyIds, SpecialTokens special) {
        long[] s = pattern.shape();
        int b = (int) s[0], h = (int) s[1], t = (int) s[2], k = (int) s[3];
        if (h != heads || k != cells.keys() || t != cells.queries() || b != cells.batch()) {
            throw new IllegalArgumentException("pattern " + pattern.shapeString() + " does not fit the mask of "
                    + layer.name());
        }
        float[] a = pattern.values();
        for (int row = 0; row < b; row++) {
            int first = firstReal(cells, row, t, k);
            boolean[] isSpecial = new boolean[k];
            for (int key = 0; key < k; key++) {
                isSpecial[key] = special.contains(keyIds[row][key]);
            }
            for (int q = 0; q < t; q++) {
                if (!cells.real(row, q) || cells.count(row, q) == 0) {
                    continue;
                }
                int n = cells.count(row, q);
                int prev = cells.position(q) - 1;
                boolean hasPrev = prev >= 0 && prev < k && cells.allowed(row, q, prev);
                for (int head = 0; head < h; head++) {
                    int base = ((row * h + head) * t + q) * k;
                    if (!finiteRow(a, base, k)) {
                        continue;
                    }
                    double ent = 0;
                    double max = 0;
                    double mass = 0;
                    for (int key = 0; key < k; key++) {
                        float w = a[base + key];
                        if (w > 0) {
                            ent -= w * Math.log(w);
                        }
                        max = Math.max(max, w);
                        if (isSpecial[key]) {
                            mass += w;
                        }
                    }
                    if (n > 1) {
                        double norm = ent / Math.log(n);
                        entSum[head] += norm;
                        entSq[head] += norm * norm;
                        entN[head]++;
                    }
                    confSum[head] += max;
                    massSum[head] += mass;
                    rows[head]++;
                    if (hasPrev) {
                        prevSum[head] += a[base + prev];
                        prevN[head]++;
                    }
                    if (first >= 0 && cells.allowed(row, q, first)) {
                        addSink(FIRST, head, a[base + first]);
                    }
                    for (int key = 0; key < k; key++) {
                        if (isSpecial[key] && cells.allowed(row, q, key)) {
                            addSink(special.name(keyIds[row][key]), head, a[base + key]);
                        }
                    }
                }
            }
        }
    }

    /** The first key position of a row that some real query may see, or -1. */
    private static int firstReal(AllowedCells cells, int row, int t, int k) {
        for (int key = 0; key < k; key++) {
            for (int q = 0; q < t; q++) {
                if (cells.real(row, q) && cells.allowed(row, q, key)) {
                    return key;
                }
            }
        }
        return -1;
    }

    private static boolean finiteRow(float[] a, int base, int k) {
        for (int key = 0; key < k; key++) {
            if (!Float.isFinite(a[base + key])) {
                return false;
            }
        }
        return true;
    }

    private void addSink(String label, int head, float w) {
        sinkSum.computeIfAbsent(label, x -> new double[heads])[head] += w;
        sinkN.computeIfAbsent(label, x -> new long[heads])[head]++;
    }

    public int heads() {
        return heads;
    }

    /** Rows counted for a head (real, finite, with at least one key). */
    public long rows(int head) {
        return rows[head];
    }

    /** Mean normalized entropy; NaN if no row had a choice. */
    public double entropyMean(int head) {
        return entN[head] == 0 ? Double.NaN : entSum[head] / entN[head];
    }

    /** Standard deviation of the normalized entropy over rows (population); NaN if no row had a choice. */
    public double entropySpread(int head) {
        if (entN[head] == 0) {
            return Double.NaN;
        }
        double m = entropyMean(head);
        return Math.sqrt(Math.max(0, entSq[head] / entN[head] - m * m));
    }

    public double confidence(int head) {
        return rows[head] == 0 ? Double.NaN : confSum[head] / rows[head];
    }

    public double previousToken(int head) {
        return prevN[head] == 0 ? Double.NaN : prevSum[head] / prevN[head];
    }

    public double specialMass(int head) {
        return rows[head] == 0 ? Double.NaN : massSum[head] / rows[head];
    }

    /** alpha per watched key ({@link #FIRST} and each special token's text), in the order first seen. */
    public Map<String, Double> sinkAlpha(int head) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : sinkSum.entrySet()) {
            long n = sinkN.get(e.getKey())[head];
            if (n > 0) {
                out.put(e.getKey(), e.getValue()[head] / n);
            }
        }
        return out;
    }
}
