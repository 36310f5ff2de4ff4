package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.app.heatmap.PixelEdges;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The cached keys (or values) of one layer and key/value head: one column per position, one row per dimension,
 * blue negative to red positive, filling the canvas. A strip under the columns shows which pass wrote each position
 * (prefill vs decode), and the tokens label the columns (every k-th when the columns are narrower than a line). It
 * zooms and pans like every map ({@link GridCanvas}).
 */
final class KvMatrixCanvas extends GridCanvas {

    /** Largest entry (points) on either axis: a few positions or dimensions do not blow up to bars. */
    private static final double MAX_CELL = 32;
    private static final double LEFT = 34;
    private static final double RIGHT = 70;
    private static final double STRIP = 6;
    /** Most room under the entries for the pass strip and the rotated position labels. */
    private static final double BOTTOM = STRIP + 4 + 56;

    final ObjectProperty<KvCacheData> data = new SimpleObjectProperty<>(this, "data");
    /** Values instead of keys. */
    final BooleanProperty showValues = new SimpleBooleanProperty(this, "showValues", false);

    private final Font font = Font.font("Monospaced", 10);

    KvMatrixCanvas() {
        super("Hover an entry, or click one and move with the arrow keys: up / down a dimension, left / right a "
                + "position (Home / End: first / last position)");
        watchData(data);
        watchSetting(showValues);
    }

    /** v in [-limit, limit] on the diverging palette: blue negative, white 0, red positive. */
    static int colour(double v, double limit) {
        return ColorScale.diverging(limit > 0 ? 0.5 + 0.5 * v / limit : 0.5);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 480;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 220;
    }

    int columns() {
        KvCacheData d = data.get();
        return d == null || d.keys() == null ? 0 : d.positions();
    }

    @Override
    public int rows() {
        return columns() == 0 ? 0 : data.get().dHead();
    }

    @Override
    public int cols() {
        return columns();
    }

    private float at(KvCacheData d, int i, int p) {
        return showValues.get() ? d.value(i, p) : d.key(i, p);
    }

    @Override
    protected void paintCells(GraphicsContext gc, double w, double h) {
        KvCacheData d = data.get();
        if (d == null || d.keys() == null || d.positions() == 0) {
            return;
        }
        double bottom0 = bottom(d);
        double fitW = Math.max(0.25, Math.min(MAX_CELL, (w - LEFT - RIGHT) / d.positions()));
        double fitH = Math.max(0.25, Math.min(MAX_CELL, (h - bottom0) / d.dHead()));
        MapViewport.Geometry g = place(LEFT, 0, fitW, fitH, 0);
        float limit = 0;
        float[] m = showValues.get() ? d.values() : d.keys();
        for (float v : m) {
            limit = Math.max(limit, Math.abs(v));
        }
        double scale = pixelScale();
        int iw = Math.max(1, (int) Math.round(g.frameW() * scale));
        int ih = Math.max(1, (int) Math.round(g.frameH() * scale));
        int[] px = new int[iw * ih];
        rasterize(d, g, scale, limit, px, iw, ih);
        WritableImage image = new WritableImage(iw, ih);
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), px, 0, iw);
        gc.setImageSmoothing(false);
        gc.drawImage(image, g.x(), g.y(), iw / scale, ih / scale);

        double bottom = g.y() + g.frameH();
        gc.setFont(font);
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.TOP);
        if (g.frameH() >= 26) {
            gc.fillText("dim " + g.firstRow(), LEFT - 3, 0);
            gc.setTextBaseline(VPos.BOTTOM);
            gc.fillText(String.valueOf(g.endRow() - 1), LEFT - 3, bottom);
        } else {
            gc.fillText("dims", LEFT - 3, 0);
        }
        // which pass wrote each position: prefill in the special colour, later passes in the accent
        gc.save();
        gc.beginPath();
        gc.rect(g.x(), 0, g.frameW(), h);
        gc.clip();
        for (int p = g.firstCol(); p < g.endCol(); p++) {
            int pass = d.positionPass()[p];
            gc.setFill(pass == 0 ? colours().special() : colours().accent());
            gc.fillRect(g.xOf(p), bottom + 3, Math.max(1, g.cellW() - 1), STRIP);
        }
        int stride = AxisLabels.stride(g.cellW(), AxisLabels.lineHeight(font), 1);
        if (g.cellW() >= 3) {
            gc.setFill(colours().text());
            gc.setTextAlign(TextAlignment.RIGHT);
            gc.setTextBaseline(VPos.CENTER);
            for (int p = (g.firstCol() + stride - 1) / stride * stride; p < g.endCol(); p += stride) {
                gc.save();
                gc.translate(g.xOf(p + 0.5), bottom + STRIP + 6);
                gc.rotate(-90);
                gc.fillText(d.positionLabels().get(p), 0, 0);
                gc.restore();
            }
        }
        gc.restore();
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setTextBaseline(VPos.TOP);
        gc.fillText(showValues.get() ? "values" : "keys", g.x() + g.frameW() + 6, 0);
        gc.fillText(String.format(Locale.ROOT, "|max| %.3g", limit), g.x() + g.frameW() + 6, 14);
        setContent(new Rectangle2D(0, 0, Math.min(w, g.x() + g.frameW() + RIGHT), Math.min(h, bottom + bottom0)));
    }

    /** Room under the entries: the pass strip and the longest position label, rotated. */
    private double bottom(KvCacheData d) {
        int longest = 1;
        for (String label : d.positionLabels()) {
            longest = Math.max(longest, label.length());
        }
        return Math.min(BOTTOM, STRIP + 4 + 8 + longest * font.getSize() * 0.62);
    }

    /** Writes the window's entries of {@code g} into {@code px} (the frame at {@code scale} pixels per point). */
    private void rasterize(KvCacheData d, MapViewport.Geometry g, double scale, float limit, int[] px, int iw, int ih) {
        int c0 = g.firstCol();
        int r0 = g.firstRow();
        int[] xs = PixelEdges.of((c0 - g.col0()) * g.cellW() * scale, g.cellW() * scale, g.endCol() - c0, iw);
        int[] ys = PixelEdges.of((r0 - g.row0()) * g.cellH() * scale, g.cellH() * scale, g.endRow() - r0, ih);
        for (int i = r0; i < g.endRow(); i++) {
            for (int p = c0; p < g.endCol(); p++) {
                int c = colour(at(d, i, p), limit);
                for (int y = ys[i - r0]; y < ys[i - r0 + 1]; y++) {
                    java.util.Arrays.fill(px, y * iw + xs[p - c0], y * iw + xs[p - c0 + 1], c);
                }
            }
        }
    }

    @Override
    protected WritableImage overview(int w, int h) {
        KvCacheData d = data.get();
        if (d == null || d.keys() == null || d.positions() == 0) {
            return null;
        }
        float limit = 0;
        for (float v : showValues.get() ? d.values() : d.keys()) {
            limit = Math.max(limit, Math.abs(v));
        }
        MapViewport.Geometry g = new MapViewport().fit(d.dHead(), d.positions(), 0, 0, w / (double) d.positions(), h / (double) d.dHead());
        int[] px = new int[w * h];
        rasterize(d, g, 1, limit, px, w, h);
        WritableImage image = new WritableImage(w, h);
        image.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), px, 0, w);
        return image;
    }

    /** The matrix as an export shows it (entries, pass strip, labels), at {@code scale}, or null when none is drawn. */
    WritableImage figure(double scale) {
        return renderFigure(scale);
    }

    /** An entry described: which cache, position and token, the pass that wrote it, its dimension and value. */
    @Override
    protected String describe(int i, int p) {
        KvCacheData d = data.get();
        KvCacheData.Pass pass = d.passes().get(d.positionPass()[p]);
        return String.format(Locale.ROOT, "%s[layer %d, kv head %d] position %d '%s' (written by pass %s), dim %d = %.4g",
                showValues.get() ? "V" : "K", d.layer(), d.kvHead(), p, d.positionLabels().get(p), pass.label(), i,
                at(d, i, p));
    }
}
