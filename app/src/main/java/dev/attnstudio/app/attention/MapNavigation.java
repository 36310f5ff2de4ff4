package dev.attnstudio.app.attention;

import javafx.scene.input.KeyEvent;
import javafx.scene.input.ScrollEvent;

/**
 * Moving around an interactive map: zoom (Ctrl+scroll, + and -, 0 to fit) about the mouse or the window's centre,
 * pan (scroll, Shift+scroll) in whole blocks, and the arrow keys' cell cursor, which the window follows.
 */
final class MapNavigation {

    private static final double ZOOM_STEP = 1.25;

    private final AttentionMapView map;
    private final MapWindow window;

    MapNavigation(AttentionMapView map, MapWindow window) {
        this.map = map;
        this.window = window;
    }

    void scroll(ScrollEvent e) {
        MapLayout l = map.lastLayout();
        if (l == null) {
            return;
        }
        if (e.isControlDown()) {
            zoomAt(e.getDeltaY() > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, e.getX(), e.getY());
        } else {
            int step = 3 * l.factor();
            double d = e.getDeltaX() != 0 ? e.getDeltaX() : e.getDeltaY();
            if (e.isShiftDown() || e.getDeltaX() != 0) { // sideways
                window.moveTo(window.row0(), window.col0() - (int) Math.signum(d) * step);
            } else {
                window.moveTo(window.row0() - (int) Math.signum(d) * step, window.col0());
            }
            map.redraw();
        }
        e.consume();
    }

    void key(KeyEvent e) {
        MapLayout l = map.lastLayout();
        AttentionMatrix m = map.getMatrix();
        if (l == null || m == null) {
            return;
        }
        MapCell c = map.cellCursorProperty().get() == null ? MapCell.single(l.row0(), l.col0()) : map.cellCursorProperty().get();
        int r = c.row();
        int col = c.col();
        int step = l.factor();
        switch (e.getCode()) {
            case UP -> r -= step;
            case DOWN -> r += step;
            case LEFT -> col -= step;
            case RIGHT -> col += step;
            case HOME -> col = 0;
            case END -> col = m.cols() - 1;
            case PLUS, EQUALS, ADD -> {
                zoomAt(ZOOM_STEP, l.originX() + l.blockCols() * l.cell() / 2.0, l.originY() + l.blockRows() * l.cell() / 2.0);
                e.consume();
                return;
            }
            case MINUS, SUBTRACT -> {
                zoomAt(1 / ZOOM_STEP, l.originX() + l.blockCols() * l.cell() / 2.0, l.originY() + l.blockRows() * l.cell() / 2.0);
                e.consume();
                return;
            }
            case DIGIT0, NUMPAD0 -> {
                map.setZoom(1);
                e.consume();
                return;
            }
            default -> {
                return;
            }
        }
        r = Math.max(0, Math.min(m.rows() - 1, r));
        col = Math.max(0, Math.min(m.cols() - 1, col));
        // keep the cursor in the window
        int row0 = window.row0();
        int col0 = window.col0();
        if (r < l.row0()) {
            row0 = r;
        } else if (r >= l.row0() + l.rows()) {
            row0 = r - l.rows() + 1;
        }
        if (col < l.col0()) {
            col0 = col;
        } else if (col >= l.col0() + l.cols()) {
            col0 = col - l.cols() + 1;
        }
        window.moveTo(row0, col0);
        map.cellCursorProperty().set(MapCell.single(r, col));
        e.consume();
    }

    /** Zooms by a factor, keeping the cell under (x, y) where it is. */
    private void zoomAt(double by, double x, double y) {
        MapLayout l = map.lastLayout();
        double before = l.cell() / (double) l.factor(); // pixels per cell
        double cellX = l.col0() + (x - l.originX()) / before;
        double cellY = l.row0() + (y - l.originY()) / before;
        double old = window.zoom();
        window.setZoom(Math.max(1, Math.min(old * by, map.maxZoom())));
        double after = before * window.zoom() / old;
        window.moveTo((int) Math.round(cellY - (y - l.originY()) / after), (int) Math.round(cellX - (x - l.originX()) / after));
        map.redraw();
    }
}
