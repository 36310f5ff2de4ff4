package dev.attnstudio.engine.metrics;

import java.util.Arrays;

/**
 * Downsampling of a row-major matrix by square blocks, for maps with more cells than pixels: each
 * {@code factor x factor} block of cells becomes one value (the last block of a row or column may be smaller).
 * Blocks are counted from the window's first row and column, so a caller that scrolls in whole blocks keeps
 * every block's contents stable.
 *
 * <p>Masked cells ({@code -Infinity}) are left out of a block unless the whole block is masked, in which case
 * the block is {@code -Infinity}: a block that is partly allowed shows the allowed cells, and a fully blocked one
 * stays visibly blocked. A NaN anywhere in a block makes the block NaN, so bad values are never averaged away.
 */
public final class Pooling {

    /** How a block of cells becomes one value. */
    public enum Rule {
        /** The largest value of the block: a single strong weight stays visible. */
        MAX("max"),
        /** The mean of the block's unmasked values: the block's average weight. */
        MEAN("mean");

        /** Lower-case name for labels, e.g. "max-pooled 4x4". */
        public final String label;

        Rule(String label) {
            this.label = label;
        }
    }

    private Pooling() {
    }

    /** The smallest block side that fits {@code cells} cells into {@code pixels} pixels (1 = no pooling). */
    public static int factor(int cells, int pixels) {
        if (cells <= 0) {
            return 1;
        }
        if (pixels <= 0) {
            return cells;
        }
        return Math.max(1, (cells + pixels - 1) / pixels);
    }

    /** Number of blocks that cover {@code cells} cells at a block side of {@code factor}. */
    public static int blocks(int cells, int factor) {
        return (cells + factor - 1) / factor;
    }

    /** Pools a whole [rows, cols] matrix. */
    public static float[] pool(float[] values, int rows, int cols, int factor, Rule rule) {
        return pool(values, 0, cols, 0, 0, rows, cols, factor, rule);
    }

    /**
     * Pools a window of a matrix stored row-major in {@code values} from {@code offset} with {@code stride} values per
     * row: rows {@code row0 .. row0 + rows - 1} and columns {@code col0 .. col0 + cols - 1}.
     *
     * @return [blocks(rows, factor), blocks(cols, factor)] row-major
     */
    public static float[] pool(float[] values, int offset, int stride, int row0, int col0, int rows, int cols,
                               int factor, Rule rule) {
        if (factor < 1) {
            throw new IllegalArgumentException("a pooling block is at least 1x1, got " + factor);
        }
        if (rows < 0 || cols < 0 || row0 < 0 || col0 < 0 || col0 + cols > stride
                || rows > 0 && offset + (long) (row0 + rows - 1) * stride + col0 + cols > values.length) {
            throw new IllegalArgumentException("window rows " + row0 + "+" + rows + ", cols " + col0 + "+" + cols
                    + " lies outside a matrix of " + values.length + " values with " + stride + " per row");
        }
        int outRows = blocks(rows, factor);
        int outCols = blocks(cols, factor);
        float[] out = new float[outRows * outCols];
        if (factor == 1) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(values, offset + (row0 + r) * stride + col0, out, r * cols, cols);
            }
            return out;
        }
        // Accumulate block by block along each source row, so the source is read once, in order.
        float[] acc = new float[outCols];
        int[] count = new int[outCols];
        boolean[] nan = new boolean[outCols];
        for (int br = 0; br < outRows; br++) {
            Arrays.fill(acc, rule == Rule.MAX ? Float.NEGATIVE_INFINITY : 0f);
            Arrays.fill(count, 0);
            Arrays.fill(nan, false);
            int rEnd = Math.min(rows, (br + 1) * factor);
            for (int r = br * factor; r < rEnd; r++) {
                int base = offset + (row0 + r) * stride + col0;
                if (rule == Rule.MAX) {
                    maxRow(values, base, cols, factor, acc, nan);
                } else {
                    sumRow(values, base, cols, factor, acc, count, nan);
                }
            }
            int row = br * outCols;
            for (int bc = 0; bc < outCols; bc++) {
                if (nan[bc]) {
                    out[row + bc] = Float.NaN;
                } else if (rule == Rule.MAX) {
                    out[row + bc] = acc[bc]; // still -inf if every cell was masked
                } else {
                    out[row + bc] = count[bc] == 0 ? Float.NEGATIVE_INFINITY : acc[bc] / count[bc];
                }
            }
        }
        return out;
    }

    /** Folds one source row into the running block maxima; -inf never wins a comparison, so it drops out. */
    private static void maxRow(float[] values, int base, int cols, int factor, float[] acc, boolean[] nan) {
        for (int bc = 0, c = 0; c < cols; bc++) {
            float a = acc[bc];
            for (int end = Math.min(cols, c + factor); c < end; c++) {
                float v = values[base + c];
                if (v > a) {
                    a = v;
                } else if (v != v) {
                    nan[bc] = true;
                }
            }
            acc[bc] = a;
        }
    }

    /** Adds one source row's unmasked values into the running block sums and counts. */
    private static void sumRow(float[] values, int base, int cols, int factor, float[] acc, int[] count, boolean[] nan) {
        for (int bc = 0, c = 0; c < cols; bc++) {
            float a = acc[bc];
            int n = count[bc];
            for (int end = Math.min(cols, c + factor); c < end; c++) {
                float v = values[base + c];
                if (v == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                if (v != v) {
                    nan[bc] = true;
                }
                a += v;
                n++;
            }
            acc[bc] = a;
            count[bc] = n;
        }
    }
}
