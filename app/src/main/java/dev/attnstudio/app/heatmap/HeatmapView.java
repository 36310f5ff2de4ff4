package dev.attnstudio.app.heatmap;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.List;
import java.util.Locale;

/**
 * Draws one {@link Heatmap}: cells are written pixel by pixel into a {@link WritableImage} (no smoothing, so
 * a cell stays a crisp square at any size) and the image is put on a canvas that fills the region. Token
 * labels run along both axes and values are printed in the cells when there is room; hovering a cell
 * reports it through {@link #hoverTextProperty()}.
 */
public final class HeatmapView extends CanvasRegion {

    private static final int MAX_CELL = 56;
    /** Smallest cell that still gets axis labels; the label font shrinks with the cell down to this. */
    private static final int LABEL_MIN_CELL = 9;
    private static final int LABEL_MAX_FONT = 12;
    private static final int VALUE_MIN_CELL = 34;
    private static final int MAX_LABEL_CHARS = 12;
    private static final double GAP = 6;

    private final ObjectProperty<Heatmap> heatmap = new SimpleObjectProperty<>(this, "heatmap");
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");
    private Font labelFont = Font.font("Monospaced", LABEL_MAX_FONT);
    private final Font valueFont = Font.font(10);

    /** Where the last drawing put its cells: origin and cell size in canvas pixels. */
    private double originX;
    private double originY;
    private int cell;

    public HeatmapView() {
        getStyleClass().add("heatmap-view");
        heatmap.addListener((obs, old, now) -> {
            hoverText.set("");
            requestLayout();
            redraw();
        });
        canvas().addEventHandler(MouseEvent.MOUSE_MOVED, this::hover);
        canvas().addEventHandler(MouseEvent.MOUSE_EXITED, e -> hoverText.set(""));
    }

    public ObjectProperty<Heatmap> heatmapProperty() {
        return heatmap;
    }

    public void setHeatmap(Heatmap map) {
        heatmap.set(map);
    }

    public Heatmap getHeatmap() {
        return heatmap.get();
    }

    /** A description of the cell under the mouse ("query 3 'x' -> key 1 'y' = 0.25"), or empty. */
    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    /** Size of one cell in the last drawing, in pixels (0 before anything was drawn). */
    public int cellSize() {
        return cell;
    }

    @Override
    protected double computePrefWidth(double height) {
        return 360;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 320;
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        Heatmap map = heatmap.get();
        cell = 0;
        if (map == null || w < 4 || h < 4) {
            return;
        }
        labelFont = Font.font("Monospaced", LABEL_MAX_FONT);
        int withLabels = 0;
        double rowMargin = 0;
        double colMargin = 0;
        // Fit cells, size the label font to them, and fit again with that font's margins.
        for (int round = 0; round < 2; round++) {
            rowMargin = GAP + labelWidth(map.rowLabels());
            // Column labels stand upright when they fit above their cell, else they are turned on their side.
            colMargin = GAP + (uprightColumns(map, withLabels) ? labelFont.getSize() + 2 : labelWidth(map.colLabels()));
            withLabels = fit(map, w - rowMargin, h - colMargin);
            labelFont = Font.font("Monospaced", Math.max(LABEL_MIN_CELL - 1, Math.min(LABEL_MAX_FONT, withLabels - 1)));
        }
        boolean labels = withLabels >= LABEL_MIN_CELL;
        cell = labels ? withLabels : fit(map, w, h);
        if (cell < 1) {
            // More cells than pixels: draw one pixel per cell and let the canvas scale the image down.
            double scale = Math.min(w / map.cols(), h / map.rows());
            gc.setImageSmoothing(true);
            gc.drawImage(render(map, 1, 0), 0, 0, map.cols() * scale, map.rows() * scale);
            return;
        }
        gc.setImageSmoothing(false);
        originX = labels ? rowMargin : 0;
        originY = labels ? colMargin : 0;
        gc.drawImage(render(map, cell, ColorScale.argb(colours().surface())), originX, originY);
        if (labels) {
            drawLabels(gc, map, colours().text());
        }
        if (cell >= VALUE_MIN_CELL) {
            drawValues(gc, map);
        }
    }

    private static int fit(Heatmap map, double w, double h) {
        return (int) Math.min(MAX_CELL, Math.floor(Math.min(w / map.cols(), h / map.rows())));
    }

    /** The cells as an image, {@code cell} pixels a side, with a one-pixel gutter in {@code gutterArgb} once cells are large. */
    static WritableImage render(Heatmap map, int cell, int gutterArgb) {
        int iw = map.cols() * cell;
        int ih = map.rows() * cell;
        int gutter = cell >= 8 ? 1 : 0;
        int[] pixels = new int[iw * ih];
        java.util.Arrays.fill(pixels, gutterArgb);
        for (int r = 0; r < map.rows(); r++) {
            for (int c = 0; c < map.cols(); c++) {
                float v = map.get(r, c);
                boolean masked = v == Float.NEGATIVE_INFINITY;
                int colour = masked ? 0 : ColorScale.argb(map, v);
                for (int y = r * cell; y < (r + 1) * cell - gutter; y++) {
                    int row = y * iw;
                    for (int x = c * cell; x < (c + 1) * cell - gutter; x++) {
                        pixels[row + x] = masked ? ColorScale.hatch(x, y) : colour;
                    }
                }
            }
        }
        WritableImage image = new WritableImage(iw, ih);
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), pixels, 0, iw);
        return image;
    }

    private void drawLabels(GraphicsContext gc, Heatmap map, Color text) {
        gc.setFont(labelFont);
        gc.setFill(text);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int r = 0; r < map.rows(); r++) {
            gc.fillText(shorten(map.rowLabels().get(r)), originX - GAP, originY + (r + 0.5) * cell);
        }
        if (uprightColumns(map, cell)) {
            gc.setTextAlign(TextAlignment.CENTER);
            gc.setTextBaseline(VPos.BOTTOM);
            for (int c = 0; c < map.cols(); c++) {
                gc.fillText(shorten(map.colLabels().get(c)), originX + (c + 0.5) * cell, originY - GAP / 2);
            }
            return;
        }
        gc.setTextAlign(TextAlignment.LEFT);
        for (int c = 0; c < map.cols(); c++) {
            gc.save();
            gc.translate(originX + (c + 0.5) * cell, originY - GAP);
            gc.rotate(-90);
            gc.fillText(shorten(map.colLabels().get(c)), 0, 0);
            gc.restore();
        }
    }

    private void drawValues(GraphicsContext gc, Heatmap map) {
        gc.setFont(valueFont);
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.CENTER);
        for (int r = 0; r < map.rows(); r++) {
            for (int c = 0; c < map.cols(); c++) {
                float v = map.get(r, c);
                if (!Float.isFinite(v)) {
                    continue;
                }
                gc.setFill(ColorScale.dark(ColorScale.argb(map, v)) ? Color.WHITE : Color.web("#1f2328"));
                gc.fillText(String.format(Locale.ROOT, "%.2f", v), originX + (c + 0.5) * cell, originY + (r + 0.5) * cell);
            }
        }
    }

    private boolean uprightColumns(Heatmap map, int cellSize) {
        return cellSize > 0 && labelWidth(map.colLabels()) <= cellSize - 2;
    }

    private double labelWidth(List<String> labels) {
        Text probe = new Text();
        probe.setFont(labelFont);
        double widest = 0;
        for (String s : labels) {
            probe.setText(shorten(s));
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        return Math.ceil(widest);
    }

    private static String shorten(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label : label.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
    }

    private void hover(MouseEvent e) {
        Heatmap map = heatmap.get();
        if (map == null || cell < 1) {
            hoverText.set("");
            return;
        }
        int c = (int) Math.floor((e.getX() - originX) / cell);
        int r = (int) Math.floor((e.getY() - originY) / cell);
        if (r < 0 || c < 0 || r >= map.rows() || c >= map.cols()) {
            hoverText.set("");
            return;
        }
        float v = map.get(r, c);
        String value = v == Float.NEGATIVE_INFINITY ? "-inf (masked)" : String.format(Locale.ROOT, "%.5g", v);
        hoverText.set(String.format(Locale.ROOT, "query %d %s \u2192 key %d %s = %s",
                r, quote(map.rowLabels().get(r)), c, quote(map.colLabels().get(c)), value));
    }

    private static String quote(String s) {
        return "\u2018" + s + "\u2019";
    }
}
