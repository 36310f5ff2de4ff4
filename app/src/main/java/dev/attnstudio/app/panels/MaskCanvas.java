package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorScale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link MaskData}: one cell per (query, key), blocked cells hatched by their reason (diagonal: causal,
 * crossed: padding, dotted: override), allowed cells plain or, with the overlay on, coloured by the chosen head's
 * pattern weight with a dot where that weight is merely near zero. A line separates cached keys from this pass's.
 * Token labels run along both axes: every token's when a cell holds a line of text, else every k-th
 * ({@link AxisLabels}), the others read out on hover.
 */
final class MaskCanvas extends GridCanvas {

    private static final int MAX_CELL = 40;
    /** Smallest cell (pixels) worth giving up the label margins for; below it the cells take the whole canvas. */
    private static final int LABEL_MIN_CELL = 3;
    private static final int VALUE_MIN_CELL = 30;
    private static final double GAP = 5;

    final ObjectProperty<MaskData> data = new SimpleObjectProperty<>(this, "data");
    final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    final BooleanProperty overlay = new SimpleBooleanProperty(this, "overlay", true);

    private final Font labelFont = Font.font("Monospaced", 11);
    private final Font valueFont = Font.font(9);
    private double originX;
    private double originY;
    private int cell;
    private int labelStride;

    MaskCanvas() {
        super("Hover a cell, or click one and move with the arrow keys (Home / End: first / last key)");
        watchData(data);
        watchSetting(head);
        overlay.addListener((obs, old, now) -> redraw());
    }

    @Override
    protected double computePrefWidth(double height) {
        return 420;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 320;
    }

    /** Cell size of the last drawing in pixels (0 when nothing was drawn). */
    int cellSize() {
        return cell;
    }

    @Override
    int rows() {
        MaskData d = data.get();
        return d == null ? 0 : d.queries();
    }

    @Override
    int cols() {
        MaskData d = data.get();
        return d == null ? 0 : d.keys();
    }

    private boolean showPattern(MaskData d) {
        return overlay.get() && d.pattern() != null && head.get() >= 0 && head.get() < d.heads();
    }

    @Override
    void paintCells(GraphicsContext gc, double w, double h) {
        MaskData d = data.get();
        cell = 0;
        labelStride = 0;
        placeCells(0, 0, 0, 0, 0);
        if (d == null) {
            return;
        }
        double left = GAP + widest(d.queryLabels()) + 14;
        double top = GAP + widest(d.keyLabels());
        cell = (int) Math.min(MAX_CELL, Math.floor(Math.min((w - left) / d.keys(), (h - top) / d.queries())));
        boolean labels = cell >= LABEL_MIN_CELL;
        if (!labels) {
            left = 0;
            top = 0;
            cell = (int) Math.max(1, Math.min(MAX_CELL, Math.floor(Math.min(w / d.keys(), h / d.queries()))));
        }
        originX = left;
        originY = top;
        placeCells(originX, originY, cell, cell, cell >= 8 ? 1 : 0);
        gc.setImageSmoothing(false);
        gc.drawImage(render(d), originX, originY);
        boolean pattern = showPattern(d);
        if (pattern && cell >= 6) {
            gc.setFill(colours().accent());
            double r = Math.max(1.5, cell / 9.0);
            for (int q = 0; q < d.queries(); q++) {
                for (int k = 0; k < d.keys(); k++) {
                    if (!d.cell(q, k).blocked() && d.weight(head.get(), q, k) < MaskData.NEAR_ZERO) {
                        double[] c = cellCentre(q, k);
                        gc.fillOval(c[0] - r, c[1] - r, 2 * r, 2 * r);
                    }
                }
            }
        }
        if (pattern && cell >= VALUE_MIN_CELL) {
            gc.setFont(valueFont);
            gc.setTextAlign(TextAlignment.CENTER);
            gc.setTextBaseline(VPos.BOTTOM);
            for (int q = 0; q < d.queries(); q++) {
                for (int k = 0; k < d.keys(); k++) {
                    float v = d.weight(head.get(), q, k);
                    if (!d.cell(q, k).blocked() && v >= MaskData.NEAR_ZERO) {
                        gc.setFill(ColorScale.dark(ColorScale.sequential(v)) ? Color.WHITE : Color.web("#1f2328"));
                        double[] c = cellCentre(q, k);
                        gc.fillText(String.format(Locale.ROOT, "%.2f", v), c[0], c[1] + cell / 2.0 - 1);
                    }
                }
            }
        }
        if (d.past() > 0) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            double x = originX + d.past() * cell - 0.5;
            gc.strokeLine(x, originY - (labels ? 4 : 0), x, originY + d.queries() * cell);
        }
        if (labels) {
            labelStride = AxisLabels.stride(cell, AxisLabels.lineHeight(labelFont), 1);
            drawLabels(gc, d);
        }
    }

    /** Positions between two labels in the last drawing (1 = every token), 0 when no labels were drawn. */
    int labelStride() {
        return labelStride;
    }

    private WritableImage render(MaskData d) {
        int iw = d.keys() * cell;
        int ih = d.queries() * cell;
        int gutter = cell >= 8 ? 1 : 0;
        int[] px = new int[iw * ih];
        CanvasRegion.ThemeColours theme = colours();
        int gridColour = ColorScale.argb(theme.border());
        java.util.Arrays.fill(px, gridColour);
        int surfaceColour = ColorScale.argb(theme.surface());
        int allowedColour = allowedColour(theme);
        boolean pattern = showPattern(d);
        for (int q = 0; q < d.queries(); q++) {
            for (int k = 0; k < d.keys(); k++) {
                MaskData.Cell c = d.cell(q, k);
                int fill = pattern ? ColorScale.sequential(d.weight(head.get(), q, k)) : allowedColour;
                for (int y = q * cell; y < (q + 1) * cell - gutter; y++) {
                    for (int x = k * cell; x < (k + 1) * cell - gutter; x++) {
                        px[y * iw + x] = c.blocked() ? blockedPixel(theme, c, x, y, surfaceColour) : fill;
                    }
                }
            }
        }
        WritableImage image = new WritableImage(Math.max(1, iw), Math.max(1, ih));
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), px, 0, iw);
        return image;
    }

    /** The hatch of a blocked cell at pixel (x, y): continuous across cells, one pattern per reason. */
    static int blockedPixel(CanvasRegion.ThemeColours p, MaskData.Cell c, int x, int y, int background) {
        return switch (c) {
            case CAUSAL -> Math.floorMod(x + y, 6) < 2 ? ColorScale.argb(p.muted()) : background;
            case PADDING -> Math.floorMod(x + y, 6) < 2 || Math.floorMod(x - y, 6) < 2 ? ColorScale.argb(p.special()) : background;
            case OTHER -> x % 4 == 0 && y % 4 == 0 ? ColorScale.argb(p.text()) : ColorScale.argb(p.border());
            case ALLOWED -> background;
        };
    }

    /** An allowed cell when no pattern is overlaid: the surface tinted with the accent. */
    static int allowedColour(CanvasRegion.ThemeColours p) {
        return ColorScale.argb(p.surface().interpolate(p.accent(), 0.15));
    }

    private void drawLabels(GraphicsContext gc, MaskData d) {
        gc.setFont(labelFont);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.RIGHT);
        int k = labelStride;
        for (int q = 0; q < d.queries(); q += k) {
            gc.setFill(d.paddingQuery()[q] ? colours().special() : colours().text());
            gc.fillText(d.queryLabels().get(q), originX - GAP, originY + (q + 0.5) * cell);
        }
        gc.setTextAlign(TextAlignment.LEFT);
        for (int key = 0; key < d.keys(); key += k) {
            boolean pad = d.paddingKey()[key];
            gc.setFill(pad ? colours().special() : key < d.past() ? colours().muted() : colours().text());
            gc.save();
            gc.translate(originX + (key + 0.5) * cell, originY - GAP);
            gc.rotate(-90);
            gc.fillText(d.keyLabels().get(key), 0, 0);
            gc.restore();
        }
    }

    private double widest(List<String> labels) {
        Text probe = new Text();
        probe.setFont(labelFont);
        double widest = 0;
        for (String s : labels) {
            probe.setText(s);
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        return widest;
    }

    /** What a cell is, for the readout: query and key, the mask's value and reason, the overlaid weight. */
    @Override
    String describe(int q, int k) {
        MaskData d = data.get();
        MaskData.Cell c = d.cell(q, k);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "query %d '%s' -> key %d '%s'%s: %s, mask %s",
                d.firstQuery() + q, d.queryLabels().get(q), k, d.keyLabels().get(k), k < d.past() ? " (cached)" : "",
                c.label, c.blocked() ? "-inf" : "0"));
        if (d.paddingQuery()[q]) {
            s.append("; the query itself is padding");
        }
        if (d.pattern() != null && head.get() < d.heads()) {
            float v = d.weight(head.get(), q, k);
            s.append(String.format(Locale.ROOT, "; head %d weight %.4g", head.get(), v));
            if (!c.blocked() && v < MaskData.NEAR_ZERO) {
                s.append(" (near zero, but allowed)");
            }
        }
        return s.toString();
    }
}
