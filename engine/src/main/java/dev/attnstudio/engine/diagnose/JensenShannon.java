package dev.attnstudio.engine.diagnose;

/**
 * Jensen-Shannon divergence between two attention rows, smoothed as Clark et al. (2019, "What Does BERT Look At?",
 * {@code head_distances.py}) do: P~ = 0.001 / n + 0.999 P over the n keys the row may see, M = (P~ + Q~) / 2,
 * JS = 1/2 sum_j [P~_j log(P~_j / M_j) + Q~_j log(Q~_j / M_j)] in nats, between 0 (the same row) and log 2 (disjoint
 * rows). Clark et al. sum it over query rows; the diagnostics average it over rows instead, so the number does not
 * grow with the prompt.
 */
public final class JensenShannon {

    /** Weight spread evenly over the allowed keys before comparing (Clark et al.'s 0.001). */
    public static final double SMOOTHING = 0.001;

    private JensenShannon() {
    }

    /**
     * JS of two rows over the allowed keys.
     *
     * @param p       row of the first pattern
     * @param pOffset where it starts in {@code p}
     * @param q       row of the second pattern
     * @param qOffset where it starts in {@code q}
     * @param keys    the allowed key indices (n = their count)
     */
    public static double rows(float[] p, int pOffset, float[] q, int qOffset, int[] keys) {
        int n = keys.length;
        if (n == 0) {
            return 0;
        }
        double floor = SMOOTHING / n;
        double js = 0;
        for (int key : keys) {
            double a = floor + (1 - SMOOTHING) * p[pOffset + key];
            double b = floor + (1 - SMOOTHING) * q[qOffset + key];
            double m = (a + b) / 2;
            js += a * Math.log(a / m) + b * Math.log(b / m);
        }
        return js / 2;
    }
}
