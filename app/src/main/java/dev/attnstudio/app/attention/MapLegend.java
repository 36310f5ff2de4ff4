package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorBar;
import dev.attnstudio.app.heatmap.AxisLabels;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The legend under a map: the colour bar between its end values and the scale's name, then the notes a reader
 * needs: pooling, the visible window of a zoomed map, thinned labels, hatched -inf cells and NaN cells.
 */
final class MapLegend {

    /** Height the legend takes under the map. */
    static final double HEIGHT = 46;
    private static final double BAR = 140;

    private final Font font = Font.font(11);

    /**
     * @param pooling     the pooling statement ({@link AttentionMapView#poolingText()})
     * @param labelStride positions between two axis labels (1 = every one)
     * @param y           top of the legend
     */
    void draw(GraphicsContext gc, AttentionMatrix m, MapLayout l, CellColors colors, CanvasRegion.ThemeColours palette,
              String pooling, int labelStride, double w, double y) {
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setFill(palette.muted());
        String low = colors.lowLabel();
        double x = 0;
        double bar = Math.min(BAR, Math.max(40, w * 0.35));
        gc.fillText(low, x, y + 5);
        x += MapLabels.textWidth(low, font) + 4;
        ColorBar.draw(gc, x, y, bar, colors::legendArgb, palette.border());
        x += bar + 4;
        gc.setFill(palette.muted());
        String high = colors.highLabel() + "  " + colors.scaleName();
        gc.fillText(high, x, y + 5, Math.max(10, w - x));
        List<String> parts = notes(m, l, pooling, labelStride);
        double ty = y + 20;
        StringBuilder line = new StringBuilder();
        for (String p : parts) {
            String next = line.length() == 0 ? p : line + "  \u00b7  " + p;
            if (line.length() > 0 && MapLabels.textWidth(next, font) > w) {
                gc.fillText(line.toString(), 0, ty, w);
                ty += 13;
                line = new StringBuilder(p);
            } else {
                line = new StringBuilder(next);
            }
        }
        gc.fillText(line.toString(), 0, ty, w);
    }

    private static List<String> notes(AttentionMatrix m, MapLayout l, String pooling, int labelStride) {
        List<String> parts = new ArrayList<>();
        parts.add(pooling);
        if (l.rows() < m.rows() || l.cols() < m.cols()) {
            parts.add(String.format(Locale.ROOT, "queries %d\u2013%d of %d, keys %d\u2013%d of %d",
                    l.row0(), l.row0() + l.rows() - 1, m.rows(), l.col0(), l.col0() + l.cols() - 1, m.cols()));
        } else if (!l.labels()) {
            parts.add(m.rows() + " queries \u00d7 " + m.cols() + " keys");
        }
        if (l.labels() && labelStride > 1) {
            parts.add("labels: " + AxisLabels.describe(labelStride) + " (hover for the rest)");
        }
        if (m.range().masked() > 0) {
            parts.add("\u25a8 hatched = \u2212inf (masked)");
        }
        if (m.range().nan() > 0) {
            parts.add("magenta = NaN/+inf");
        }
        return parts;
    }
}
