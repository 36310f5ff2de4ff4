package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.app.heatmap.PixelEdges;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Rectangle2D;
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
 * Draws a {@link MaskData}: one square cell per (query, key), as large as the canvas allows, blocked cells hatched by
 * their reason (diagonal: causal, crossed: padding, dotted: override), allowed cells plain or, with the overlay on,
 * coloured by the chosen head's pattern weight with a dot where that weight is merely near zero. A line separates
 * cached keys from this pass's. Token labels run along both axes in margins of at most a seventh of the canvas: every
 * token's when a cell holds a line of text, else every k-th ({@link AxisLabels}), the others read out on hover. It
 * zooms and pans like every map ({@link GridCanvas}).
 */
final class MaskCanvas extends GridCanvas {

    /** Smallest side (points) the cells keep after the label margins; below it the labels give way to the cells. */
    private static final double LABEL_MIN_MAP = 40;
    private static final int VALUE_MIN_CELL = 30;
    private static final double GAP = 5;
    private static final double MAX_SHARE = 0.14;

    final ObjectProperty<MaskData> data = new SimpleObjectProperty<>(this, "data");
    final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    final BooleanProperty overlay = new SimpleBooleanProperty(this, "overlay", true);
    /** Cells a side that share a pixel in the last drawing on screen (1: a cell has a pixel or more). */
    final IntegerProperty merged = new SimpleIntegerProperty(this, "merged", 1);

    private final Font labelFont = Font.font("Monospaced", 11);
    private final Font valueFont = Font.font(9);
    private final double charWidth = textWidth("M");
    private double cell;
    private int labelStride;
    /** The widest query and key label of the data, measured once per data. */
    private double queryWidth;
    private double keyWidth;

    MaskCanvas() {
        super("Hover a cell, or click one and move with the arrow keys (Home / End: first / last key); "
                + "the wheel zooms, a drag pans, 0 fits");
        data.addListener((obs, old, now) -> {
            queryWidth = now == null ? 0 : widest(now.queryLabels());
            keyWidth = now == null ? 0 : widest(now.keyLabels());
        });
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

    /** Points per cell of the last drawing (0 when nothing was drawn). */
    double cellSize() {
        return cell;
    }

    @Override
    public int rows() {
        MaskData d = data.get();
        return d == null ? 0 : d.queries();
    }

    @Override
    public int cols() {
        MaskData d = data.get();
        return d == null ? 0 : d.keys();
    }

    private boolean showPattern(MaskData d) {
        return overlay.get() && d.pattern() != null && head.get() >= 0 && head.get() < d.heads();
    }

    @Override
    protected void paintCells(GraphicsContext gc, double w, double h) {
        MaskData d = data.get();
        if (!exporting()) {
            cell = 0;
            labelStride = 0;
        }
        if (d == null || w < 8 || h < 8) {
            return;
        }
        Fit f = fit(d, w, h);
        double mx = f.left() - GAP;
        double my = f.top() - GAP;
        boolean labels = f.labels();
        MapViewport.Geometry g = place(f.left(), f.top(), f.cell(), f.cell(), f.cell() >= 8 ? 1 : 0);
        double scale = pixelScale();
        int iw = Math.max(1, (int) Math.round(g.frameW() * scale));
        int ih = Math.max(1, (int) Math.round(g.frameH() * scale));
        int[] px = new int[iw * ih];
        rasterize(d, g, scale, px, iw, ih, g.cellW() >= 8 ? Math.max(1, (int) Math.round(scale)) : 0);
        WritableImage image = new WritableImage(iw, ih);
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), px, 0, iw);
        gc.setImageSmoothing(false);
        gc.drawImage(image, g.x(), g.y(), iw / scale, ih / scale);
        double c = g.cellW();
        gc.save();
        gc.beginPath();
        gc.rect(g.x(), g.y(), g.frameW(), g.frameH());
        gc.clip();
        boolean pattern = showPattern(d);
        if (pattern && c >= 6) {
            gc.setFill(colours().accent());
            double r = Math.max(1.5, c / 9.0);
            for (int q = g.firstRow(); q < g.endRow(); q++) {
                for (int k = g.firstCol(); k < g.endCol(); k++) {
                    if (!d.cell(q, k).blocked() && d.weight(head.get(), q, k) < MaskData.NEAR_ZERO) {
                        gc.fillOval(g.xOf(k + 0.5) - r, g.yOf(q + 0.5) - r, 2 * r, 2 * r);
                    }
                }
            }
        }
        if (pattern && c >= VALUE_MIN_CELL) {
            gc.setFont(valueFont);
            gc.setTextAlign(TextAlignment.CENTER);
            gc.setTextBaseline(VPos.BOTTOM);
            for (int q = g.firstRow(); q < g.endRow(); q++) {
                for (int k = g.firstCol(); k < g.endCol(); k++) {
                    float v = d.weight(head.get(), q, k);
                    if (!d.cell(q, k).blocked() && v >= MaskData.NEAR_ZERO) {
                        gc.setFill(ColorScale.dark(ColorScale.sequential(v)) ? Color.WHITE : Color.web("#1f2328"));
                        gc.fillText(String.format(Locale.ROOT, "%.2f", v), g.xOf(k + 0.5), g.yOf(q + 1) - 1);
                    }
                }
            }
        }
        gc.restore();
        if (d.past() > 0 && d.past() >= g.col0() && d.past() <= g.col0() + g.frameW() / c) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            double x = g.xOf(d.past()) - 0.5;
            gc.strokeLine(x, g.y() - (labels ? 4 : 0), x, g.y() + g.frameH());
        }
        int stride = AxisLabels.stride(c, AxisLabels.lineHeight(labelFont), 1);
        if (labels) {
            drawLabels(gc, d, g, stride, (int) Math.floor(mx / charWidth + 1e-6), (int) Math.floor(my / charWidth + 1e-6));
        }
        if (!exporting()) {
            cell = c;
            labelStride = labels ? stride : 0;
            merged.set(c >= 1 ? 1 : (int) Math.ceil(1 / c - 1e-9));
        }
        setContent(new Rectangle2D(0, 0, Math.ceil(g.x() + g.frameW()) + 1, Math.ceil(g.y() + g.frameH()) + 1));
    }

    /** Where the cells go in a canvas of {@code w x h} at zoom 1: the frame's left and top, the cell side, labels or not. */
    record Fit(double left, double top, double cell, boolean labels) {

        /** Width of the drawing: labels and cells. */
        double width(MaskData d) {
            return left + cell * d.keys();
        }
    }

    /** How a mask fits a canvas of {@code w x h}: label margins of at most a seventh of it, then square cells. */
    Fit fit(MaskData d, double w, double h) {
        double cap = Math.max(3 * charWidth, MAX_SHARE * Math.min(w, h));
        double left = Math.ceil(Math.min(queryWidth, cap)) + GAP;
        double top = Math.ceil(Math.min(keyWidth, cap)) + GAP;
        double cell = Math.min((w - left) / d.keys(), (h - top) / d.queries());
        if (Math.min(cell * d.keys(), cell * d.queries()) >= LABEL_MIN_MAP || cell >= 12) {
            return new Fit(left, top, cell, true);
        }
        return new Fit(0, 0, Math.max(1e-3, Math.min(w / d.keys(), h / d.queries())), false);
    }

    /** Positions between two labels in the last drawing (1 = every token), 0 when no labels were drawn. */
    int labelStride() {
        return labelStride;
    }

    /**
     * Writes the cells in the window of {@code g} into {@code px} (an image of {@code iw x ih} covering the frame at
     * {@code scale} pixels per point), each cell between its pixel edges, {@code gutter} pixels of it left empty. Where
     * cells are smaller than a pixel, each pixel shows what matters most among its cells (as max pooling does): any
     * blocked cell hatches it, padding before an override before the causal triangle, else it takes their largest
     * weight; no blocked key disappears however long the pass.
     */
    private void rasterize(MaskData d, MapViewport.Geometry g, double scale, int[] px, int iw, int ih, int gutter) {
        CanvasRegion.ThemeColours theme = colours();
        java.util.Arrays.fill(px, ColorScale.argb(theme.border()));
        int surfaceColour = ColorScale.argb(theme.surface());
        int allowedColour = allowedColour(theme);
        boolean pattern = showPattern(d);
        int c0 = g.firstCol();
        int r0 = g.firstRow();
        int[] xs = PixelEdges.of((c0 - g.col0()) * g.cellW() * scale, g.cellW() * scale, g.endCol() - c0, iw);
        int[] ys = PixelEdges.of((r0 - g.row0()) * g.cellH() * scale, g.cellH() * scale, g.endRow() - r0, ih);
        boolean merged = g.cellW() * scale < 1 || g.cellH() * scale < 1;
        byte[] rank = merged ? new byte[iw * ih] : null; // 0 nothing yet, 1 allowed, then blocked by priority
        float[] weight = merged ? new float[iw * ih] : null;
        for (int q = r0; q < g.endRow(); q++) {
            int y0 = ys[q - r0];
            int y1 = merged ? Math.min(ih, Math.max(ys[q - r0 + 1], y0 + 1)) : Math.max(y0, ys[q - r0 + 1] - gutter);
            for (int k = c0; k < g.endCol(); k++) {
                MaskData.Cell c = d.cell(q, k);
                float w = pattern ? d.weight(head.get(), q, k) : 0f;
                int x0 = xs[k - c0];
                int x1 = merged ? Math.min(iw, Math.max(xs[k - c0 + 1], x0 + 1)) : Math.max(x0, xs[k - c0 + 1] - gutter);
                byte r = rank(c);
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int i = y * iw + x;
                        if (merged) {
                            if (r < rank[i] || r == rank[i] && (r > 1 || w <= weight[i])) {
                                continue; // the pixel already shows something that matters more
                            }
                            rank[i] = r;
                            weight[i] = w;
                        }
                        px[i] = c.blocked() ? blockedPixel(theme, c, x, y, surfaceColour)
                                : pattern ? ColorScale.sequential(w) : allowedColour;
                    }
                }
            }
        }
    }

    /** How much a cell's class matters when several share a pixel: allowed least, padding most. */
    private static byte rank(MaskData.Cell c) {
        return switch (c) {
            case ALLOWED -> 1;
            case CAUSAL -> 2;
            case WINDOW -> 3;
            case OTHER -> 4;
            case PADDING -> 5;
        };
    }

    /** Cells per pixel a side in the last drawing when they are smaller than a pixel (rounded up), else 1. */
    int cellsPerPixel() {
        return merged.get();
    }

    @Override
    protected WritableImage overview(int w, int h) {
        MaskData d = data.get();
        if (d == null) {
            return null;
        }
        MapViewport whole = new MapViewport();
        MapViewport.Geometry g = whole.fit(d.queries(), d.keys(), 0, 0, w / (double) d.keys(), h / (double) d.queries());
        int[] px = new int[w * h];
        rasterize(d, g, 1, px, w, h, 0);
        WritableImage image = new WritableImage(w, h);
        image.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), px, 0, w);
        return image;
    }

    /** The hatch of a blocked cell at pixel (x, y): continuous across cells, one pattern per reason. */
    static int blockedPixel(CanvasRegion.ThemeColours p, MaskData.Cell c, int x, int y, int background) {
        return switch (c) {
            case CAUSAL -> Math.floorMod(x + y, 6) < 2 ? ColorScale.argb(p.muted()) : background;
            case PADDING -> Math.floorMod(x + y, 6) < 2 || Math.floorMod(x - y, 6) < 2 ? ColorScale.argb(p.special()) : background;
            case WINDOW -> Math.floorMod(x - y, 6) < 2 ? ColorScale.argb(p.muted()) : background; // the causal hatch, mirrored
            case OTHER -> x % 4 == 0 && y % 4 == 0 ? ColorScale.argb(p.text()) : ColorScale.argb(p.border());
            case ALLOWED -> background;
        };
    }

    /** An allowed cell when no pattern is overlaid: the surface tinted with the accent. */
    static int allowedColour(CanvasRegion.ThemeColours p) {
        return ColorScale.argb(p.surface().interpolate(p.accent(), 0.15));
    }

    private void drawLabels(GraphicsContext gc, MaskData d, MapViewport.Geometry g, int k, int rowChars, int colChars) {
        gc.setFont(labelFont);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int q = (g.firstRow() + k - 1) / k * k; q < g.endRow(); q += k) {
            double y = g.yOf(q + 0.5);
            if (y >= g.y() && y <= g.y() + g.frameH()) {
                gc.setFill(d.paddingQuery()[q] ? colours().special() : colours().text());
                gc.fillText(shorten(d.queryLabels().get(q), rowChars), g.x() - GAP, y);
            }
        }
        gc.setTextAlign(TextAlignment.LEFT);
        for (int key = (g.firstCol() + k - 1) / k * k; key < g.endCol(); key += k) {
            double x = g.xOf(key + 0.5);
            if (x < g.x() || x > g.x() + g.frameW()) {
                continue;
            }
            boolean pad = d.paddingKey()[key];
            gc.setFill(pad ? colours().special() : key < d.past() ? colours().muted() : colours().text());
            gc.save();
            gc.translate(x, g.y() - GAP);
            gc.rotate(-90);
            gc.fillText(shorten(d.keyLabels().get(key), colChars), 0, 0);
            gc.restore();
        }
    }

    private static String shorten(String label, int chars) {
        int n = Math.max(1, chars);
        return label.length() <= n ? label : label.substring(0, n - 1) + "\u2026";
    }

    private double textWidth(String s) {
        Text probe = new Text(s);
        probe.setFont(labelFont);
        return probe.getLayoutBounds().getWidth();
    }

    private double widest(List<String> labels) {
        int longest = 0;
        for (String s : labels) {
            longest = Math.max(longest, s.length());
        }
        return Math.ceil(longest * charWidth); // a monospaced font
    }

    /** What a cell is, for the readout: query and key, the mask's value and reason, the overlaid weight. */
    @Override
    protected String describe(int q, int k) {
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
