package dev.attnstudio.engine.metrics;

/**
 * The range of the finite values of a matrix (or of a slice of an array), with how many cells are masked
 * ({@code -Infinity}) or not a number: what a colour scale needs to place its ends.
 *
 * @param min    smallest finite value (0 if there is none)
 * @param max    largest finite value (0 if there is none)
 * @param finite how many values are finite
 * @param masked how many values are {@code -Infinity}
 * @param nan    how many values are NaN or {@code +Infinity}
 */
public record FiniteRange(float min, float max, int finite, int masked, int nan) {

    /** The range of {@code values[offset .. offset + length - 1]}. */
    public static FiniteRange of(float[] values, int offset, int length) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        int finite = 0;
        int masked = 0;
        int nan = 0;
        for (int i = offset; i < offset + length; i++) {
            float v = values[i];
            if (v == Float.NEGATIVE_INFINITY) {
                masked++;
            } else if (Float.isFinite(v)) {
                finite++;
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            } else {
                nan++;
            }
        }
        return finite == 0 ? new FiniteRange(0f, 0f, 0, masked, nan) : new FiniteRange(min, max, finite, masked, nan);
    }

    /** The range of a whole array. */
    public static FiniteRange of(float[] values) {
        return of(values, 0, values.length);
    }

    /**
     * The finite range of every row of a [rows, cols] row-major matrix, as {@code [min0, max0, min1, max1, ...]};
     * a row without finite values gets (0, 0).
     */
    public static float[] rows(float[] values, int rows, int cols) {
        float[] out = new float[2 * rows];
        for (int r = 0; r < rows; r++) {
            FiniteRange range = of(values, r * cols, cols);
            out[2 * r] = range.min;
            out[2 * r + 1] = range.max;
        }
        return out;
    }

    /** Whether every finite value is at least 0 (probabilities, the mask's allowed cells). */
    public boolean nonNegative() {
        return min >= 0f;
    }
}
