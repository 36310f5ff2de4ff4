package dev.attnstudio.app.heatmap;

import javafx.geometry.Rectangle2D;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.Image;

/**
 * The overview a zoomed map shows in its frame's bottom-right corner: the whole map small, the visible window
 * outlined in the accent colour. Drawn only while zoomed and never in an export; a press on it centres the window
 * there ({@link MapGestures}).
 */
public final class Minimap {

    /** Largest side of a minimap, in points. */
    static final double MAX_SIDE = 140;
    private static final double MIN_SIDE = 36;
    private static final double INSET = 6;

    private Minimap() {
    }

    /** Where the minimap of a frame goes: in its bottom-right corner, with the map's aspect, or null if too small. */
    public static Rectangle2D place(MapViewport.Geometry g) {
        double side = Math.min(MAX_SIDE, 0.28 * Math.min(g.frameW(), g.frameH()));
        if (side < MIN_SIDE) {
            return null;
        }
        double w = g.cols() >= g.rows() ? side : side * g.cols() / g.rows();
        double h = g.rows() >= g.cols() ? side : side * g.rows() / g.cols();
        w = Math.max(8, Math.round(w));
        h = Math.max(8, Math.round(h));
        return new Rectangle2D(Math.round(g.x() + g.frameW() - w - INSET), Math.round(g.y() + g.frameH() - h - INSET), w, h);
    }

    /**
     * Draws the minimap at {@code r}: the overview image (the whole map, as many pixels as r has) on the surface
     * colour, a frame, and the visible window of {@code g}.
     */
    public static void draw(GraphicsContext gc, Rectangle2D r, Image overview, MapViewport.Geometry g,
                            CanvasRegion.ThemeColours colours) {
        gc.setFill(colours.surface());
        gc.fillRect(r.getMinX() - 3, r.getMinY() - 3, r.getWidth() + 6, r.getHeight() + 6);
        gc.setImageSmoothing(false);
        if (overview != null) {
            gc.drawImage(overview, r.getMinX(), r.getMinY(), r.getWidth(), r.getHeight());
        }
        gc.setStroke(colours.border());
        gc.setLineWidth(1);
        gc.strokeRect(r.getMinX() - 2.5, r.getMinY() - 2.5, r.getWidth() + 5, r.getHeight() + 5);
        double x0 = r.getMinX() + g.col0() / g.cols() * r.getWidth();
        double y0 = r.getMinY() + g.row0() / g.rows() * r.getHeight();
        double w = Math.min(1, g.frameW() / g.cellW() / g.cols()) * r.getWidth();
        double h = Math.min(1, g.frameH() / g.cellH() / g.rows()) * r.getHeight();
        gc.setStroke(colours.accent());
        gc.setLineWidth(2);
        gc.strokeRect(x0, y0, Math.max(2, Math.min(w, r.getMaxX() - x0)), Math.max(2, Math.min(h, r.getMaxY() - y0)));
    }
}
