package dev.attnstudio.engine.positions;

/**
 * Position schemes that are formulas rather than learned weights, computed from their papers' definitions so that
 * lessons can show them next to the learned, rotary and relative positions of the bundled models.
 *
 * <ul>
 *   <li><b>Sinusoidal</b> (Vaswani et al. 2017, "Attention Is All You Need", section 3.5): for position {@code pos}
 *   and pair {@code i} of a {@code width}-wide embedding, {@code PE(pos, 2i) = sin(pos / base^(2i / width))} and
 *   {@code PE(pos, 2i + 1) = cos(pos / base^(2i / width))}, base 10000. Each pair turns at its own frequency, so
 *   {@code PE(pos + k)} is a rotation of {@code PE(pos)} that depends on k alone.</li>
 *   <li><b>ALiBi</b> (Press et al. 2022, "Train Short, Test Long", section 3): no position embedding; every head h
 *   adds {@code -m_h * (q - k)} to the score of query q and key k, a penalty growing linearly with the distance.
 *   The slopes are a geometric sequence: for n heads, n a power of two, {@code m_h = 2^(-8 (h + 1) / n)} (heads
 *   counted from 0); otherwise the slopes of the largest power of two p below n, followed by every other slope of
 *   2p, as in the paper's reference code ({@code get_slopes}).</li>
 * </ul>
 *
 * Plain Java arithmetic in double; no tensors, no model.
 */
public final class PositionTables {

    /** The base of the sinusoidal frequencies in Vaswani et al. */
    public static final double SINUSOIDAL_BASE = 10000;

    private PositionTables() {
    }

    /**
     * The angle {@code pos / base^(2i / width)} that pair i of position pos is turned by.
     *
     * @param index an index of the embedding (0 .. width - 1); index 2i and 2i + 1 share pair i
     */
    public static double sinusoidalAngle(int pos, int index, int width, double base) {
        check(width > 0, "the width must be positive, was " + width);
        check(index >= 0 && index < width, "index " + index + " is outside 0.." + (width - 1));
        check(base > 0, "the base must be positive, was " + base);
        int pair = index / 2;
        return pos / Math.pow(base, 2.0 * pair / width);
    }

    /** {@code PE(pos, index)}: sin of the pair's angle at even indices, cos at odd ones. */
    public static double sinusoidal(int pos, int index, int width, double base) {
        double angle = sinusoidalAngle(pos, index, width, base);
        return index % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
    }

    /** The table [positions][width], base 10000. */
    public static double[][] sinusoidal(int positions, int width) {
        return sinusoidal(positions, width, SINUSOIDAL_BASE);
    }

    /** The table [positions][width]: row pos is the embedding added at position pos. */
    public static double[][] sinusoidal(int positions, int width, double base) {
        check(positions >= 0, "positions must be 0 or more, was " + positions);
        double[][] out = new double[positions][width];
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < width; i++) {
                out[pos][i] = sinusoidal(pos, i, width, base);
            }
        }
        return out;
    }

    /** ALiBi's slope of each of {@code heads} heads, head 0 first (the steepest). */
    public static double[] alibiSlopes(int heads) {
        check(heads > 0, "ALiBi needs at least one head, was " + heads);
        int p = Integer.highestOneBit(heads);
        double[] out = new double[heads];
        double[] base = powerOfTwoSlopes(p);
        System.arraycopy(base, 0, out, 0, p);
        if (p < heads) {
            double[] twice = alibiSlopes(2 * p);
            for (int j = 0; j < heads - p; j++) {
                out[p + j] = twice[2 * j];
            }
        }
        return out;
    }

    /** {@code 2^(-8 (h + 1) / n)} for h = 0 .. n - 1, n a power of two. */
    private static double[] powerOfTwoSlopes(int n) {
        double start = Math.pow(2, -8.0 / n);
        double[] out = new double[n];
        double m = start;
        for (int h = 0; h < n; h++) {
            out[h] = m;
            m *= start;
        }
        return out;
    }

    /** ALiBi's bias for one head: {@code -m * (query - key)}; 0 on the diagonal, more negative the further back. */
    public static double alibiBias(double slope, int query, int key) {
        return -slope * (query - key);
    }

    /**
     * The bias [heads][queries][keys] added to the scores, {@code -m_h * (q - k)}. Keys after the query get a positive
     * value by the same formula; a causal model masks those cells anyway.
     */
    public static double[][][] alibiBias(int heads, int queries, int keys) {
        check(queries >= 0 && keys >= 0, "queries and keys must be 0 or more");
        double[] slopes = alibiSlopes(heads);
        double[][][] out = new double[heads][queries][keys];
        for (int h = 0; h < heads; h++) {
            for (int q = 0; q < queries; q++) {
                for (int k = 0; k < keys; k++) {
                    out[h][q][k] = alibiBias(slopes[h], q, k);
                }
            }
        }
        return out;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
