package dev.attnstudio.engine.metrics;

import dev.attnstudio.engine.step.TensorData;

/**
 * Summary statistics of a tensor's values, for the inspector: the extremes, mean and standard deviation of
 * the finite values, how many values are NaN or infinite (masked attention scores are {@code -inf} on
 * purpose), and a histogram of the finite values.
 *
 * <p>The standard deviation is the population one (divide by n, as {@code numpy.std} does by default). The
 * histogram has {@code bins} equal-width bins over [min, max] of the finite values, each half-open except the
 * last, which includes max (numpy's rule). When every finite value is the same, the range is widened to
 * [v - 0.5, v + 0.5], again as numpy does, so the values land in the middle bin. With no finite value at
 * all, min, max, mean and std are NaN and the histogram counts nothing.
 *
 * @param count     number of values, finite or not
 * @param finite    number of finite values (what min, max, mean, std and the histogram describe)
 * @param histogram counts per bin; bin i covers [binLow + i * width, binLow + (i + 1) * width)
 * @param binLow    lower edge of the first bin
 * @param binHigh   upper edge of the last bin
 */
public record TensorStats(long count, long finite, double min, double max, double mean, double std,
                          long nan, long positiveInfinity, long negativeInfinity,
                          long[] histogram, double binLow, double binHigh) {

    /** Bins the inspector draws by default. */
    public static final int DEFAULT_BINS = 40;

    public static TensorStats of(TensorData tensor, int bins) {
        return of(tensor.values(), bins);
    }

    /** Statistics of {@code values} with a histogram of {@code bins} bins (at least 1). */
    public static TensorStats of(float[] values, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("a histogram needs at least one bin, got " + bins);
        }
        long finite = 0;
        long nan = 0;
        long posInf = 0;
        long negInf = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (float v : values) {
            if (Float.isNaN(v)) {
                nan++;
            } else if (v == Float.POSITIVE_INFINITY) {
                posInf++;
            } else if (v == Float.NEGATIVE_INFINITY) {
                negInf++;
            } else {
                finite++;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        long[] histogram = new long[bins];
        if (finite == 0) {
            return new TensorStats(values.length, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    nan, posInf, negInf, histogram, Double.NaN, Double.NaN);
        }
        double mean = sum / finite;
        // Second pass for the variance: sums of squared deviations do not cancel catastrophically.
        double squares = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                double d = v - mean;
                squares += d * d;
            }
        }
        double low = min;
        double high = max;
        if (low == high) {
            low -= 0.5;
            high += 0.5;
        }
        double width = (high - low) / bins;
        for (float v : values) {
            if (Float.isFinite(v)) {
                int bin = (int) ((v - low) / width);
                histogram[Math.max(0, Math.min(bins - 1, bin))]++;
            }
        }
        return new TensorStats(values.length, finite, min, max, mean, Math.sqrt(squares / finite),
                nan, posInf, negInf, histogram, low, high);
    }

    /** Width of one histogram bin. */
    public double binWidth() {
        return (binHigh - binLow) / histogram.length;
    }

    /** Number of NaN and infinite values. */
    public long nonFinite() {
        return nan + positiveInfinity + negativeInfinity;
    }

    /** Count in the fullest bin (0 when nothing is finite). */
    public long maxBinCount() {
        long m = 0;
        for (long c : histogram) {
            m = Math.max(m, c);
        }
        return m;
    }
}
