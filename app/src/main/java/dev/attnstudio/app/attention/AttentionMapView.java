package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.CanvasRegion;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;

import java.util.Arrays;

/**
 * One attention matrix drawn as a map with its legend: cells are written into a {@link WritableImage} (one
 * image, no node per cell) and drawn on a canvas, with token labels on both axes (column labels rotated): every
 * position's when cells hold a line of text, else every k-th ({@link AxisLabels}), the rest read out on hover. Only
 * the visible window is drawn. When the window has more cells than pixels, it is pooled to the pixel grid by the
 * settings' rule and the legend says so ("max-pooled 4x4"); -inf cells are hatched.
 *
 * <p>Interactive maps zoom (Ctrl+scroll, + and -, 0 to fit) and pan (scroll, Shift+scroll), and keep a cell
 * cursor moved by the arrow keys ({@link MapNavigation}); {@link #hoveredProperty()} reports the cell or block under
 * the mouse. The geometry of a drawing is a {@link MapLayout}, its labels {@link MapLabels}, its legend
 * {@link MapLegend}.
 */
public final class AttentionMapView extends CanvasRegion {

    private static final double TITLE_HEIGHT = 20;

    private final AttentionSettings settings;
    private boolean axisLabels;
    private final ObjectProperty<AttentionMatrix> matrix = new SimpleObjectProperty<>(this, "matrix");
    private final StringProperty title = new SimpleStringProperty(this, "title", "");
    private final StringProperty placeholder = new SimpleStringProperty(this, "placeholder", "not computed yet");
    private final ReadOnlyObjectWrapper<MapCell> hovered = new ReadOnlyObjectWrapper<>(this, "hovered");
    private final ObjectProperty<MapCell> cursor = new SimpleObjectProperty<>(this, "cellCursor");
    private final Font placeholderFont = Font.font(11);
    private final Font titleFont = Font.font(null, FontWeight.BOLD, 12);
    private final MapWindow window = new MapWindow();
    private final MapLabels labels = new MapLabels();
    private final MapLegend legend = new MapLegend();

    /** Where the last drawing put its cells (read by hover, keys and tests). */
    private MapLayout layout;
    private WritableImage image;
    private int[] pixels = new int[0];

    public AttentionMapView(AttentionSettings settings, boolean interactive) {
        this.settings = settings;
        this.axisLabels = interactive;
        getStyleClass().addAll("attention-view", "attention-map");
        getStylesheets().add(AttentionStyles.stylesheet());
        matrix.addListener((obs, old, now) -> {
            if (old == null || now == null || old.rows() != now.rows() || old.cols() != now.cols()) {
                window.reset();
                cursor.set(null);
            }
            labels.measure(now);
            hovered.set(null);
            redraw();
        });
        title.addListener((obs, old, now) -> redraw());
        placeholder.addListener((obs, old, now) -> redraw());
        cursor.addListener((obs, old, now) -> redraw());
        for (javafx.beans.Observable o : settings.dependencies()) {
            o.addListener(x -> redraw());
        }
        canvas().addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        canvas().addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(null));
        if (interactive) {
            MapNavigation navigation = new MapNavigation(this, window);
            setFocusTraversable(true);
            canvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
                requestFocus();
                MapCell at = cellAt(e.getX(), e.getY());
                if (at != null) {
                    cursor.set(MapCell.single(at.row(), at.col()));
                }
            });
            canvas().addEventHandler(ScrollEvent.SCROLL, navigation::scroll);
            addEventHandler(KeyEvent.KEY_PRESSED, navigation::key);
        }
    }

    public ObjectProperty<AttentionMatrix> matrixProperty() {
        return matrix;
    }

    public AttentionMatrix getMatrix() {
        return matrix.get();
    }

    public void setMatrix(AttentionMatrix m) {
        matrix.set(m);
    }

    /** Whether token labels are drawn on the axes when there is room for them (on by default if interactive). */
    public void setAxisLabels(boolean on) {
        axisLabels = on;
        redraw();
    }

    /** Caption drawn above the map (empty for none). */
    public StringProperty titleProperty() {
        return title;
    }

    /** Text shown instead of a map while the matrix is null. */
    public StringProperty placeholderProperty() {
        return placeholder;
    }

    /** The cell (or pooled block) under the mouse, null when the mouse is elsewhere. */
    public ReadOnlyObjectProperty<MapCell> hoveredProperty() {
        return hovered.getReadOnlyProperty();
    }

    /** The keyboard cell cursor (a single cell), null until set; views may share one between maps. */
    public ObjectProperty<MapCell> cellCursorProperty() {
        return cursor;
    }

    /** Pooling block side of the last drawing (1 = one cell per block), 0 before anything was drawn. */
    public int poolingFactor() {
        return layout == null ? 0 : layout.factor();
    }

    /** Pixels per block in the last drawing, 0 before anything was drawn. */
    public int cellSize() {
        return layout == null ? 0 : layout.cell();
    }

    /** The legend's statement of the downsampling, e.g. "max-pooled 4×4" or "1 cell = 1 query × key". */
    public String poolingText() {
        if (layout == null) {
            return "";
        }
        return layout.factor() == 1 ? "1 cell = 1 query \u00d7 key"
                : settings.getPooling().label + "-pooled " + layout.factor() + "\u00d7" + layout.factor();
    }

    /** Centre of a matrix cell in this view's coordinates, or null if it is not visible (for tests and tours). */
    public Point2D cellCentre(int row, int col) {
        Point2D c = layout == null ? null : layout.centre(row, col);
        return c == null ? null : new Point2D(canvas().getLayoutX() + c.getX(), canvas().getLayoutY() + c.getY());
    }

    /** The ARGB colour the last drawing gave a matrix cell, read back from the image (tests). */
    int pixelAt(int row, int col) {
        MapLayout l = layout;
        int x = ((col - l.col0()) / l.factor()) * l.cell();
        int y = ((row - l.row0()) / l.factor()) * l.cell();
        return image.getPixelReader().getArgb(x, y);
    }

    MapLayout lastLayout() {
        return layout;
    }

    /** Positions between two labels on either axis of a drawing: 1 = every position. */
    int labelStride(MapLayout l) {
        return labels.stride(l);
    }

    /** Sets the zoom (1 = whole matrix fits) and redraws. */
    public void setZoom(double z) {
        window.setZoom(Math.max(1, Math.min(z, maxZoom())));
        redraw();
    }

    public double getZoom() {
        return window.zoom();
    }

    /** The zoom at which a cell reaches {@link MapLayout#MAX_CELL} pixels. */
    double maxZoom() {
        AttentionMatrix m = matrix.get();
        if (m == null || canvas().getWidth() < 1) {
            return 1;
        }
        double fit = Math.min(canvas().getWidth() / m.cols(), (canvas().getHeight() - MapLegend.HEIGHT) / m.rows());
        return Math.max(1, MapLayout.MAX_CELL / Math.max(fit, 1e-6));
    }

    @Override
    protected double computePrefWidth(double height) {
        return 420;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 420;
    }

    @Override
    protected double computeMinWidth(double height) {
        return 60;
    }

    @Override
    protected double computeMinHeight(double width) {
        return 80;
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        layout = null;
        double top = title.get().isEmpty() ? 0 : TITLE_HEIGHT;
        if (top > 0) {
            gc.setFont(titleFont);
            gc.setFill(colours().text());
            gc.setTextAlign(TextAlignment.LEFT);
            gc.setTextBaseline(VPos.TOP);
            gc.fillText(title.get(), 0, 2, w);
        }
        AttentionMatrix m = matrix.get();
        double mapW = w;
        double mapH = h - top - MapLegend.HEIGHT;
        if (m == null || mapW < 8 || mapH < 8) {
            if (m == null && w > 8 && h > 8) {
                gc.setFont(placeholderFont);
                gc.setFill(colours().pending());
                gc.setTextAlign(TextAlignment.CENTER);
                gc.setTextBaseline(VPos.CENTER);
                gc.fillText(placeholder.get(), w / 2, top + (h - top) / 2, w);
            }
            return;
        }
        MapLayout fitted = MapLayout.fit(m, window, mapW, mapH, top, labels.marginX(), labels.marginY(), axisLabels);
        CellColors colors = CellColors.of(m.kind(), m.range(), settings.getColorMode());
        layout = draw(gc, m, fitted, colors);
        legend.draw(gc, m, layout, colors, colours(), poolingText(), labels.stride(layout), w, h - MapLegend.HEIGHT + 4);
    }

    /** Draws the cells, the labels and the cursor; returns the layout with the pooled values it drew. */
    private MapLayout draw(GraphicsContext gc, AttentionMatrix m, MapLayout l, CellColors colors) {
        int iw = l.blockCols() * l.cell();
        int ih = l.blockRows() * l.cell();
        if (pixels.length != iw * ih) {
            pixels = new int[iw * ih];
        } else {
            Arrays.fill(pixels, 0);
        }
        float[] pooled = MapRaster.draw(m.values(), 0, m.cols(), l.row0(), l.col0(), l.rows(), l.cols(), l.factor(),
                settings.getPooling(), colors, l.cell(), l.cell(), pixels, iw, 0, 0);
        if (image == null || (int) image.getWidth() != iw || (int) image.getHeight() != ih) {
            image = new WritableImage(iw, ih);
        }
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), pixels, 0, iw);
        gc.setImageSmoothing(false);
        gc.drawImage(image, l.originX(), l.originY());
        if (l.labels()) {
            labels.draw(gc, m, l, colours().text());
        }
        MapCell c = cursor.get();
        if (c != null) {
            int br = (c.row() - l.row0()) / l.factor();
            int bc = (c.col() - l.col0()) / l.factor();
            if (c.row() >= l.row0() && c.col() >= l.col0() && br < l.blockRows() && bc < l.blockCols()) {
                gc.setStroke(colours().accent());
                gc.setLineWidth(2);
                double s = Math.max(l.cell(), 3);
                gc.strokeRect(l.originX() + bc * l.cell() - 1, l.originY() + br * l.cell() - 1, s + 1, s + 1);
            }
        }
        return l.withPooled(pooled);
    }

    private MapCell cellAt(double x, double y) {
        return layout == null ? null : layout.cellAt(x, y);
    }
}
