package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.ColorBar;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One attention matrix drawn as a map with its legend: cells are written into a {@link WritableImage} (one
 * image, no node per cell) and drawn on a canvas, with token labels on both axes (column labels rotated): every
 * position's when cells hold a line of text, else every k-th ({@link AxisLabels}), the rest read out on hover. Only the visible window is drawn. When the window has more cells than pixels, it is pooled to the
 * pixel grid by the settings' rule and the legend says so ("max-pooled 4x4"); -inf cells are hatched.
 *
 * <p>Interactive maps zoom (Ctrl+scroll, + and -, 0 to fit) and pan (scroll, Shift+scroll), and keep a cell
 * cursor moved by the arrow keys; {@link #hoveredProperty()} reports the cell or block under the mouse.
 */
public final class AttentionMapView extends CanvasRegion {

    static final int MAX_CELL = 48;
    /** Smallest side (pixels) the map keeps after the label margins; below it the labels give way to the cells. */
    static final int MIN_LABELLED_MAP = 40;
    private static final int MAX_LABEL_CHARS = 12;
    private static final double GAP = 5;
    private static final double TITLE_HEIGHT = 20;
    private static final double LEGEND_HEIGHT = 46;
    private static final double LEGEND_BAR = 140;
    private static final double ZOOM_STEP = 1.25;

    private final AttentionSettings settings;
    private final boolean interactive;
    private boolean axisLabels;
    private final ObjectProperty<AttentionMatrix> matrix = new SimpleObjectProperty<>(this, "matrix");
    private final StringProperty title = new SimpleStringProperty(this, "title", "");
    private final StringProperty placeholder = new SimpleStringProperty(this, "placeholder", "not computed yet");
    private final ReadOnlyObjectWrapper<MapCell> hovered = new ReadOnlyObjectWrapper<>(this, "hovered");
    private final ObjectProperty<MapCell> cursor = new SimpleObjectProperty<>(this, "cellCursor");
    private final Font labelFont = Font.font("Monospaced", 11);
    private final Font legendFont = Font.font(11);
    private final Font titleFont = Font.font(null, javafx.scene.text.FontWeight.BOLD, 12);

    /** Zoom relative to "whole matrix fits" (1). */
    private double zoom = 1;
    /** First row and column of the visible window. */
    private int row0;
    private int col0;

    /** Where the last drawing put its cells (read by hover, keys and tests). */
    private Layout layout;
    private WritableImage image;
    private int[] pixels = new int[0];
    private double rowLabelWidth;
    private double colLabelWidth;

    /**
     * The geometry of one drawing: the window (row0, col0, rows x cols cells), the pooling factor and the
     * pixels per block, the origin of the first block, and whether axis labels were drawn.
     */
    record Layout(int row0, int col0, int rows, int cols, int factor, int cell, double originX, double originY,
                  boolean labels, float[] pooled) {
        int blockRows() {
            return Pooling.blocks(rows, factor);
        }

        int blockCols() {
            return Pooling.blocks(cols, factor);
        }
    }

    public AttentionMapView(AttentionSettings settings, boolean interactive) {
        this.settings = settings;
        this.interactive = interactive;
        this.axisLabels = interactive;
        getStyleClass().addAll("attention-view", "attention-map");
        getStylesheets().add(AttentionStyles.stylesheet());
        matrix.addListener((obs, old, now) -> {
            if (old == null || now == null || old.rows() != now.rows() || old.cols() != now.cols()) {
                zoom = 1;
                row0 = 0;
                col0 = 0;
                cursor.set(null);
            }
            measureLabels();
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
            setFocusTraversable(true);
            canvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
                requestFocus();
                MapCell at = cellAt(e.getX(), e.getY());
                if (at != null) {
                    cursor.set(MapCell.single(at.row(), at.col()));
                }
            });
            canvas().addEventHandler(ScrollEvent.SCROLL, this::scroll);
            addEventHandler(KeyEvent.KEY_PRESSED, this::key);
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
        return layout == null ? 0 : layout.factor;
    }

    /** Pixels per block in the last drawing, 0 before anything was drawn. */
    public int cellSize() {
        return layout == null ? 0 : layout.cell;
    }

    /** The legend's statement of the downsampling, e.g. "max-pooled 4×4" or "1 cell = 1 query × key". */
    public String poolingText() {
        if (layout == null) {
            return "";
        }
        return layout.factor == 1 ? "1 cell = 1 query \u00d7 key"
                : settings.getPooling().label + "-pooled " + layout.factor + "\u00d7" + layout.factor;
    }

    /** Centre of a matrix cell in this view's coordinates, or null if it is not visible (for tests and tours). */
    public javafx.geometry.Point2D cellCentre(int row, int col) {
        Layout l = layout;
        if (l == null || row < l.row0 || col < l.col0 || row >= l.row0 + l.rows || col >= l.col0 + l.cols) {
            return null;
        }
        double x = l.originX + ((col - l.col0) / l.factor + 0.5) * l.cell;
        double y = l.originY + ((row - l.row0) / l.factor + 0.5) * l.cell;
        return new javafx.geometry.Point2D(canvas().getLayoutX() + x, canvas().getLayoutY() + y);
    }

    /** The ARGB colour the last drawing gave a matrix cell, read back from the image (tests). */
    int pixelAt(int row, int col) {
        Layout l = layout;
        int x = ((col - l.col0) / l.factor) * l.cell;
        int y = ((row - l.row0) / l.factor) * l.cell;
        return image.getPixelReader().getArgb(x, y);
    }

    Layout lastLayout() {
        return layout;
    }

    /** Sets the zoom (1 = whole matrix fits) and redraws. */
    public void setZoom(double z) {
        zoom = Math.max(1, Math.min(z, maxZoom()));
        redraw();
    }

    public double getZoom() {
        return zoom;
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

    // ---- drawing ----------------------------------------------------------------------------------------

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
        double mapH = h - top - LEGEND_HEIGHT;
        if (m == null || mapW < 8 || mapH < 8) {
            if (m == null && w > 8 && h > 8) {
                gc.setFont(legendFont);
                gc.setFill(colours().pending());
                gc.setTextAlign(TextAlignment.CENTER);
                gc.setTextBaseline(VPos.CENTER);
                gc.fillText(placeholder.get(), w / 2, top + (h - top) / 2, w);
            }
            return;
        }
        layout = fit(m, mapW, mapH, top);
        draw(gc, m, layout);
        drawLegend(gc, m, layout, w, h - LEGEND_HEIGHT + 4);
    }

    private Layout fit(AttentionMatrix m, double mapW, double mapH, double top) {
        double marginX = rowLabelWidth + GAP;
        double marginY = colLabelWidth + GAP;
        boolean labels = axisLabels && mapW - marginX >= MIN_LABELLED_MAP && mapH - marginY >= MIN_LABELLED_MAP;
        double availW = labels ? mapW - marginX : mapW;
        double availH = labels ? mapH - marginY : mapH;
        double cellD = Math.min(availW / m.cols(), availH / m.rows()) * zoom;
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
        col0 = Math.max(0, Math.min(col0, m.cols() - visCols));
        row0 = Math.max(0, Math.min(row0, m.rows() - visRows));
        col0 -= col0 % factor; // whole blocks, so a block's contents do not change while panning
        row0 -= row0 % factor;
        visCols = Math.min(visCols, m.cols() - col0);
        visRows = Math.min(visRows, m.rows() - row0);
        double originX = labels ? marginX : 0;
        double originY = top + (labels ? marginY : 0);
        return new Layout(row0, col0, Math.max(1, visRows), Math.max(1, visCols), factor, cell, originX, originY, labels, null);
    }

    private void draw(GraphicsContext gc, AttentionMatrix m, Layout l) {
        int iw = l.blockCols() * l.cell;
        int ih = l.blockRows() * l.cell;
        if (pixels.length != iw * ih) {
            pixels = new int[iw * ih];
        } else {
            java.util.Arrays.fill(pixels, 0);
        }
        CellColors colors = CellColors.of(m.kind(), m.range(), settings.getColorMode());
        float[] pooled = MapRaster.draw(m.values(), 0, m.cols(), l.row0, l.col0, l.rows, l.cols, l.factor,
                settings.getPooling(), colors, l.cell, l.cell, pixels, iw, 0, 0);
        layout = new Layout(l.row0, l.col0, l.rows, l.cols, l.factor, l.cell, l.originX, l.originY, l.labels, pooled);
        if (image == null || (int) image.getWidth() != iw || (int) image.getHeight() != ih) {
            image = new WritableImage(iw, ih);
        }
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), pixels, 0, iw);
        gc.setImageSmoothing(false);
        gc.drawImage(image, l.originX, l.originY);
        if (l.labels) {
            drawLabels(gc, m, l);
        }
        MapCell c = cursor.get();
        if (c != null) {
            int br = (c.row() - l.row0) / l.factor;
            int bc = (c.col() - l.col0) / l.factor;
            if (c.row() >= l.row0 && c.col() >= l.col0 && br < l.blockRows() && bc < l.blockCols()) {
                gc.setStroke(colours().accent());
                gc.setLineWidth(2);
                double s = Math.max(l.cell, 3);
                gc.strokeRect(l.originX + bc * l.cell - 1, l.originY + br * l.cell - 1, s + 1, s + 1);
            }
        }
    }

    /** Positions between two labels on either axis of a drawing (cells are square): 1 = every position. */
    int labelStride(Layout l) {
        return AxisLabels.stride(l.cell / (double) l.factor, AxisLabels.lineHeight(labelFont), l.factor);
    }

    /** Labels every k-th row and column (k = {@link #labelStride}), each at the centre of its cell or block. */
    private void drawLabels(GraphicsContext gc, AttentionMatrix m, Layout l) {
        int k = labelStride(l);
        gc.setFont(labelFont);
        gc.setFill(colours().text());
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int r = firstLabelled(l.row0, k); r < l.row0 + l.rows; r += k) {
            gc.fillText(shorten(m.rowLabels().get(r)), l.originX - GAP, l.originY + ((r - l.row0) / l.factor + 0.5) * l.cell);
        }
        gc.setTextAlign(TextAlignment.LEFT);
        for (int c = firstLabelled(l.col0, k); c < l.col0 + l.cols; c += k) {
            gc.save();
            gc.translate(l.originX + ((c - l.col0) / l.factor + 0.5) * l.cell, l.originY - GAP);
            gc.rotate(-90);
            gc.fillText(shorten(m.colLabels().get(c)), 0, 0);
            gc.restore();
        }
    }

    /** The first multiple of k at or after the window's first position (labels stay put while panning). */
    private static int firstLabelled(int first, int k) {
        return (first + k - 1) / k * k;
    }

    private void drawLegend(GraphicsContext gc, AttentionMatrix m, Layout l, double w, double y) {
        CellColors colors = CellColors.of(m.kind(), m.range(), settings.getColorMode());
        gc.setFont(legendFont);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setFill(colours().muted());
        String low = colors.lowLabel();
        double x = 0;
        double bar = Math.min(LEGEND_BAR, Math.max(40, w * 0.35));
        gc.fillText(low, x, y + 5);
        x += textWidth(low, legendFont) + 4;
        ColorBar.draw(gc, x, y, bar, colors::legendArgb, colours().border());
        x += bar + 4;
        gc.setFill(colours().muted());
        String high = colors.highLabel() + "  " + colors.scaleName();
        gc.fillText(high, x, y + 5, Math.max(10, w - x));
        List<String> parts = new ArrayList<>();
        parts.add(poolingText());
        if (l.rows < m.rows() || l.cols < m.cols()) {
            parts.add(String.format(Locale.ROOT, "queries %d\u2013%d of %d, keys %d\u2013%d of %d",
                    l.row0, l.row0 + l.rows - 1, m.rows(), l.col0, l.col0 + l.cols - 1, m.cols()));
        } else if (!l.labels) {
            parts.add(m.rows() + " queries \u00d7 " + m.cols() + " keys");
        }
        if (l.labels && labelStride(l) > 1) {
            parts.add("labels: " + AxisLabels.describe(labelStride(l)) + " (hover for the rest)");
        }
        if (m.range().masked() > 0) {
            parts.add("\u25a8 hatched = \u2212inf (masked)");
        }
        if (m.range().nan() > 0) {
            parts.add("magenta = NaN/+inf");
        }
        double ty = y + 20;
        StringBuilder line = new StringBuilder();
        for (String p : parts) {
            String next = line.length() == 0 ? p : line + "  \u00b7  " + p;
            if (line.length() > 0 && textWidth(next, legendFont) > w) {
                gc.fillText(line.toString(), 0, ty, w);
                ty += 13;
                line = new StringBuilder(p);
            } else {
                line = new StringBuilder(next);
            }
        }
        gc.fillText(line.toString(), 0, ty, w);
    }

    private void measureLabels() {
        AttentionMatrix m = matrix.get();
        rowLabelWidth = m == null ? 0 : widest(m.rowLabels());
        colLabelWidth = m == null ? 0 : widest(m.colLabels());
    }

    private double widest(List<String> labels) {
        if (labels.size() > 512) {
            return textWidth("M".repeat(MAX_LABEL_CHARS), labelFont); // too many to label anyway at 1 px rows
        }
        double widest = 0;
        for (String s : labels) {
            widest = Math.max(widest, textWidth(shorten(s), labelFont));
        }
        return Math.ceil(widest);
    }

    private static double textWidth(String s, Font font) {
        Text probe = new Text(s);
        probe.setFont(font);
        return probe.getLayoutBounds().getWidth();
    }

    static String shorten(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label : label.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
    }

    // ---- input ------------------------------------------------------------------------------------------

    private MapCell cellAt(double x, double y) {
        Layout l = layout;
        if (l == null) {
            return null;
        }
        int bc = (int) Math.floor((x - l.originX) / l.cell);
        int br = (int) Math.floor((y - l.originY) / l.cell);
        if (bc < 0 || br < 0 || bc >= l.blockCols() || br >= l.blockRows()) {
            return null;
        }
        int r = l.row0 + br * l.factor;
        int c = l.col0 + bc * l.factor;
        return new MapCell(r, c, Math.min(l.factor, l.row0 + l.rows - r), Math.min(l.factor, l.col0 + l.cols - c));
    }

    private double maxZoom() {
        AttentionMatrix m = matrix.get();
        if (m == null || canvas().getWidth() < 1) {
            return 1;
        }
        double fit = Math.min(canvas().getWidth() / m.cols(), (canvas().getHeight() - LEGEND_HEIGHT) / m.rows());
        return Math.max(1, MAX_CELL / Math.max(fit, 1e-6));
    }

    private void scroll(ScrollEvent e) {
        Layout l = layout;
        if (l == null) {
            return;
        }
        if (e.isControlDown()) {
            zoomAt(e.getDeltaY() > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, e.getX(), e.getY());
        } else {
            int step = 3 * l.factor;
            double d = e.getDeltaX() != 0 ? e.getDeltaX() : e.getDeltaY();
            if (e.isShiftDown() || e.getDeltaX() != 0) { // sideways
                col0 -= (int) Math.signum(d) * step;
            } else {
                row0 -= (int) Math.signum(d) * step;
            }
            redraw();
        }
        e.consume();
    }

    private void zoomAt(double by, double x, double y) {
        Layout l = layout;
        double before = l.cell / (double) l.factor; // pixels per cell
        double cellX = l.col0 + (x - l.originX) / before;
        double cellY = l.row0 + (y - l.originY) / before;
        double old = zoom;
        zoom = Math.max(1, Math.min(zoom * by, maxZoom()));
        double after = before * zoom / old;
        col0 = (int) Math.round(cellX - (x - l.originX) / after);
        row0 = (int) Math.round(cellY - (y - l.originY) / after);
        redraw();
    }

    private void key(KeyEvent e) {
        Layout l = layout;
        AttentionMatrix m = matrix.get();
        if (l == null || m == null) {
            return;
        }
        MapCell c = cursor.get() == null ? MapCell.single(l.row0, l.col0) : cursor.get();
        int r = c.row();
        int col = c.col();
        int step = l.factor;
        switch (e.getCode()) {
            case UP -> r -= step;
            case DOWN -> r += step;
            case LEFT -> col -= step;
            case RIGHT -> col += step;
            case HOME -> col = 0;
            case END -> col = m.cols() - 1;
            case PLUS, EQUALS, ADD -> {
                zoomAt(ZOOM_STEP, l.originX + l.blockCols() * l.cell / 2.0, l.originY + l.blockRows() * l.cell / 2.0);
                e.consume();
                return;
            }
            case MINUS, SUBTRACT -> {
                zoomAt(1 / ZOOM_STEP, l.originX + l.blockCols() * l.cell / 2.0, l.originY + l.blockRows() * l.cell / 2.0);
                e.consume();
                return;
            }
            case DIGIT0, NUMPAD0 -> {
                setZoom(1);
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
        if (r < l.row0) {
            row0 = r;
        } else if (r >= l.row0 + l.rows) {
            row0 = r - l.rows + 1;
        }
        if (col < l.col0) {
            col0 = col;
        } else if (col >= l.col0 + l.cols) {
            col0 = col - l.cols + 1;
        }
        cursor.set(MapCell.single(r, col));
        e.consume();
    }
}
