package dev.attnstudio.app.heatmap;

import java.util.ArrayList;
import java.util.List;

/**
 * Which part of a map of rows x cols cells a view shows: the zoom (1 = the whole map fits its frame) and the cell at
 * the frame's top-left corner (fractional, so a drag pans smoothly). {@link #fit} turns it into the {@link Geometry}
 * of one drawing; {@link MapGestures} changes it. Several maps of the same size may share one viewport (the Stages
 * view zooms its four maps together): each change is announced to every listener.
 */
public final class MapViewport {

    /** Zooming stops when a cell is this many points wide (or at 1 when a cell is larger at fit already). */
    public static final double MAX_CELL = 160;

    private double zoom = 1;
    private double row0;
    private double col0;
    private final List<Runnable> listeners = new ArrayList<>();

    /** Calls {@code listener} after every change of the zoom or the window. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public double zoom() {
        return zoom;
    }

    /** Whether the view is zoomed in (a window of the map, not all of it). */
    public boolean zoomed() {
        return zoom > 1 + 1e-9;
    }

    /**
     * The geometry of a drawing: a frame of {@code frameW x frameH} points at (x, y) that holds the whole map at zoom 1
     * (cells of {@code fitW x fitH} points), and the window of it the zoom and the position show. Clamps the window to
     * the map and remembers the clamped position.
     */
    public Geometry fit(int rows, int cols, double x, double y, double fitW, double fitH) {
        double cellW = fitW * zoom;
        double cellH = fitH * zoom;
        double frameW = cols * fitW;
        double frameH = rows * fitH;
        col0 = clamp(col0, 0, Math.max(0, cols - frameW / cellW));
        row0 = clamp(row0, 0, Math.max(0, rows - frameH / cellH));
        return new Geometry(rows, cols, x, y, frameW, frameH, cellW, cellH, row0, col0);
    }

    /** Sets the zoom (clamped to [1, max]) keeping the point (px, py) of the frame over the same cell. */
    public void zoomAt(Geometry g, double factor, double px, double py) {
        double limit = maxZoom(g);
        double next = clamp(zoom * factor, 1, limit);
        if (next == zoom) {
            return;
        }
        double col = g.colAt(px);
        double row = g.rowAt(py);
        double cellW = g.cellW() / zoom * next;
        double cellH = g.cellH() / zoom * next;
        zoom = next;
        col0 = col - (px - g.x()) / cellW;
        row0 = row - (py - g.y()) / cellH;
        changed();
    }

    /** The largest zoom for a geometry: a cell up to {@link #MAX_CELL} points. */
    public double maxZoom(Geometry g) {
        double fit = Math.max(g.cellW(), g.cellH()) / zoom;
        return Math.max(1, MAX_CELL / Math.max(fit, 1e-9));
    }

    /** Moves the window by a distance in points (a drag to the right shows cells further left). */
    public void panBy(Geometry g, double dx, double dy) {
        col0 -= dx / g.cellW();
        row0 -= dy / g.cellH();
        changed();
    }

    /** Centres the window on a cell (a click on the minimap). */
    public void centreOn(Geometry g, double row, double col) {
        col0 = col - g.frameW() / g.cellW() / 2;
        row0 = row - g.frameH() / g.cellH() / 2;
        changed();
    }

    /** Moves the window as little as needed for a cell to show whole (the keyboard cursor stays in view). */
    public void reveal(Geometry g, int row, int col) {
        double visibleCols = g.frameW() / g.cellW();
        double visibleRows = g.frameH() / g.cellH();
        double c = col < col0 ? col : col + 1 > col0 + visibleCols ? col + 1 - visibleCols : col0;
        double r = row < row0 ? row : row + 1 > row0 + visibleRows ? row + 1 - visibleRows : row0;
        if (c != col0 || r != row0) {
            col0 = c;
            row0 = r;
            changed();
        }
    }

    /** Back to the whole map. */
    public void reset() {
        boolean was = zoomed() || row0 != 0 || col0 != 0;
        zoom = 1;
        row0 = 0;
        col0 = 0;
        if (was) {
            changed();
        }
    }

    /** Sets the zoom directly (1 = fit), keeping the window's top-left cell. */
    public void setZoom(double z) {
        zoom = Math.max(1, z);
        changed();
    }

    private void changed() {
        for (Runnable r : List.copyOf(listeners)) {
            r.run();
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * One drawing's geometry: the frame at (x, y), {@code frameW x frameH} points, shows cells of
     * {@code cellW x cellH} points, the cell (row0, col0) (fractional) at its top-left corner.
     */
    public record Geometry(int rows, int cols, double x, double y, double frameW, double frameH,
                           double cellW, double cellH, double row0, double col0) {

        /** Whether only part of the map shows. */
        public boolean zoomed() {
            return frameW / cellW < cols - 1e-6 || frameH / cellH < rows - 1e-6;
        }

        /** The column (fractional) at x. */
        public double colAt(double px) {
            return col0 + (px - x) / cellW;
        }

        /** The row (fractional) at y. */
        public double rowAt(double py) {
            return row0 + (py - y) / cellH;
        }

        /** The x of a column's left edge (or of a fractional column). */
        public double xOf(double col) {
            return x + (col - col0) * cellW;
        }

        /** The y of a row's top edge. */
        public double yOf(double row) {
            return y + (row - row0) * cellH;
        }

        /** Whether a point lies in the frame. */
        public boolean contains(double px, double py) {
            return px >= x && py >= y && px < x + frameW && py < y + frameH;
        }

        /** The first column at least partly in the frame. */
        public int firstCol() {
            return (int) Math.floor(col0 + 1e-9);
        }

        /** The first row at least partly in the frame. */
        public int firstRow() {
            return (int) Math.floor(row0 + 1e-9);
        }

        /** One past the last column at least partly in the frame. */
        public int endCol() {
            return (int) Math.min(cols, Math.ceil(col0 + frameW / cellW - 1e-9));
        }

        /** One past the last row at least partly in the frame. */
        public int endRow() {
            return (int) Math.min(rows, Math.ceil(row0 + frameH / cellH - 1e-9));
        }
    }
}
