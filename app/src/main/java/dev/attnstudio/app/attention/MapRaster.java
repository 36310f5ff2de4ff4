package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.engine.metrics.FiniteRange;
import dev.attnstudio.engine.metrics.Pooling;

/**
 * Turns a window of a matrix into ARGB pixels: pools it (engine {@link Pooling}) when blocks of cells share a
 * pixel, colours each block once and fills its {@code cellW x cellH} pixels. Masked blocks get the grey hatch,
 * continuous across cells. No JavaFX here, so the benchmark and tests can time and check it directly.
 */
final class MapRaster {

    /** Cells at least this large get a one-pixel transparent gutter so neighbours stay apart. */
    static final int GUTTER_FROM = 8;

    private MapRaster() {
    }

    /**
     * Draws rows {@code row0 .. row0+rows-1} and columns {@code col0 .. col0+cols-1} of the matrix stored at
     * {@code values[offset]} with {@code stride} values per row into {@code target} (an image {@code targetWidth}
     * pixels wide) with its top-left corner at (x0, y0).
     *
     * @return the pooled values drawn, [blocks(rows), blocks(cols)] (what hover readouts report)
     */
    static float[] draw(float[] values, int offset, int stride, int row0, int col0, int rows, int cols,
                        int factor, Pooling.Rule rule, CellColors colors,
                        int cellW, int cellH, int[] target, int targetWidth, int x0, int y0) {
        float[] pooled = Pooling.pool(values, offset, stride, row0, col0, rows, cols, factor, rule);
        int br = Pooling.blocks(rows, factor);
        int bc = Pooling.blocks(cols, factor);
        if (colors.perRow()) {
            colors.rowRanges(FiniteRange.rows(pooled, br, bc));
        }
        boolean gutter = cellW >= GUTTER_FROM && cellH >= GUTTER_FROM;
        int fillW = gutter ? cellW - 1 : cellW;
        int fillH = gutter ? cellH - 1 : cellH;
        for (int r = 0; r < br; r++) {
            for (int c = 0; c < bc; c++) {
                float v = pooled[r * bc + c];
                boolean masked = v == Float.NEGATIVE_INFINITY;
                int colour = masked ? 0 : colors.argb(v, r);
                int px = x0 + c * cellW;
                for (int y = y0 + r * cellH, yEnd = y + fillH; y < yEnd; y++) {
                    int line = y * targetWidth;
                    for (int x = px, xEnd = px + fillW; x < xEnd; x++) {
                        target[line + x] = masked ? ColorScale.hatch(x, y) : colour;
                    }
                }
            }
        }
        return pooled;
    }
}
