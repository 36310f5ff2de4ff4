package dev.attnstudio.app.attention;

import dev.attnstudio.engine.metrics.Pooling;
import javafx.geometry.Point2D;

/**
 * The geometry of one drawing of an {@link AttentionMapView}: the window (row0, col0, rows x cols cells), the
 * pooling factor and the pixels per block, the origin of the first block, whether axis labels were drawn, and the
 * pooled block values the drawing coloured (null until drawn).
 */
record MapLayout(int row0, int col0, int rows, int cols, int factor, int cell, double originX, double originY,
                 boolean labels, float[] pooled) {

    /** Largest side of a cell in pixels: a short pass is not blown up to fill the view. */
    static final int MAX_CELL = 48;
    /** Smallest side (pixels) the map keeps after the label margins; below it the labels give way to the cells. */
    static final int MIN_LABELLED_MAP = 40;

    /**
     * Fits the window of {@code m} into the map's area: one cell per block while a cell gets at least a pixel, else
     * blocks of factor x factor cells pooled into one pixel. Clamps the window to the matrix in whole blocks (so a
     * block's contents do not change while panning).
     *
     * @param mapW     width of the map's area, labels included
     * @param mapH     height of the map's area, labels included
     * @param top      where the map's area starts (below the title)
     * @param marginX  room the row labels take
     * @param marginY  room the column labels take
     * @param labelled whether labels are wanted (they are drawn only when the map keeps {@link #MIN_LABELLED_MAP})
     */
    static MapLayout fit(AttentionMatrix m, MapWindow window, double mapW, double mapH, double top, double marginX,
                         double marginY, boolean labelled) {
        boolean labels = labelled && mapW - marginX >= MIN_LABELLED_MAP && mapH - marginY >= MIN_LABELLED_MAP;
        double availW = labels ? mapW - marginX : mapW;
        double availH = labels ? mapH - marginY : mapH;
        double cellD = Math.min(availW / m.cols(), availH / m.rows()) * window.zoom();
        int factor;
        int cell;
        if (cellD >= 1) {
            factor = 1;
            cell = (int) Math.min(MAX_CELL, Math.floor(cellD));
        } else {
            factor = (int) Math.ceil(1 / cellD - 1e-9);
            cell = 1;
        }
        int visCols = (int) Math.min(m.cols(), Math.floor(availW / cell) * factor);
        int visRows = (int) Math.min(m.rows(), Math.floor(availH / cell) * factor);
        int col0 = Math.max(0, Math.min(window.col0(), m.cols() - visCols));
        int row0 = Math.max(0, Math.min(window.row0(), m.rows() - visRows));
        col0 -= col0 % factor; // whole blocks, so a block's contents do not change while panning
        row0 -= row0 % factor;
        window.moveTo(row0, col0);
        visCols = Math.min(visCols, m.cols() - col0);
        visRows = Math.min(visRows, m.rows() - row0);
        double originX = labels ? marginX : 0;
        double originY = top + (labels ? marginY : 0);
        return new MapLayout(row0, col0, Math.max(1, visRows), Math.max(1, visCols), factor, cell, originX, originY, labels, null);
    }

    int blockRows() {
        return Pooling.blocks(rows, factor);
    }

    int blockCols() {
        return Pooling.blocks(cols, factor);
    }

    /** The same geometry with the pooled values a drawing coloured. */
    MapLayout withPooled(float[] values) {
        return new MapLayout(row0, col0, rows, cols, factor, cell, originX, originY, labels, values);
    }

    /** The cell (or pooled block) at a point of the canvas, or null outside the map. */
    MapCell cellAt(double x, double y) {
        int bc = (int) Math.floor((x - originX) / cell);
        int br = (int) Math.floor((y - originY) / cell);
        if (bc < 0 || br < 0 || bc >= blockCols() || br >= blockRows()) {
            return null;
        }
        int r = row0 + br * factor;
        int c = col0 + bc * factor;
        return new MapCell(r, c, Math.min(factor, row0 + rows - r), Math.min(factor, col0 + cols - c));
    }

    /** Centre of a matrix cell on the canvas, or null if it is not in the window. */
    Point2D centre(int row, int col) {
        if (row < row0 || col < col0 || row >= row0 + rows || col >= col0 + cols) {
            return null;
        }
        return new Point2D(originX + ((col - col0) / factor + 0.5) * cell, originY + ((row - row0) / factor + 0.5) * cell);
    }
}
