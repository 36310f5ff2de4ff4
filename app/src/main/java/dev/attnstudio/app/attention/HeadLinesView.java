package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.MapGestures;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Pos;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.ArrayList;
import java.util.List;

/**
 * Attention as lines: query tokens in a column on the left, key tokens on the right, a line from each query
 * to each key it attends to, as thick and opaque as the weight. One head in the accent colour, or every head
 * of the layer at once, one hue per head. Hovering a token keeps only its lines. Lines below
 * {@link #MIN_WEIGHT} are left out (they would be invisible). The rows fill the view's height and the columns spread
 * over its width; when a row is lower than a line of text every k-th token is labelled ({@link AxisLabels}) and the
 * hovered one always. The rows zoom and pan like a map ({@link MapGestures}), a bar at the right edge showing where
 * the window is. Shown for passes up to {@link AttentionGridData#MAX_CELLS} tokens; longer ones are left to the maps.
 */
public final class HeadLinesView extends BoxView {

    /** Weights below this draw no line. */
    public static final float MIN_WEIGHT = 0.02f;
    private static final double MAX_LINE = 5;
    /** Largest row (points) for a short pass; a longer one fits its rows to the view's height. */
    private static final double MAX_ROW = 26;
    private static final double COLUMN_GAP = 160;
    /** Room above the rows for the column headings. */
    private static final double TOP = 20;

    private final ObjectProperty<AttentionGridData> data = new SimpleObjectProperty<>(this, "data");
    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    /** -1 = every head. */
    private final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    private final ComboBox<Integer> layerChoice = new ComboBox<>();
    private final ComboBox<Integer> headChoice = new ComboBox<>();
    private final LinesCanvas lines = new LinesCanvas();
    private final Label caption = new Label();

    /** Last drawing: row height, tops of the two columns and x of the two text edges. */
    private final MapViewport viewport = new MapViewport();
    private MapViewport.Geometry geometry;
    private Rectangle2D minimap;
    private Rectangle2D content;
    private int labelStride;
    private double rowHeight;
    private double leftX;
    private double rightX;
    /** The hovered token: side (0 query, 1 key, -1 none) and index. */
    private int hoverSide = -1;
    private int hoverIndex;
    private int lastLineCount;
    private int labelCount;

    public HeadLinesView() {
        getStyleClass().addAll("attention-view", "head-lines-view");
        getStylesheets().add(AttentionStyles.stylesheet());
        layerChoice.setId("linesLayer");
        layerChoice.setTooltip(new Tooltip("The layer whose heads are drawn"));
        headChoice.setId("linesHead");
        headChoice.setTooltip(new Tooltip("One head, or every head of the layer at once (one colour per head)"));
        headChoice.setButtonCell(new HeadCell());
        headChoice.setCellFactory(v -> new HeadCell());
        Label layerLabel = new Label("Layer");
        layerLabel.setLabelFor(layerChoice);
        Label headLabel = new Label("Head");
        headLabel.setLabelFor(headChoice);
        layerLabel.getStyleClass().add("field-label");
        headLabel.getStyleClass().add("field-label");
        layerLabel.setMinWidth(Region.USE_PREF_SIZE);
        headLabel.setMinWidth(Region.USE_PREF_SIZE);
        caption.getStyleClass().add("attention-caption");
        caption.setWrapText(true); // beside the choices while it fits, else wrapped onto more lines
        caption.setMinWidth(120);
        caption.setMinHeight(Region.USE_PREF_SIZE);
        HBox.setHgrow(caption, Priority.ALWAYS);
        HBox controls = new HBox(6, layerLabel, layerChoice, headLabel, headChoice, caption);
        controls.setAlignment(Pos.CENTER_LEFT);
        Tooltip.install(lines, new Tooltip("Queries left, keys right; thickness and opacity = attention weight. "
                + "Hover a token to see only its lines."));
        VBox.setVgrow(lines, Priority.ALWAYS);
        setBox(new VBox(6, controls, lines));

        layerChoice.valueProperty().addListener((obs, old, now) -> {
            if (now != null) {
                layer.set(now);
            }
        });
        headChoice.valueProperty().addListener((obs, old, now) -> {
            if (now != null) {
                head.set(now);
            }
        });
        layer.addListener((obs, old, now) -> {
            layerChoice.setValue(now.intValue());
            redraw();
        });
        head.addListener((obs, old, now) -> {
            headChoice.setValue(now.intValue());
            redraw();
        });
        data.addListener((obs, old, now) -> {
            if (old == null || now == null || old.rows() != now.rows() || old.cols() != now.cols()) {
                viewport.reset();
            }
            refreshChoices(now);
        });
        viewport.addListener(this::redraw);
        lines.addEventHandler(MouseEvent.MOUSE_MOVED, this::hover);
        lines.addEventHandler(MouseEvent.MOUSE_EXITED, e -> setHover(-1, 0));
        refreshChoices(null);
    }

    /** Shows "all heads" for -1. */
    private static final class HeadCell extends javafx.scene.control.ListCell<Integer> {
        @Override
        protected void updateItem(Integer item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? "" : item < 0 ? "all heads" : "head " + item);
        }
    }

    public ObjectProperty<AttentionGridData> dataProperty() {
        return data;
    }

    public void setData(AttentionGridData d) {
        data.set(d);
    }

    public AttentionGridData getData() {
        return data.get();
    }

    /** The layer shown. */
    public IntegerProperty layerProperty() {
        return layer;
    }

    /** The head shown, -1 for every head of the layer. */
    public IntegerProperty headProperty() {
        return head;
    }

    /** How many lines the last drawing drew. */
    public int lineCount() {
        return lastLineCount;
    }

    /** Tokens between two labels in the last drawing (1 = every token), 0 when nothing was drawn. */
    public int labelStride() {
        return geometry == null ? 0 : labelStride;
    }

    /** How many token labels the last drawing wrote (both columns). */
    public int labelCount() {
        return labelCount;
    }

    /** Points per row in the last drawing. */
    public double rowHeight() {
        return rowHeight;
    }

    /** The zoom and window of the rows. */
    public MapViewport viewport() {
        return viewport;
    }

    /** Whether the last drawing showed where the zoomed window is (only while zoomed). */
    public boolean minimapShown() {
        return minimap != null;
    }

    /** The lines and labels as an export shows them (no controls) at {@code scale}; null before a drawing. */
    public WritableImage renderFigure(double scale) {
        return lines.figure(scale);
    }

    /** Hovers a token programmatically (side 0 = query, 1 = key; -1 clears), as the mouse does. */
    public void setHover(int side, int index) {
        hoverSide = side;
        hoverIndex = index;
        redraw();
    }

    private void refreshChoices(AttentionGridData d) {
        List<Integer> layers = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        if (d != null) {
            for (int l = 0; l < d.layers(); l++) {
                if (d.computed(l)) {
                    layers.add(l);
                }
            }
            heads.add(-1);
            for (int h = 0; h < d.heads(); h++) {
                heads.add(h);
            }
        }
        layerChoice.getItems().setAll(layers);
        headChoice.getItems().setAll(heads);
        Integer l = layers.contains(layer.get()) ? Integer.valueOf(layer.get()) : layers.isEmpty() ? null : layers.get(0);
        Integer h = heads.contains(head.get()) ? Integer.valueOf(head.get()) : heads.isEmpty() ? null : Integer.valueOf(-1);
        layerChoice.setValue(l);
        headChoice.setValue(h);
        redraw();
    }

    /** The drawing area: paints through {@link #paintLines} in the theme's colours, zooms and pans its rows. */
    private final class LinesCanvas extends CanvasRegion {
        LinesCanvas() {
            MapGestures.install(canvas(), this, viewport, () -> geometry, () -> minimap, true);
            setFocusTraversable(true);
            canvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> requestFocus());
        }

        @Override
        protected void paint(GraphicsContext gc, double w, double h) {
            paintLines(gc, w, h, colours(), exporting());
        }

        WritableImage figure(double scale) {
            return content == null ? null : render(scale, content);
        }
    }

    private void redraw() {
        lines.redraw();
    }

    private void paintLines(GraphicsContext gc, double w, double h, CanvasRegion.ThemeColours theme, boolean export) {
        if (!export) {
            lastLineCount = 0;
            geometry = null;
            minimap = null;
            content = null;
        }
        AttentionGridData d = data.get();
        String problem = problem(d);
        caption.setText(problem != null ? "" : (d.source().cross() ? d.source().describe() + "  \u00b7  " : "")
                + "lines for weights \u2265 " + MIN_WEIGHT + "; the wheel zooms, a drag pans");
        if (problem != null) {
            gc.setFill(theme.pending());
            gc.setFont(Font.font(12));
            gc.setTextAlign(TextAlignment.CENTER);
            gc.setTextBaseline(VPos.CENTER);
            gc.fillText(problem, w / 2, h / 2, w);
            return;
        }
        int rows = d.rows();
        int cols = d.cols();
        int n = Math.max(rows, cols);
        double fitRow = Math.max(0.5, Math.min(MAX_ROW, (h - TOP - 4) / n));
        MapViewport.Geometry g = viewport.fit(n, 1, 0, TOP, 1, fitRow);
        double row = g.cellH();
        Font font = Font.font("Monospaced", Math.max(9, Math.min(13, row - 2)));
        int stride = AxisLabels.stride(row, AxisLabels.lineHeight(font), 1);
        double labelW = labelWidth(d, font);
        double gap = Math.max(COLUMN_GAP, Math.min(w - 2 * (labelW + 16), Math.max(240, 0.9 * n * fitRow)));
        double mid = w / 2;
        double left = mid - gap / 2;
        double right = mid + gap / 2;
        if (!export) {
            geometry = g;
            rowHeight = row;
            leftX = left;
            rightX = right;
        }
        float[] values = d.layer(layer.get(), Pooling.Rule.MAX); // factor 1: the exact patterns
        int size = rows * cols;

        gc.setFont(Font.font(11));
        gc.setFill(theme.muted());
        gc.setTextBaseline(VPos.TOP);
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.fillText(d.source().cross() ? "decoder (queries)" : "queries", left - 6, 0);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.fillText(d.source().cross() ? "encoder (keys)" : "keys", right + 6, 0);

        gc.save();
        gc.beginPath();
        gc.rect(0, TOP - 2, w, g.frameH() + 4);
        gc.clip();
        int first = head.get() < 0 ? 0 : head.get();
        int last = head.get() < 0 ? d.heads() - 1 : head.get();
        int drawn = 0;
        gc.setLineCap(javafx.scene.shape.StrokeLineCap.ROUND);
        for (int hd = first; hd <= last; hd++) {
            Color colour = head.get() < 0 ? headColour(hd, d.heads()) : theme.accent();
            int base = hd * size;
            for (int q = 0; q < rows; q++) {
                if (hoverSide == 0 && hoverIndex != q) {
                    continue;
                }
                double y1 = g.yOf(q + 0.5);
                for (int k = 0; k < cols; k++) {
                    if (hoverSide == 1 && hoverIndex != k) {
                        continue;
                    }
                    float wgt = values[base + q * cols + k];
                    double y2 = g.yOf(k + 0.5);
                    if (!(wgt >= MIN_WEIGHT) || Math.max(y1, y2) < TOP - 2 || Math.min(y1, y2) > TOP + g.frameH() + 2) {
                        continue;
                    }
                    gc.setStroke(colour.deriveColor(0, 1, 1, Math.min(1, 0.15 + 0.85 * wgt)));
                    gc.setLineWidth(Math.max(0.5, MAX_LINE * wgt));
                    gc.strokeLine(left + 4, y1, right - 4, y2);
                    drawn++;
                }
            }
        }
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        int labelled = drawColumn(gc, theme, d.rowLabels(), g, stride, left - 6, TextAlignment.RIGHT, 0)
                + drawColumn(gc, theme, d.colLabels(), g, stride, right + 6, TextAlignment.LEFT, 1);
        gc.restore();
        if (!export) {
            lastLineCount = drawn;
            labelStride = stride;
            labelCount = labelled;
            double side = Math.max(labelW, MapLabels.textWidth(d.source().cross() ? "decoder (queries)" : "queries", Font.font(11)));
            double x0 = Math.max(0, left - side - 14);
            content = new Rectangle2D(x0, 0, Math.min(w, right + side + 14) - x0, Math.min(h, TOP + g.frameH() + 4));
            if (g.zoomed()) { // where the window is: a bar down the right edge, the window in the accent colour
                minimap = new Rectangle2D(w - 14, TOP, 8, g.frameH());
                gc.setFill(theme.border());
                gc.fillRect(minimap.getMinX(), minimap.getMinY(), minimap.getWidth(), minimap.getHeight());
                gc.setFill(theme.accent());
                gc.fillRect(minimap.getMinX(), TOP + g.row0() / n * g.frameH(), minimap.getWidth(),
                        Math.max(3, g.frameH() / g.cellH() / n * g.frameH()));
            }
        }
    }

    /** Labels every k-th visible token of one column, and the hovered one; returns how many it wrote. */
    private int drawColumn(GraphicsContext gc, CanvasRegion.ThemeColours theme, List<String> labels, MapViewport.Geometry g,
                           int stride, double x, TextAlignment align, int side) {
        gc.setTextAlign(align);
        int n = 0;
        for (int i = Math.max(0, g.firstRow()); i < Math.min(labels.size(), g.endRow()); i++) {
            boolean hot = hoverSide == side && hoverIndex == i;
            if (i % stride == 0 || hot) {
                gc.setFill(hot ? theme.accent() : theme.text());
                gc.fillText(MapLabels.shorten(labels.get(i)), x, g.yOf(i + 0.5));
                n++;
            }
        }
        return n;
    }

    private static double labelWidth(AttentionGridData d, Font font) {
        int longest = 1;
        for (List<String> labels : List.of(d.rowLabels(), d.colLabels())) {
            for (String s : labels) {
                longest = Math.max(longest, MapLabels.shorten(s).length());
            }
        }
        return MapLabels.textWidth("M".repeat(longest), font);
    }

    /** Why nothing can be drawn, or null. */
    private String problem(AttentionGridData d) {
        if (d == null || d.heads() == 0 || d.computedLayers() == 0) {
            return "No attention pattern computed yet";
        }
        if (d.factor() > 1) {
            return "The line view draws up to " + AttentionGridData.MAX_CELLS + " tokens; this pass has "
                    + Math.max(d.rows(), d.cols()) + ". Use the enlarged head or the grid.";
        }
        if (!d.computed(layer.get())) {
            return "Layer " + layer.get() + " is not computed yet";
        }
        return null;
    }

    /** One hue per head, evenly spaced around the colour wheel. */
    static Color headColour(int head, int heads) {
        return Color.hsb(360.0 * head / Math.max(1, heads), 0.7, 0.75);
    }

    private void hover(MouseEvent e) {
        AttentionGridData d = data.get();
        if (problem(d) != null || rowHeight <= 0 || minimap != null && minimap.contains(e.getX(), e.getY())) {
            return;
        }
        int i = geometry == null ? -1 : (int) Math.floor(geometry.rowAt(e.getY()));
        int side = e.getX() < leftX ? 0 : e.getX() > rightX ? 1 : -1;
        int n = side == 0 ? d.rows() : d.cols();
        if (side < 0 || i < 0 || i >= n) {
            side = -1;
        }
        if (side != hoverSide || i != hoverIndex) {
            setHover(side, i);
        }
    }

    @Override
    protected double computePrefWidth(double height) {
        return 520;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 520;
    }
}
