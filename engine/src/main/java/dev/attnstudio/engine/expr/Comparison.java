package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How close a computed tensor is to the expected one, value by value, by NumPy's isclose rule
 * {@code |actual - expected| <= atol + rtol * |expected|} (asymmetric: the tolerance scales with the expected value).
 *
 * <p>Special values: equal infinities are close (as in NumPy), an infinity is close to nothing else. Two NaNs at the
 * same place <em>are</em> close here, unlike NumPy's default ({@code equal_nan=False}): the engine's tensors hold NaN
 * where real code produces it (a fully masked row under a softmax bug), and a student who reproduces it is right.
 * A NaN against a number is not close.
 *
 * <p>Shapes must be equal, without broadcasting: a {@code [4]} answer to a {@code [1, 4]} question is a shape
 * mismatch, reported as such with no value counted close.
 */
public final class Comparison {

    /** Absolute tolerance of ARENA's exercise checks ({@code t.testing.assert_close(atol=1e-4, rtol=1e-3)}). */
    public static final double ATOL = 1e-4;
    /** Relative tolerance of ARENA's exercise checks. */
    public static final double RTOL = 1e-3;

    private final long[] actualShape;
    private final long[] expectedShape;
    private final long total;
    private final long close;
    private final double maxAbsDiff;
    private final long[] firstMismatch;

    private Comparison(long[] actualShape, long[] expectedShape, long total, long close, double maxAbsDiff,
                       long[] firstMismatch) {
        this.actualShape = actualShape.clone();
        this.expectedShape = expectedShape.clone();
        this.total = total;
        this.close = close;
        this.maxAbsDiff = maxAbsDiff;
        this.firstMismatch = firstMismatch;
    }

    /** Compares with ARENA's tolerances {@link #ATOL} and {@link #RTOL}. */
    public static Comparison of(TensorData actual, TensorData expected) {
        return of(actual, expected, ATOL, RTOL);
    }

    public static Comparison of(TensorData actual, TensorData expected, double atol, double rtol) {
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(expected, "expected");
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return new Comparison(actual.shape(), expected.shape(), expected.values().length, 0, Double.NaN, null);
        }
        float[] a = actual.values();
        float[] e = expected.values();
        long close = 0;
        double worst = 0;
        int first = -1;
        for (int i = 0; i < e.length; i++) {
            if (isClose(a[i], e[i], atol, rtol)) {
                close++;
            } else if (first < 0) {
                first = i;
            }
            worst = Math.max(worst, absDiff(a[i], e[i]));
        }
        return new Comparison(actual.shape(), expected.shape(), e.length, close, worst,
                first < 0 ? null : unflatten(first, expected.shape()));
    }

    /** The rule for one value: NumPy's isclose, with NaN close to NaN (see the class comment). */
    public static boolean isClose(double actual, double expected, double atol, double rtol) {
        if (actual == expected || (Double.isNaN(actual) && Double.isNaN(expected))) {
            return true;
        }
        if (Double.isNaN(actual) || Double.isNaN(expected) || Double.isInfinite(actual) || Double.isInfinite(expected)) {
            return false;
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /** |a - e|, 0 for a pair of NaNs or of equal infinities, +inf for any other pair involving NaN or infinity. */
    private static double absDiff(double a, double e) {
        if (a == e || (Double.isNaN(a) && Double.isNaN(e))) {
            return 0;
        }
        double d = Math.abs(a - e);
        return Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
    }

    private static long[] unflatten(int flat, long[] shape) {
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return idx;
    }

    public boolean shapesAgree() {
        return Arrays.equals(actualShape, expectedShape);
    }

    public long[] actualShape() {
        return actualShape.clone();
    }

    public long[] expectedShape() {
        return expectedShape.clone();
    }

    /** Values compared: the expected tensor's size. */
    public long total() {
        return total;
    }

    /** Values within tolerance; 0 when the shapes disagree. */
    public long close() {
        return close;
    }

    /** close / total: 0 when the shapes disagree, 1 for two empty tensors of the same shape. */
    public double fractionClose() {
        return total == 0 ? (shapesAgree() ? 1 : 0) : (double) close / total;
    }

    public boolean allClose() {
        return shapesAgree() && close == total;
    }

    /** Largest |actual - expected| (see {@link #absDiff}); NaN when the shapes disagree. */
    public double maxAbsDiff() {
        return maxAbsDiff;
    }

    /** Index of the first value out of tolerance, in row-major order, or null when there is none. */
    public long[] firstMismatch() {
        return firstMismatch == null ? null : firstMismatch.clone();
    }

    /** A sentence for the student, e.g. "90 of 96 values are close (93.8%); max abs diff 0.21". */
    public String summary() {
        if (!shapesAgree()) {
            return "shape " + Arrays.toString(actualShape) + " does not match the expected "
                    + Arrays.toString(expectedShape);
        }
        String diff = "max abs diff " + (maxAbsDiff == 0 ? "0" : String.format(Locale.ROOT, "%.3g", maxAbsDiff));
        if (close == total) {
            return "all " + total + " values are close; " + diff;
        }
        return String.format(Locale.ROOT, "%d of %d values are close (%.1f%%); %s; first wrong at %s", close, total,
                100 * fractionClose(), diff, Arrays.toString(firstMismatch));
    }

    @Override
    public String toString() {
        return summary();
    }
}
