package dev.attnstudio.engine.metrics;

import java.util.Arrays;

/**
 * Shrinks a row-major [rows, cols] matrix to at most [maxRows, maxCols] by taking the maximum of each block
 * of cells, so a sharp attention peak survives downsampling (a mean would dilute it). Blocks are
 * {@code factor x factor} cells with the same factor on both axes, so cells stay square; the last block of a
 * row or column may be smaller. A block of only {@code -inf} (masked) cells stays {@code -inf}; NaN wins over
 * everything, so a broken value is never hidden.
 *
 * @param factor cells per block side (1: the matrix unchanged)
 * @param values row-major, {@code rows * cols}
 */
public record MaxPooling(int factor, int rows, int cols, float[] values) {

    /** Pools {@code values} so that neither side exceeds its limit. */
    public static MaxPooling of(float[] values, int rows, int cols, int maxRows, int maxCols) {
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(values.length + " values for a " + rows + "x" + cols + " matrix");
        }
        if (maxRows < 1 || maxCols < 1) {
            throw new IllegalArgumentException("limits must be positive, got " + maxRows + "x" + maxCols);
        }
        int factor = Math.max(ceilDiv(rows, maxRows), ceilDiv(cols, maxCols));
        if (factor <= 1) {
            return new MaxPooling(1, rows, cols, values.clone());
        }
        int outRows = ceilDiv(rows, factor);
        int outCols = ceilDiv(cols, factor);
        float[] out = new float[outRows * outCols];
        Arrays.fill(out, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int target = (r / factor) * outCols;
            for (int c = 0; c < cols; c++) {
                float v = values[r * cols + c];
                int i = target + c / factor;
                if (Float.isNaN(v) || v > out[i]) { // once NaN, a block stays NaN: nothing compares greater
                    out[i] = v;
                }
            }
        }
        return new MaxPooling(factor, outRows, outCols, out);
    }

    public boolean pooled() {
        return factor > 1;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
