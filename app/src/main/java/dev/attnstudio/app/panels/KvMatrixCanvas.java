package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.ColorScale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The cached keys (or values) of one layer and key/value head: one column per position, one row per dimension,
 * blue negative to red positive. A strip under the columns shows which pass wrote each position (prefill
 * vs decode), and the tokens label the columns.
 */
final class KvMatrixCanvas extends GridCanvas {

    private static final int MAX_CELL = 18;
    private static final double LEFT = 34;
    private static final double STRIP = 6;

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
    int rows() {
        return columns() == 0 ? 0 : data.get().dHead();
    }

    @Override
    int cols() {
        return columns();
    }

    private float at(KvCacheData d, int i, int p) {
        return showValues.get() ? d.value(i, p) : d.key(i, p);
    }

    @Override
    void paintCells(GraphicsContext gc, double w, double h) {
        KvCacheData d = data.get();
        placeCells(0, 0, 0, 0, 0);
        if (d == null || d.keys() == null || d.positions() == 0) {
            return;
        }
        double bottom = STRIP + 4 + 56;
        int cellW = (int) Math.max(1, Math.min(MAX_CELL, Math.floor((w - LEFT) / d.positions())));
        int cellH = (int) Math.max(1, Math.min(MAX_CELL, Math.floor((h - bottom) / d.dHead())));
        placeCells(LEFT, 0, cellW, cellH, 0);
        float limit = 0;
        float[] m = showValues.get() ? d.values() : d.keys();
        for (float v : m) {
            limit = Math.max(limit, Math.abs(v));
        }
        int iw = d.positions() * cellW;
        int ih = d.dHead() * cellH;
        int[] px = new int[iw * ih];
        for (int i = 0; i < d.dHead(); i++) {
            for (int p = 0; p < d.positions(); p++) {
                int c = colour(at(d, i, p), limit);
                for (int y = i * cellH; y < (i + 1) * cellH; y++) {
                    java.util.Arrays.fill(px, y * iw + p * cellW, y * iw + (p + 1) * cellW, c);
                }
            }
        }
        WritableImage image = new WritableImage(iw, ih);
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), px, 0, iw);
        gc.setImageSmoothing(false);
        gc.drawImage(image, LEFT, 0);

        gc.setFont(font);
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.TOP);
        gc.fillText("dim 0", LEFT - 3, 0);
        gc.setTextBaseline(VPos.BOTTOM);
        gc.fillText(String.valueOf(d.dHead() - 1), LEFT - 3, ih);
        // which pass wrote each position: prefill in the special colour, later passes in the accent
        for (int p = 0; p < d.positions(); p++) {
            int pass = d.positionPass()[p];
            gc.setFill(pass == 0 ? colours().special() : colours().accent());
            gc.fillRect(LEFT + p * cellW, ih + 3, Math.max(1, cellW - 1), STRIP);
        }
        if (cellW >= 9) {
            gc.setFill(colours().text());
            gc.setTextAlign(TextAlignment.RIGHT);
            gc.setTextBaseline(VPos.CENTER);
            for (int p = 0; p < d.positions(); p++) {
                gc.save();
                gc.translate(LEFT + (p + 0.5) * cellW, ih + STRIP + 6);
                gc.rotate(-90);
                gc.fillText(d.positionLabels().get(p), 0, 0);
                gc.restore();
            }
        }
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setTextBaseline(VPos.TOP);
        gc.fillText(showValues.get() ? "values" : "keys", LEFT + iw + 6, 0);
        gc.fillText(String.format(Locale.ROOT, "|max| %.3g", limit), LEFT + iw + 6, 14);
    }

    /** An entry described: which cache, position and token, the pass that wrote it, its dimension and value. */
    @Override
    String describe(int i, int p) {
        KvCacheData d = data.get();
        KvCacheData.Pass pass = d.passes().get(d.positionPass()[p]);
        return String.format(Locale.ROOT, "%s[layer %d, kv head %d] position %d '%s' (written by pass %s), dim %d = %.4g",
                showValues.get() ? "V" : "K", d.layer(), d.kvHead(), p, d.positionLabels().get(p), pass.label(), i,
                at(d, i, p));
    }
}
