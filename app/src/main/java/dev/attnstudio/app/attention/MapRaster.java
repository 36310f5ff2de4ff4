package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.engine.metrics.FiniteRange;
import dev.attnstudio.engine.metrics.Pooling;

/**
 * Turns a window of a matrix into ARGB pixels: pools it (engine {@link Pooling}) when blocks of cells share a
 * pixel, colours each block once and fills the pixels between its edges ({@link dev.attnstudio.app.heatmap.PixelEdges}:
 * blocks of a fractional size fill their frame without gaps). Masked blocks get the grey hatch, continuous across
 * cells. No JavaFX here, so the benchmark and tests can time and check it directly.
 */
final class MapRaster {

    /** Blocks at least this many pixels a side get a one-pixel transparent gutter so neighbours stay apart. */
    static final int GUTTER_FROM = 8;

    private MapRaster() {
    }

    /**
     * Draws rows {@code row0 .. row0+rows-1} and columns {@code col0 .. col0+cols-1} of the matrix stored at
     * {@code values[offset]} with {@code stride} values per row into {@code target} (an image {@code targetWidth}
     * pixels wide): block column j covers pixels {@code [xEdges[j], xEdges[j+1])}, block row i
     * {@code [yEdges[i], yEdges[i+1])}.
     *
     * @param gutter pixels left empty at the end of each block's columns and rows (large blocks keep apart), often 0
     * @return the pooled values drawn, [blocks(rows), blocks(cols)] (what hover readouts report)
     */
    static float[] draw(float[] values, int offset, int stride, int row0, int col0, int rows, int cols,
                        int factor, Pooling.Rule rule, CellColors colors, int[] xEdges, int[] yEdges, int gutter,
                        int[] target, int targetWidth) {
        float[] pooled = Pooling.pool(values, offset, stride, row0, col0, rows, cols, factor, rule);
        int br = Pooling.blocks(rows, factor);
        int bc = Pooling.blocks(cols, factor);
        if (colors.perRow()) {
            colors.rowRanges(FiniteRange.rows(pooled, br, bc));
        }
        int g = gutter;
        for (int r = 0; r < br; r++) {
            int yEnd = Math.max(yEdges[r], yEdges[r + 1] - g);
            for (int c = 0; c < bc; c++) {
                float v = pooled[r * bc + c];
                boolean masked = v == Float.NEGATIVE_INFINITY;
                int colour = masked ? 0 : colors.argb(v, r);
                int xStart = xEdges[c];
                int xEnd = Math.max(xStart, xEdges[c + 1] - g);
                for (int y = yEdges[r]; y < yEnd; y++) {
                    int line = y * targetWidth;
                    if (masked) {
                        for (int x = xStart; x < xEnd; x++) {
                            target[line + x] = ColorScale.hatch(x, y);
                        }
                    } else {
                        java.util.Arrays.fill(target, line + xStart, line + xEnd, colour);
                    }
                }
            }
        }
        return pooled;
    }

    /** The gutter of blocks of this many points at a scale: a point's worth of pixels from {@value #GUTTER_FROM} points on. */
    static int gutter(double blockPoints, double scale) {
        return blockPoints >= GUTTER_FROM ? Math.max(1, (int) Math.round(scale)) : 0;
    }
}
