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
 * The token labels on a map's axes: measured once per matrix, given at most a seventh of the map's area as margin
 * (long tokens are shortened with an ellipsis to fit it, the hover reads them whole), drawn for the visible cells,
 * every k-th where the cells are smaller than a line of text ({@link AxisLabels}), column labels rotated.
 */
final class MapLabels {

    /** Gap between the labels and the cells, in points. */
    static final double GAP = 5;
    private static final int MAX_CHARS = 12;
    /** Share of the map's area (its shorter side) the label margins may take. */
    private static final double MAX_SHARE = 0.14;
    /** A margin always holds this many characters. */
    private static final int MIN_CHARS = 3;

    private final Font font = Font.font("Monospaced", 11);
    private final double charWidth = textWidth("M", font);
    private final double lineHeight = AxisLabels.lineHeight(font);
    private double rowWidth;
    private double colWidth;
    private int rowChars = MAX_CHARS;
    private int colChars = MAX_CHARS;

    /** Measures the widest row and column label of {@code m} (none when null). */
    void measure(AttentionMatrix m) {
        rowWidth = m == null ? 0 : widest(m.rowLabels());
        colWidth = m == null ? 0 : widest(m.colLabels());
    }

    /**
     * Caps the margins for an area of {@code w x h} points: at most {@link #MAX_SHARE} of its shorter side, at least
     * {@link #MIN_CHARS} characters; labels are shortened to fit. Returns {marginX, marginY}.
     */
    double[] margins(double w, double h) {
        double cap = Math.max(MIN_CHARS * charWidth, MAX_SHARE * Math.min(w, h));
        double mx = Math.min(rowWidth, cap);
        double my = Math.min(colWidth, cap);
        rowChars = Math.max(1, (int) Math.floor(mx / charWidth + 1e-6));
        colChars = Math.max(1, (int) Math.floor(my / charWidth + 1e-6));
        return new double[] {Math.ceil(mx) + GAP + 2, Math.ceil(my) + GAP + 2}; // 2: text set larger for export runs wider
    }

    /** Positions between two labels on either axis of a drawing (cells are square): 1 = every position. */
    int stride(MapLayout l) {
        return AxisLabels.stride(l.cell(), lineHeight, l.factor());
    }

    /** Labels every k-th row and column of the frame (k = {@link #stride}), each at the centre of its cell or block. */
    void draw(GraphicsContext gc, AttentionMatrix m, MapLayout l, Color text) {
        int k = stride(l);
        var g = l.g();
        gc.setFont(font);
        gc.setFill(text);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int r = firstLabelled(l.row0(), k); r < l.row0() + l.rows(); r += k) {
            double y = g.yOf(r + Math.min(l.factor(), m.rows() - r) / 2.0);
            if (y >= g.y() && y <= g.y() + g.frameH()) {
                gc.fillText(shorten(m.rowLabels().get(r), rowChars), g.x() - GAP, y);
            }
        }
        gc.setTextAlign(TextAlignment.LEFT);
        for (int c = firstLabelled(l.col0(), k); c < l.col0() + l.cols(); c += k) {
            double x = g.xOf(c + Math.min(l.factor(), m.cols() - c) / 2.0);
            if (x >= g.x() && x <= g.x() + g.frameW()) {
                gc.save();
                gc.translate(x, g.y() - GAP);
                gc.rotate(-90);
                gc.fillText(shorten(m.colLabels().get(c), colChars), 0, 0);
                gc.restore();
            }
        }
    }

    /** A token as a label: at most {@value #MAX_CHARS} characters, the last an ellipsis when cut. */
    static String shorten(String label) {
        return shorten(label, MAX_CHARS);
    }

    /** A token in at most {@code chars} characters, the last an ellipsis when cut. */
    static String shorten(String label, int chars) {
        int n = Math.max(1, Math.min(chars, MAX_CHARS));
        return label.length() <= n ? label : label.substring(0, n - 1) + "\u2026";
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
        int longest = 0;
        for (String s : labels) {
            longest = Math.max(longest, Math.min(MAX_CHARS, s.length()));
        }
        return Math.ceil(longest * charWidth); // a monospaced font: width follows the characters
    }
}
