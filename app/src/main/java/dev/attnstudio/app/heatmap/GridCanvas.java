package dev.attnstudio.app.heatmap;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Rectangle2D;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.util.Duration;

/**
 * A canvas of rows x columns cells that the mouse and the keyboard read alike: hovering a cell, or moving the
 * cell cursor onto it (click a cell, or focus the canvas with Tab and use the arrow keys; Home and End go to the
 * row's first and last cell), reads it out through {@link #readout}: the hovered cell, else the cursor's. The
 * cursor is outlined in the accent colour; a tooltip gives the readout and names the keys.
 *
 * <p>The grid zooms and pans like every map ({@link MapGestures}: wheel, drag, + - 0, Shift+arrows, double click to
 * fit), with a minimap in the frame's corner while zoomed; the cursor's cell stays in the window. Subclasses lay
 * their cells out with {@link #place} and say what an export shows with {@link #setContent}.
 */
public abstract class GridCanvas extends CanvasRegion {

    /** One cell of the grid. */
    public record Cell(int row, int col) {
    }

    /** The keyboard cell cursor, null until a cell is clicked or an arrow key pressed. */
    public final ObjectProperty<Cell> cursor = new SimpleObjectProperty<>(this, "cursor");
    /** The cell under the mouse, or null. */
    public final ReadOnlyObjectWrapper<Cell> hovered = new ReadOnlyObjectWrapper<>(this, "hovered");
    /** The hovered cell described, else the cursor's, else empty. */
    public final ReadOnlyStringWrapper readout = new ReadOnlyStringWrapper(this, "readout", "");
    /** The zoom and the window of the grid. */
    public final MapViewport viewport = new MapViewport();

    /** The last drawing's cell geometry on screen (see {@link #place}), null when no cells were drawn. */
    private MapViewport.Geometry geometry;
    private double gap;
    private Rectangle2D minimap;
    private Rectangle2D content;

    protected GridCanvas(String keysHint) {
        setFocusTraversable(true);
        Tooltip tip = new Tooltip();
        tip.setShowDelay(Duration.millis(300));
        tip.textProperty().bind(readout.map(r -> r.isEmpty() ? keysHint : r + "\n" + keysHint));
        Tooltip.install(this, tip);
        MapGestures.install(canvas(), this, viewport, () -> geometry, () -> minimap, true);
        viewport.addListener(this::redraw);
        canvas().addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        canvas().addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        canvas().addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(null));
        canvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> requestFocus());
        canvas().addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            Cell at = e.getButton() == MouseButton.PRIMARY && e.isStillSincePress() ? cellAt(e.getX(), e.getY()) : null;
            if (at != null) {
                cursor.set(at);
            }
        });
        addEventHandler(KeyEvent.KEY_PRESSED, this::key);
        hovered.addListener((obs, old, now) -> refreshReadout());
        cursor.addListener((obs, old, now) -> {
            refreshReadout();
            redraw();
        });
    }

    /** Redraws and re-reads the grid whenever {@code data} changes (new rows, columns and cells). */
    protected final void watchData(ObservableValue<?> data) {
        data.addListener((obs, old, now) -> {
            MapViewport.Geometry last = geometry;
            if (last == null || last.rows() != rows() || last.cols() != cols()) {
                viewport.reset(); // a grid of another size starts whole
            }
            redraw();
            gridChanged();
        });
    }

    /** Redraws and refreshes the readout whenever {@code setting} changes (the same grid, shown otherwise). */
    protected final void watchSetting(ObservableValue<?> setting) {
        setting.addListener((obs, old, now) -> {
            redraw();
            refreshReadout();
        });
    }

    /** Rows of the grid now (0 when there is nothing to show). */
    public abstract int rows();

    /** Columns of the grid now. */
    public abstract int cols();

    /** What the readout says for a cell of the grid. */
    protected abstract String describe(int row, int col);

    /** Draws the cells, placing them with {@link #place}; the cursor and, when zoomed, the minimap go on top. */
    protected abstract void paintCells(GraphicsContext gc, double w, double h);

    /** The whole grid at a minimap's size ({@code w x h} pixels), or null for a minimap that only shows the window. */
    protected WritableImage overview(int w, int h) {
        return null;
    }

    /**
     * Lays the grid out for the drawing under way: a frame at (x, y) holding every cell at {@code fitW x fitH} points
     * at zoom 1, showing the viewport's window of it; {@code gap} points of each cell are its gutter. Returns the
     * geometry to draw by.
     */
    protected final MapViewport.Geometry place(double x, double y, double fitW, double fitH, double gap) {
        MapViewport.Geometry g = viewport.fit(rows(), cols(), x, y, fitW, fitH);
        if (!exporting()) {
            geometry = g;
            this.gap = gap;
        }
        return g;
    }

    /** What an export shows of the drawing under way (in points of the canvas), set by {@link #paintCells}. */
    protected final void setContent(Rectangle2D bounds) {
        if (!exporting()) {
            content = bounds;
        }
    }

    /** The drawing as an export shows it (no cursor, no minimap) at {@code scale}, or null when nothing is drawn. */
    public final WritableImage renderFigure(double scale) {
        return content == null ? null : render(scale, content);
    }

    /** The frame of cells in the last drawing (region coordinates), or null when none was drawn. */
    public final Rectangle2D frame() {
        MapViewport.Geometry g = geometry;
        return g == null ? null : new Rectangle2D(canvas().getLayoutX() + g.x(), canvas().getLayoutY() + g.y(), g.frameW(), g.frameH());
    }

    /** Points per cell in the last drawing: {width, height}; {0, 0} when no cells were drawn. */
    public final double[] cellPitch() {
        MapViewport.Geometry g = geometry;
        return g == null ? new double[] {0, 0} : new double[] {g.cellW(), g.cellH()};
    }

    /** Whether the last drawing showed the minimap (it does while zoomed in). */
    public final boolean minimapShown() {
        return minimap != null;
    }

    /** The cell at canvas point (x, y) in the last drawing, or null off the cells. */
    public final Cell cellAt(double x, double y) {
        MapViewport.Geometry g = geometry;
        if (g == null || !g.contains(x, y) || minimap != null && minimap.contains(x, y)) {
            return null;
        }
        int col = (int) Math.floor(g.colAt(x));
        int row = (int) Math.floor(g.rowAt(y));
        return row < 0 || col < 0 || row >= rows() || col >= cols() ? null : new Cell(row, col);
    }

    /** Centre of a cell in canvas coordinates (for tests), wherever it is (in the window or not). */
    public final double[] cellCentre(int row, int col) {
        MapViewport.Geometry g = geometry;
        return g == null ? new double[] {0, 0} : new double[] {g.xOf(col + 0.5), g.yOf(row + 0.5)};
    }

    @Override
    protected final void paint(GraphicsContext gc, double w, double h) {
        if (!exporting()) {
            geometry = null;
            minimap = null;
            content = null;
        }
        paintCells(gc, w, h);
        MapViewport.Geometry g = geometry;
        if (exporting() || g == null) {
            return;
        }
        Cell c = cursor.get();
        if (c != null && c.row() < g.rows() && c.col() < g.cols()) {
            gc.save();
            gc.beginPath();
            gc.rect(g.x() - 2, g.y() - 2, g.frameW() + 4, g.frameH() + 4);
            gc.clip();
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(g.xOf(c.col()) - 1, g.yOf(c.row()) - 1, Math.max(g.cellW() - gap, 3) + 1, Math.max(g.cellH() - gap, 3) + 1);
            gc.restore();
        }
        if (g.zoomed()) {
            minimap = Minimap.place(g);
            if (minimap != null) {
                Minimap.draw(gc, minimap, overview((int) minimap.getWidth(), (int) minimap.getHeight()), g, colours());
            }
        }
    }

    /** Call when the data changed: drops a cursor that fell off the grid and refreshes the readout. */
    protected final void gridChanged() {
        hovered.set(null);
        Cell c = cursor.get();
        if (c != null && (c.row() >= rows() || c.col() >= cols())) {
            cursor.set(null);
        }
        refreshReadout();
    }

    /** Describes the hovered cell, else the cursor's, anew (when what a description says has changed). */
    protected final void refreshReadout() {
        Cell c = hovered.get() != null ? hovered.get() : cursor.get();
        readout.set(c == null || c.row() >= rows() || c.col() >= cols() ? "" : describe(c.row(), c.col()));
    }

    private void key(KeyEvent e) {
        if (rows() == 0 || cols() == 0 || e.isShiftDown() || e.isShortcutDown() || e.isAltDown()) {
            return;
        }
        Cell c = cursor.get() == null ? new Cell(0, 0) : cursor.get();
        int r = c.row();
        int col = c.col();
        switch (e.getCode()) {
            case UP -> r--;
            case DOWN -> r++;
            case LEFT -> col--;
            case RIGHT -> col++;
            case HOME -> col = 0;
            case END -> col = cols() - 1;
            default -> {
                return;
            }
        }
        Cell next = new Cell(Math.max(0, Math.min(rows() - 1, r)), Math.max(0, Math.min(cols() - 1, col)));
        cursor.set(next);
        if (geometry != null) {
            viewport.reveal(geometry, next.row(), next.col());
        }
        e.consume();
    }
}
