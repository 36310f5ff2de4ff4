package dev.attnstudio.app.heatmap;

import javafx.geometry.Rectangle2D;
import javafx.scene.Cursor;
import javafx.scene.Node;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;

import java.util.function.Supplier;

/**
 * Zooming and panning a map with the mouse and the keys, the same on every map view: the wheel (with or without
 * Ctrl) zooms about the pointer, Shift+wheel and sideways scrolling pan, a drag pans, a double click fits the whole
 * map again (where the view gives the double click no other job); + and - zoom about the frame's centre, 0 fits,
 * Shift+arrows pan by a quarter of the frame. A press on the minimap centres the window there. The plain arrow keys
 * stay the view's own (its cell cursor).
 */
public final class MapGestures {

    /** One wheel notch or one + / - press zooms by this factor. */
    public static final double ZOOM_STEP = 1.25;
    /** A press that moves this far (points) is a drag that pans, not a click. */
    private static final double DRAG_THRESHOLD = 4;

    private final MapViewport viewport;
    private final Supplier<MapViewport.Geometry> geometry;
    private final Supplier<Rectangle2D> minimap;
    private double lastX;
    private double lastY;
    private double pressX;
    private double pressY;
    private boolean panning;
    private boolean onMinimap;

    private MapGestures(MapViewport viewport, Supplier<MapViewport.Geometry> geometry, Supplier<Rectangle2D> minimap) {
        this.viewport = viewport;
        this.geometry = geometry;
        this.minimap = minimap;
    }

    /**
     * Installs the gestures: mouse handlers on {@code surface} (whose coordinates the geometry is in), key handlers
     * on {@code keys} (the node that takes the focus).
     *
     * @param geometry        the last drawing's geometry, or null when nothing is drawn
     * @param minimap         where the last drawing put its minimap, or null when it drew none
     * @param fitOnDoubleClick whether a double click fits the map (false where the view uses the double click itself)
     */
    public static MapGestures install(Node surface, Node keys, MapViewport viewport, Supplier<MapViewport.Geometry> geometry,
                                      Supplier<Rectangle2D> minimap, boolean fitOnDoubleClick) {
        MapGestures g = new MapGestures(viewport, geometry, minimap);
        surface.addEventHandler(ScrollEvent.SCROLL, g::scroll);
        surface.addEventHandler(MouseEvent.MOUSE_PRESSED, g::pressed);
        surface.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> g.dragged(e, surface));
        surface.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> g.released(surface));
        if (fitOnDoubleClick) {
            surface.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && e.isStillSincePress()) {
                    viewport.reset();
                    e.consume();
                }
            });
        }
        keys.addEventHandler(KeyEvent.KEY_PRESSED, g::key);
        return g;
    }

    /** Whether the press under way (or the last one) moved the map rather than clicked it. */
    public boolean panning() {
        return panning;
    }

    /** Whether a point is on the minimap the last drawing showed (where a click is not a click on a cell). */
    public boolean onMinimap(double x, double y) {
        Rectangle2D r = minimap.get();
        return r != null && r.contains(x, y);
    }

    private void scroll(ScrollEvent e) {
        MapViewport.Geometry g = geometry.get();
        if (g == null) {
            return;
        }
        if (e.isShiftDown()) {
            viewport.panBy(g, e.getDeltaX() != 0 ? e.getDeltaX() : e.getDeltaY(), 0);
        } else if (e.getDeltaY() == 0 && e.getDeltaX() != 0) {
            viewport.panBy(g, e.getDeltaX(), 0);
        } else if (e.getDeltaY() != 0) {
            double x = Math.max(g.x(), Math.min(g.x() + g.frameW(), e.getX()));
            double y = Math.max(g.y(), Math.min(g.y() + g.frameH(), e.getY()));
            viewport.zoomAt(g, e.getDeltaY() > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, x, y);
        }
        e.consume();
    }

    private void pressed(MouseEvent e) {
        panning = false;
        pressX = lastX = e.getX();
        pressY = lastY = e.getY();
        onMinimap = e.getButton() == MouseButton.PRIMARY && onMinimap(e.getX(), e.getY());
        if (onMinimap) {
            centreFromMinimap(e.getX(), e.getY());
        }
    }

    private void dragged(MouseEvent e, Node surface) {
        MapViewport.Geometry g = geometry.get();
        if (g == null || !e.isPrimaryButtonDown()) {
            return;
        }
        if (onMinimap) {
            centreFromMinimap(e.getX(), e.getY());
            return;
        }
        if (!panning && Math.hypot(e.getX() - pressX, e.getY() - pressY) >= DRAG_THRESHOLD) {
            panning = true;
            surface.setCursor(Cursor.MOVE);
        }
        if (panning) {
            viewport.panBy(g, e.getX() - lastX, e.getY() - lastY);
            lastX = e.getX();
            lastY = e.getY();
        }
    }

    private void released(Node surface) {
        if (panning) {
            surface.setCursor(null);
        }
    }

    private void centreFromMinimap(double x, double y) {
        Rectangle2D r = minimap.get();
        MapViewport.Geometry g = geometry.get();
        if (r == null || g == null) {
            return;
        }
        double col = (x - r.getMinX()) / r.getWidth() * g.cols();
        double row = (y - r.getMinY()) / r.getHeight() * g.rows();
        viewport.centreOn(g, row, col);
    }

    private void key(KeyEvent e) {
        MapViewport.Geometry g = geometry.get();
        if (g == null || e.isShortcutDown() || e.isAltDown()) {
            return; // Ctrl/Cmd with + - 0 is the window's own zoom
        }
        double cx = g.x() + g.frameW() / 2;
        double cy = g.y() + g.frameH() / 2;
        switch (e.getCode()) {
            case PLUS, EQUALS, ADD -> viewport.zoomAt(g, ZOOM_STEP, cx, cy);
            case MINUS, SUBTRACT -> viewport.zoomAt(g, 1 / ZOOM_STEP, cx, cy);
            case DIGIT0, NUMPAD0 -> viewport.reset();
            case LEFT, RIGHT, UP, DOWN -> {
                if (!e.isShiftDown()) {
                    return; // the view's cell cursor
                }
                double dx = switch (e.getCode()) {
                    case LEFT -> g.frameW() / 4;
                    case RIGHT -> -g.frameW() / 4;
                    default -> 0;
                };
                double dy = switch (e.getCode()) {
                    case UP -> g.frameH() / 4;
                    case DOWN -> -g.frameH() / 4;
                    default -> 0;
                };
                viewport.panBy(g, dx, dy);
            }
            default -> {
                return;
            }
        }
        e.consume();
    }
}
