package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AxisLabels;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorBar;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The legend of a map, beside it or under it: the colour bar between its end values and the scale's name, then the
 * notes a reader needs: pooling, the visible window of a zoomed map, thinned labels, hatched -inf cells and NaN cells,
 * wrapped to the legend's width.
 */
final class MapLegend {

    /** Height the legend takes under the map. */
    static final double HEIGHT = 46;
    private static final double BAR = 140;
    private static final double LINE = 13;

    private final Font font = Font.font(11);

    /**
     * Draws the legend in {@code area}: the colour bar of {@code colors}, then the notes, and returns how far it
     * reached: {width, height} from the area's top-left.
     */
    double[] draw(GraphicsContext gc, CellColors colors, List<String> notes, CanvasRegion.ThemeColours palette,
                  javafx.geometry.Rectangle2D area) {
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setFill(palette.muted());
        double w = area.getWidth();
        double x0 = area.getMinX();
        double y = area.getMinY();
        String low = colors.lowLabel();
        String high = colors.highLabel();
        String scale = colors.scaleName();
        double lowW = MapLabels.textWidth(low, font);
        double highW = MapLabels.textWidth(high, font);
        boolean oneLine = lowW + highW + MapLabels.textWidth(scale, font) + 60 + 16 <= w;
        double bar = Math.max(30, Math.min(BAR, w - lowW - highW - 8 - (oneLine ? MapLabels.textWidth(scale, font) + 8 : 0)));
        gc.fillText(low, x0, y + 5);
        double x = x0 + lowW + 4;
        ColorBar.draw(gc, x, y, bar, colors::legendArgb, palette.border());
        x += bar + 4;
        gc.setFill(palette.muted());
        gc.fillText(oneLine ? high + "  " + scale : high, x, y + 5);
        double reach = x - x0 + MapLabels.textWidth(oneLine ? high + "  " + scale : high, font);
        double ty = y + 20;
        List<String> lines = new ArrayList<>();
        if (!oneLine) {
            lines.add(scale);
        }
        lines.addAll(wrap(notes, w));
        for (String line : lines) {
            gc.fillText(line, x0, ty, w);
            reach = Math.max(reach, Math.min(w, MapLabels.textWidth(line, font)));
            ty += LINE;
        }
        return new double[] {Math.ceil(reach), Math.ceil(ty - LINE / 2 - area.getMinY())};
    }

    /** The notes joined with " · " into lines no wider than {@code w}; a note too long for a line breaks between words. */
    private List<String> wrap(List<String> parts, double w) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String p : parts) {
            String next = line.length() == 0 ? p : line + "  \u00b7  " + p;
            if (MapLabels.textWidth(next, font) <= w) {
                line = new StringBuilder(next);
                continue;
            }
            if (line.length() > 0) {
                lines.add(line.toString());
                line = new StringBuilder();
            }
            for (String word : p.split(" ")) {
                String longer = line.length() == 0 ? word : line + " " + word;
                if (line.length() > 0 && MapLabels.textWidth(longer, font) > w) {
                    lines.add(line.toString());
                    line = new StringBuilder(word);
                } else {
                    line = new StringBuilder(longer);
                }
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /**
     * The notes of one map's drawing.
     *
     * @param pooling     the pooling statement ({@link AttentionMapView#poolingText()})
     * @param labelStride positions between two axis labels (1 = every one)
     */
    static List<String> notes(AttentionMatrix m, MapLayout l, String pooling, int labelStride) {
        List<String> parts = new ArrayList<>();
        parts.add(pooling);
        if (l.g().zoomed()) {
            int r1 = Math.min(m.rows(), l.g().endRow()) - 1;
            int c1 = Math.min(m.cols(), l.g().endCol()) - 1;
            parts.add(String.format(Locale.ROOT, "queries %d\u2013%d of %d, keys %d\u2013%d of %d",
                    l.g().firstRow(), r1, m.rows(), l.g().firstCol(), c1, m.cols()));
        } else if (!l.labels()) {
            parts.add(m.rows() + " queries \u00d7 " + m.cols() + " keys");
        }
        if (l.labels() && labelStride > 1) {
            parts.add("labels: " + AxisLabels.describe(labelStride)); // (hovering names every cell: the readout line says so)
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
