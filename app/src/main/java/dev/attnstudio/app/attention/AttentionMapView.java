package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.MapGestures;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.app.heatmap.Minimap;
import dev.attnstudio.app.heatmap.PixelEdges;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Point2D;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;

import java.util.Arrays;

/**
 * One attention matrix drawn as a map with its legend: cells are written into a {@link WritableImage} (one image, no
 * node per cell) and drawn on a canvas, square and as large as the view allows ({@link MapLayout}), with token labels
 * on both axes (column labels rotated): every position's when cells hold a line of text, else every k-th
 * ({@link AxisLabels}), the rest read out on hover. When the visible window has more cells than pixels it is pooled
 * to the pixel grid by the settings' rule and the legend says so ("max-pooled 4x4"); -inf cells are hatched.
 *
 * <p>The map zooms and pans ({@link MapGestures}: wheel, drag, + - 0, Shift+arrows, double click to fit); only the
 * visible window is drawn, and a minimap in the frame's corner shows where it is. Interactive maps also keep a
 * cell cursor moved by the arrow keys, which the window follows; {@link #hoveredProperty()} reports the cell or
 * block under the mouse. {@link #renderFigure} draws the map for an export, at the export's resolution.
 */
public final class AttentionMapView extends CanvasRegion {

    private static final double TITLE_HEIGHT = 20;
    private static final int OVERVIEW = 140;

    private final AttentionSettings settings;
    private final MapViewport viewport;
    private boolean axisLabels;
    private final ObjectProperty<AttentionMatrix> matrix = new SimpleObjectProperty<>(this, "matrix");
    private final StringProperty title = new SimpleStringProperty(this, "title", "");
    private final StringProperty placeholder = new SimpleStringProperty(this, "placeholder", "not computed yet");
    private final ReadOnlyObjectWrapper<MapCell> hovered = new ReadOnlyObjectWrapper<>(this, "hovered");
    private final ObjectProperty<MapCell> cursor = new SimpleObjectProperty<>(this, "cellCursor");
    private final Font placeholderFont = Font.font(11);
    private final Font titleFont = Font.font(null, FontWeight.BOLD, 12);
    private final MapLabels labels = new MapLabels();
    private final MapLegend legend = new MapLegend();

    /** Where the last drawing on screen put its cells (read by hover, keys and tests). */
    private MapLayout layout;
    /** What the last drawing on screen covered: title, labels, cells and legend (what an export shows). */
    private Rectangle2D content;
    private Rectangle2D minimap;
    private WritableImage image;
    private int[] pixels = new int[0];
    private WritableImage overview;
    private AttentionMatrix overviewOf;
    private Object overviewKey;

    /** A map with a viewport of its own. */
    public AttentionMapView(AttentionSettings settings, boolean interactive) {
        this(settings, interactive, new MapViewport());
    }

    /**
     * A map whose zoom and window are {@code viewport}'s, which other maps of the same size may share.
     *
     * @param interactive whether the map takes the focus and keeps a keyboard cell cursor (and draws axis labels by
     *                    default)
     */
    public AttentionMapView(AttentionSettings settings, boolean interactive, MapViewport viewport) {
        this.settings = settings;
        this.viewport = viewport;
        this.axisLabels = interactive;
        getStyleClass().addAll("attention-view", "attention-map");
        getStylesheets().add(AttentionStyles.stylesheet());
        matrix.addListener((obs, old, now) -> {
            if (old == null || now == null || old.rows() != now.rows() || old.cols() != now.cols()) {
                viewport.reset();
                cursor.set(null);
            }
            labels.measure(now);
            hovered.set(null);
            redraw();
        });
        title.addListener((obs, old, now) -> redraw());
        placeholder.addListener((obs, old, now) -> redraw());
        cursor.addListener((obs, old, now) -> redraw());
        viewport.addListener(this::redraw);
        for (javafx.beans.Observable o : settings.dependencies()) {
            o.addListener(x -> redraw());
        }
        MapGestures.install(canvas(), this, viewport, () -> layout == null ? null : layout.g(),
                () -> minimap, true);
        canvas().addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        canvas().addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        canvas().addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(null));
        if (interactive) {
            setFocusTraversable(true);
            canvas().addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                requestFocus();
                MapCell at = e.isStillSincePress() ? cellAt(e.getX(), e.getY()) : null;
                if (at != null) {
                    cursor.set(MapCell.single(at.row(), at.col()));
                }
            });
            addEventHandler(KeyEvent.KEY_PRESSED, this::moveCursor);
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

    /** The zoom and window of this map (shared with the maps it was built with). */
    public MapViewport viewport() {
        return viewport;
    }

    /** Pooling block side of the last drawing (1 = one cell per block), 0 before anything was drawn. */
    public int poolingFactor() {
        return layout == null ? 0 : layout.factor();
    }

    /** Points per cell in the last drawing (cells are square), 0 before anything was drawn. */
    public double cellSize() {
        return layout == null ? 0 : layout.cell();
    }

    /** The frame of cells in the last drawing, in this view's coordinates, or null before anything was drawn. */
    public Rectangle2D frame() {
        if (layout == null) {
            return null;
        }
        var g = layout.g();
        return new Rectangle2D(canvas().getLayoutX() + g.x(), canvas().getLayoutY() + g.y(), g.frameW(), g.frameH());
    }

    /** Whether the last drawing showed the minimap (it does while zoomed in). */
    public boolean minimapShown() {
        return minimap != null;
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

    /** The cell under a point of this view, or null (the same the hover reports there). */
    public MapCell cellAtPoint(double x, double y) {
        return cellAt(x - canvas().getLayoutX(), y - canvas().getLayoutY());
    }

    /** The ARGB colour the last drawing gave a matrix cell, read back from the image (tests). */
    int pixelAt(int row, int col) {
        MapLayout l = layout;
        int x = l.xEdges()[l.blockCol(col)];
        int y = l.yEdges()[l.blockRow(row)];
        return image.getPixelReader().getArgb(Math.min(x, (int) image.getWidth() - 1), Math.min(y, (int) image.getHeight() - 1));
    }

    MapLayout lastLayout() {
        return layout;
    }

    /** Positions between two labels on either axis of a drawing: 1 = every position. */
    int labelStride(MapLayout l) {
        return labels.stride(l);
    }

    /** Sets the zoom (1 = whole matrix fits, at most a cell of {@link MapViewport#MAX_CELL} points) and redraws. */
    public void setZoom(double z) {
        double max = layout == null ? 1 : viewport.maxZoom(layout.g());
        viewport.setZoom(Math.min(z, max));
    }

    public double getZoom() {
        return viewport.zoom();
    }

    /**
     * The points per cell this map would get in a view of {@code w x h} (what the Stages view compares when it picks
     * how to arrange its maps), or 0 without a matrix.
     */
    double fitCell(double w, double h) {
        AttentionMatrix m = matrix.get();
        if (m == null) {
            return 0;
        }
        double top = title.get().isEmpty() ? 0 : TITLE_HEIGHT;
        double[] margins = labels.margins(w, h - top);
        return MapLayout.fitCell(m, w, h, top, margins[0], margins[1], axisLabels);
    }

    /**
     * The map as an export shows it: title, labels, cells and legend as on screen (the zoomed window if zoomed), with
     * the cells' pixels at {@code scale} pixels per point; no cursor, no minimap. Null before anything was drawn.
     */
    public WritableImage renderFigure(double scale) {
        return content == null ? null : render(scale, content);
    }

    /** The size of {@link #renderFigure} in points: {width, height}, or null before anything was drawn. */
    public double[] figureSize() {
        return content == null ? null : new double[] {content.getWidth(), content.getHeight()};
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
        boolean live = !exporting();
        if (live) {
            layout = null;
            content = null;
            minimap = null;
        }
        double top = title.get().isEmpty() ? 0 : TITLE_HEIGHT;
        if (top > 0) {
            gc.setFont(titleFont);
            gc.setFill(colours().text());
            gc.setTextAlign(TextAlignment.LEFT);
            gc.setTextBaseline(VPos.TOP);
            gc.fillText(title.get(), 0, 2, w);
        }
        AttentionMatrix m = matrix.get();
        if (m == null || w < 8 || h - top < 8) {
            if (m == null && w > 8 && h > 8) {
                gc.setFont(placeholderFont);
                gc.setFill(colours().pending());
                gc.setTextAlign(TextAlignment.CENTER);
                gc.setTextBaseline(VPos.CENTER);
                gc.fillText(placeholder.get(), w / 2, top + (h - top) / 2, w);
            }
            return;
        }
        double[] margins = labels.margins(w, h - top);
        MapLayout fitted = MapLayout.fit(m, viewport, w, h, top, margins[0], margins[1], axisLabels, pixelScale());
        CellColors colors = CellColors.of(m.kind(), m.range(), settings.getColorMode());
        MapLayout drawn = draw(gc, m, fitted, colors);
        String pooling = drawn.factor() == 1 ? "1 cell = 1 query \u00d7 key"
                : settings.getPooling().label + "-pooled " + drawn.factor() + "\u00d7" + drawn.factor();
        double[] reach = legend.draw(gc, colors, MapLegend.notes(m, drawn, pooling, labels.stride(drawn)), colours(), drawn.legend());
        if (live) {
            layout = drawn;
            var g = drawn.g();
            double right = Math.max(g.x() + g.frameW(), drawn.legend().getMinX() + reach[0]);
            double bottom = Math.max(g.y() + g.frameH(), drawn.legend().getMinY() + reach[1]);
            double width = top > 0 ? Math.max(right, Math.min(w, MapLabels.textWidth(title.get(), titleFont))) : right;
            content = new Rectangle2D(0, 0, Math.ceil(Math.min(w, width + AttentionGridView.SLACK)), Math.ceil(Math.min(h, bottom + 2)));
            if (g.zoomed()) {
                minimap = Minimap.place(g);
                if (minimap != null) {
                    Minimap.draw(gc, minimap, overview(m, minimap), g, colours());
                }
            }
        }
    }

    /** Draws the cells, the labels and the cursor; returns the layout with the pooled values it drew. */
    private MapLayout draw(GraphicsContext gc, AttentionMatrix m, MapLayout l, CellColors colors) {
        var g = l.g();
        double scale = pixelScale();
        int iw = MapLayout.imageSize(g.frameW(), scale);
        int ih = MapLayout.imageSize(g.frameH(), scale);
        int[] target = exporting() ? new int[iw * ih] : pixels(iw * ih);
        float[] pooled = MapRaster.draw(m.values(), 0, m.cols(), l.row0(), l.col0(), l.rows(), l.cols(), l.factor(),
                settings.getPooling(), colors, l.xEdges(), l.yEdges(), MapRaster.gutter(l.cell() * l.factor(), scale), target, iw);
        WritableImage img = exporting() || image == null || (int) image.getWidth() != iw || (int) image.getHeight() != ih
                ? new WritableImage(iw, ih) : image;
        img.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), target, 0, iw);
        if (!exporting()) {
            image = img;
        }
        gc.setImageSmoothing(false);
        gc.drawImage(img, g.x(), g.y(), iw / scale, ih / scale);
        if (l.labels()) {
            labels.draw(gc, m, l, colours().text());
        }
        MapCell c = cursor.get();
        if (c != null && !exporting() && l.blockRow(c.row()) >= 0 && l.blockCol(c.col()) >= 0) {
            int br = l.blockRow(c.row());
            int bc = l.blockCol(c.col());
            double x0 = g.x() + l.xEdges()[bc];
            double y0 = g.y() + l.yEdges()[br];
            double s = Math.max(l.xEdges()[bc + 1] - l.xEdges()[bc], 3);
            double t = Math.max(l.yEdges()[br + 1] - l.yEdges()[br], 3);
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(x0 - 1, y0 - 1, s + 1, t + 1);
        }
        return l.withPooled(pooled);
    }

    private int[] pixels(int size) {
        if (pixels.length != size) {
            pixels = new int[size];
        } else {
            Arrays.fill(pixels, 0);
        }
        return pixels;
    }

    /** The whole matrix at the minimap's size, pooled by the settings' rule; rebuilt when the matrix or a choice changes. */
    private WritableImage overview(AttentionMatrix m, Rectangle2D r) {
        int w = (int) r.getWidth();
        int h = (int) r.getHeight();
        Object key = java.util.List.of(settings.getColorMode(), settings.getPooling(), w, h);
        if (overview == null || overviewOf != m || !key.equals(overviewKey)) {
            int factor = Math.max(1, Math.max(Pooling.factor(m.rows(), Math.min(OVERVIEW, h)), Pooling.factor(m.cols(), Math.min(OVERVIEW, w))));
            int br = Pooling.blocks(m.rows(), factor);
            int bc = Pooling.blocks(m.cols(), factor);
            int[] px = new int[w * h];
            MapRaster.draw(m.values(), 0, m.cols(), 0, 0, m.rows(), m.cols(), factor, settings.getPooling(),
                    CellColors.of(m.kind(), m.range(), settings.getColorMode()),
                    PixelEdges.of(0, w / (double) bc, bc, w), PixelEdges.of(0, h / (double) br, br, h), 0, px, w);
            overview = new WritableImage(w, h);
            overview.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), px, 0, w);
            overviewKey = key;
            overviewOf = m;
        }
        return overview;
    }

    private MapCell cellAt(double x, double y) {
        if (layout == null || minimap != null && minimap.contains(x, y)) {
            return null;
        }
        return layout.cellAt(x, y);
    }

    /** The arrow keys move the cell cursor (a block at a time when pooled), Home and End to a row's ends. */
    private void moveCursor(KeyEvent e) {
        MapLayout l = layout;
        AttentionMatrix m = matrix.get();
        if (l == null || m == null || e.isShiftDown() || e.isShortcutDown() || e.isAltDown()) {
            return;
        }
        MapCell c = cursor.get() == null ? MapCell.single(l.row0(), l.col0()) : cursor.get();
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
            default -> {
                return;
            }
        }
        r = Math.max(0, Math.min(m.rows() - 1, r));
        col = Math.max(0, Math.min(m.cols() - 1, col));
        cursor.set(MapCell.single(r, col));
        viewport.reveal(l.g(), r, col);
        e.consume();
    }
}
