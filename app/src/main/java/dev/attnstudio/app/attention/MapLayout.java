package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.app.heatmap.PixelEdges;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.geometry.Point2D;
import javafx.geometry.Rectangle2D;

/**
 * The geometry of one drawing of an {@link AttentionMapView}: where the frame of cells, the axis labels and the legend
 * go in the view, the viewport's window of the matrix, the pooling factor, and the pixel edges of the drawn blocks.
 * The frame holds the whole matrix at zoom 1 with square cells as large as the view allows after the labels' margins
 * and the legend, which goes beside the frame or under it, whichever leaves the larger cells.
 *
 * @param g        the viewport's geometry (frame, cell size in points, fractional top-left cell)
 * @param row0     first row of the drawn window, a multiple of the factor
 * @param col0     first column of the drawn window, a multiple of the factor
 * @param rows     rows in the drawn window (whole blocks, cut at the matrix's end)
 * @param cols     columns in the drawn window
 * @param factor   pooling block side (1 = a block is a cell)
 * @param xEdges   pixel edges of the block columns in the frame's image ({@link PixelEdges})
 * @param yEdges   pixel edges of the block rows
 * @param labels   whether axis labels are drawn
 * @param legend   where the legend goes: its left, top and width
 * @param pooled   the pooled block values the drawing coloured (null until drawn)
 */
record MapLayout(MapViewport.Geometry g, int row0, int col0, int rows, int cols, int factor, int[] xEdges, int[] yEdges,
                 boolean labels, Rectangle2D legend, float[] pooled) {

    /** Smallest side (points) the frame keeps after the label margins; below it the labels give way to the cells. */
    static final int MIN_LABELLED_MAP = 40;
    /** Cells at least this large (points) keep their labels however few they are. */
    static final double MIN_LABELLED_CELL = 12;
    /** Width of the legend when it stands beside the frame. */
    static final double LEGEND_BESIDE = 150;
    /** Gap between the frame and a legend beside it. */
    static final double GAP = 10;

    /**
     * Lays a matrix out in a view's area and takes the viewport's window of it.
     *
     * @param w        width of the view
     * @param h        height of the view
     * @param top      where the map's area starts (below the title)
     * @param marginX  room the row labels want (already capped by {@link MapLabels#margins})
     * @param marginY  room the column labels want
     * @param labelled whether labels are wanted (they are drawn only when the cells keep {@link #MIN_LABELLED_MAP})
     * @param scale    pixels per point of the drawing (1 on screen; an export's scale)
     */
    static MapLayout fit(AttentionMatrix m, MapViewport viewport, double w, double h, double top, double marginX,
                         double marginY, boolean labelled, double scale) {
        double availH = h - top;
        boolean labels = labelled(m, w, availH, marginX, marginY, labelled);
        double mx = labels ? marginX : 0;
        double my = labels ? marginY : 0;
        double beside = Math.min((w - mx - GAP - LEGEND_BESIDE) / m.cols(), (availH - my) / m.rows());
        double under = Math.min((w - mx) / m.cols(), (availH - my - MapLegend.HEIGHT) / m.rows());
        boolean legendBeside = beside > under;
        double fit = Math.max(1e-3, Math.max(beside, under));
        MapViewport.Geometry g = viewport.fit(m.rows(), m.cols(), mx, top + my, fit, fit);
        Rectangle2D legend = legendBeside
                ? new Rectangle2D(g.x() + g.frameW() + GAP, g.y(), LEGEND_BESIDE, Math.max(1, availH - my))
                : new Rectangle2D(0, g.y() + g.frameH() + 4, Math.max(1, w), MapLegend.HEIGHT - 4);

        double pixel = g.cellW() * scale; // pixels per cell
        int factor = pixel >= 1 ? 1 : (int) Math.ceil(1 / pixel - 1e-9);
        int col0 = g.firstCol() / factor * factor; // whole blocks, so a block's contents do not change while panning
        int row0 = g.firstRow() / factor * factor;
        int cols = Math.max(1, Math.min(m.cols() - col0, Pooling.blocks(g.endCol() - col0, factor) * factor));
        int rows = Math.max(1, Math.min(m.rows() - row0, Pooling.blocks(g.endRow() - row0, factor) * factor));
        int imageW = imageSize(g.frameW(), scale);
        int imageH = imageSize(g.frameH(), scale);
        int[] xEdges = PixelEdges.of((col0 - g.col0()) * pixel, pixel * factor, Pooling.blocks(cols, factor), imageW);
        int[] yEdges = PixelEdges.of((row0 - g.row0()) * pixel, pixel * factor, Pooling.blocks(rows, factor), imageH);
        // the last block may be cut short by the matrix's end
        xEdges[xEdges.length - 1] = (int) Math.max(0, Math.min(imageW, Math.round((col0 + cols - g.col0()) * pixel)));
        yEdges[yEdges.length - 1] = (int) Math.max(0, Math.min(imageH, Math.round((row0 + rows - g.row0()) * pixel)));
        return new MapLayout(g, row0, col0, rows, cols, factor, xEdges, yEdges, labels, legend, null);
    }

    /**
     * The points per cell {@link #fit} would give a matrix in a view of {@code w x h} (for views that arrange several
     * maps and pick the arrangement with the largest cells).
     */
    static double fitCell(AttentionMatrix m, double w, double h, double top, double marginX, double marginY, boolean labelled) {
        double availH = h - top;
        boolean labels = labelled(m, w, availH, marginX, marginY, labelled);
        double mx = labels ? marginX : 0;
        double my = labels ? marginY : 0;
        return Math.max(Math.min((w - mx - GAP - LEGEND_BESIDE) / m.cols(), (availH - my) / m.rows()),
                Math.min((w - mx) / m.cols(), (availH - my - MapLegend.HEIGHT) / m.rows()));
    }

    /**
     * Whether labels keep enough room for the cells: the frame they leave is at least {@link #MIN_LABELLED_MAP} a side,
     * or its cells are at least {@link #MIN_LABELLED_CELL} (a map of one row or a few columns is small, not cramped).
     */
    private static boolean labelled(AttentionMatrix m, double w, double availH, double marginX, double marginY, boolean wanted) {
        if (!wanted) {
            return false;
        }
        double cell = Math.max(Math.min((w - marginX - GAP - LEGEND_BESIDE) / m.cols(), (availH - marginY) / m.rows()),
                Math.min((w - marginX) / m.cols(), (availH - marginY - MapLegend.HEIGHT) / m.rows()));
        return cell >= MIN_LABELLED_CELL || Math.min(cell * m.cols(), cell * m.rows()) >= MIN_LABELLED_MAP;
    }

    /** Pixels of an image covering {@code points} at a scale. */
    static int imageSize(double points, double scale) {
        return Math.max(1, (int) Math.round(points * scale));
    }

    /** Points per cell (cells are square). */
    double cell() {
        return g.cellW();
    }

    /** Left of the frame of cells. */
    double originX() {
        return g.x();
    }

    /** Top of the frame of cells. */
    double originY() {
        return g.y();
    }

    int blockRows() {
        return Pooling.blocks(rows, factor);
    }

    int blockCols() {
        return Pooling.blocks(cols, factor);
    }

    /** Whether the legend stands beside the frame (else under it). */
    boolean legendBeside() {
        return legend.getMinX() > 0;
    }

    /** The same geometry with the pooled values a drawing coloured. */
    MapLayout withPooled(float[] values) {
        return new MapLayout(g, row0, col0, rows, cols, factor, xEdges, yEdges, labels, legend, values);
    }

    /** The cell (or pooled block) at a point of the view, or null off the frame. */
    MapCell cellAt(double x, double y) {
        if (!g.contains(x, y)) {
            return null;
        }
        int c = (int) Math.floor(g.colAt(x));
        int r = (int) Math.floor(g.rowAt(y));
        c = Math.floorDiv(c, factor) * factor;
        r = Math.floorDiv(r, factor) * factor;
        if (c < col0 || r < row0 || c >= col0 + cols || r >= row0 + rows) {
            return null;
        }
        return new MapCell(r, c, Math.min(factor, row0 + rows - r), Math.min(factor, col0 + cols - c));
    }

    /** Centre of a matrix cell (its block's centre when pooled) in the view, or null if it is not in the frame. */
    Point2D centre(int row, int col) {
        if (row < row0 || col < col0 || row >= row0 + rows || col >= col0 + cols) {
            return null;
        }
        int br = row / factor * factor;
        int bc = col / factor * factor;
        double x = factor == 1 ? g.xOf(col + 0.5) : g.xOf(bc + Math.min(factor, g.cols() - bc) / 2.0);
        double y = factor == 1 ? g.yOf(row + 0.5) : g.yOf(br + Math.min(factor, g.rows() - br) / 2.0);
        return g.contains(x, y) ? new Point2D(x, y) : null;
    }

    /** The block column of a matrix column, or -1 outside the window. */
    int blockCol(int col) {
        return col < col0 || col >= col0 + cols ? -1 : (col - col0) / factor;
    }

    /** The block row of a matrix row, or -1 outside the window. */
    int blockRow(int row) {
        return row < row0 || row >= row0 + rows ? -1 : (row - row0) / factor;
    }
}
