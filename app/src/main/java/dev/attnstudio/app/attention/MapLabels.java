package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AxisLabels;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.List;

/**
 * The token labels on a map's axes: measured once per matrix (so the map knows its margins), drawn every k-th
 * where the cells are smaller than a line of text, column labels rotated; long tokens shortened with an ellipsis.
 */
final class MapLabels {

    /** Gap between the labels and the cells, in pixels. */
    static final double GAP = 5;
    private static final int MAX_CHARS = 12;

    private final Font font = Font.font("Monospaced", 11);
    private double rowWidth;
    private double colWidth;

    /** Measures the widest row and column label of {@code m} (none when null). */
    void measure(AttentionMatrix m) {
        rowWidth = m == null ? 0 : widest(m.rowLabels());
        colWidth = m == null ? 0 : widest(m.colLabels());
    }

    /** Room the row labels take left of the cells. */
    double marginX() {
        return rowWidth + GAP;
    }

    /** Room the rotated column labels take above the cells. */
    double marginY() {
        return colWidth + GAP;
    }

    /** Positions between two labels on either axis of a drawing (cells are square): 1 = every position. */
    int stride(MapLayout l) {
        return AxisLabels.stride(l.cell() / (double) l.factor(), AxisLabels.lineHeight(font), l.factor());
    }

    /** Labels every k-th row and column (k = {@link #stride}), each at the centre of its cell or block. */
    void draw(GraphicsContext gc, AttentionMatrix m, MapLayout l, Color text) {
        int k = stride(l);
        gc.setFont(font);
        gc.setFill(text);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int r = firstLabelled(l.row0(), k); r < l.row0() + l.rows(); r += k) {
            gc.fillText(shorten(m.rowLabels().get(r)), l.originX() - GAP, l.originY() + ((r - l.row0()) / l.factor() + 0.5) * l.cell());
        }
        gc.setTextAlign(TextAlignment.LEFT);
        for (int c = firstLabelled(l.col0(), k); c < l.col0() + l.cols(); c += k) {
            gc.save();
            gc.translate(l.originX() + ((c - l.col0()) / l.factor() + 0.5) * l.cell(), l.originY() - GAP);
            gc.rotate(-90);
            gc.fillText(shorten(m.colLabels().get(c)), 0, 0);
            gc.restore();
        }
    }

    /** A token as a label: at most {@value #MAX_CHARS} characters, the last an ellipsis when cut. */
    static String shorten(String label) {
        return label.length() <= MAX_CHARS ? label : label.substring(0, MAX_CHARS - 1) + "\u2026";
    }

    static double textWidth(String s, Font font) {
        Text probe = new Text(s);
        probe.setFont(font);
        return probe.getLayoutBounds().getWidth();
    }

    /** The first multiple of k at or after the window's first position (labels stay put while panning). */
    private static int firstLabelled(int first, int k) {
        return (first + k - 1) / k * k;
    }

    private double widest(List<String> labels) {
        if (labels.size() > 512) {
            return textWidth("M".repeat(MAX_CHARS), font); // too many to label anyway at 1 px rows
        }
        double widest = 0;
        for (String s : labels) {
            widest = Math.max(widest, textWidth(shorten(s), font));
        }
        return Math.ceil(widest);
    }
}
