package dev.attnstudio.samples.train;

import java.util.List;
import java.util.Locale;

/**
 * A small SVG heat map of attention weights: one or more panels side by side, each a [query][key] matrix of values in
 * [0, 1] drawn white (0) to dark blue (1), with the tokens as row and column labels. Enough to show an alignment on a
 * model card; no dependency.
 */
final class Heatmap {

    /**
     * One matrix.
     *
     * @param title   above the panel
     * @param weights [row][column], each in [0, 1]
     */
    record Panel(String title, float[][] weights) {
    }

    private static final int CELL = 22;
    private static final int LABEL = 44;
    private static final int TOP = 58;
    private static final int GAP = 30;

    private Heatmap() {
    }

    /**
     * @param title     the figure's title
     * @param rowLabels one per row (queries), shared by the panels
     * @param colLabels one per column (keys), shared by the panels
     * @param rowAxis   what the rows are
     * @param colAxis   what the columns are
     */
    static String svg(String title, List<String> rowLabels, List<String> colLabels, String rowAxis, String colAxis,
                      List<Panel> panels) {
        int rows = rowLabels.size();
        int cols = colLabels.size();
        int panelWidth = LABEL + cols * CELL;
        int width = panels.size() * panelWidth + (panels.size() - 1) * GAP + 20;
        int height = TOP + rows * CELL + 40;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            if (panel.weights().length != rows || panel.weights()[0].length != cols) {
                throw new IllegalArgumentException("panel '" + panel.title() + "' is not " + rows + " x " + cols);
            }
            int x0 = 10 + p * (panelWidth + GAP) + LABEL;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"36\" font-weight=\"bold\">%s</text>%n", x0,
                    escape(panel.title())));
            for (int c = 0; c < cols; c++) {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        x0 + c * CELL + CELL / 2, TOP - 6, escape(colLabels.get(c))));
            }
            for (int r = 0; r < rows; r++) {
                int y = TOP + r * CELL;
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", x0 - 4,
                        y + CELL / 2 + 4, escape(rowLabels.get(r))));
                for (int c = 0; c < cols; c++) {
                    float w = Math.max(0, Math.min(1, panel.weights()[r][c]));
                    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                            + "fill=\"%s\" stroke=\"#ddd\"><title>%.3f</title></rect>%n", x0 + c * CELL, y, CELL, CELL,
                            colour(w), panel.weights()[r][c]));
                }
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#555\">rows: %s; columns: %s</text>%n",
                TOP + rows * CELL + 24, escape(rowAxis), escape(colAxis)));
        return s.append("</svg>\n").toString();
    }

    /** White at 0 to #08306B (dark blue) at 1, linearly. */
    private static String colour(float w) {
        int r = Math.round(255 + (8 - 255) * w);
        int g = Math.round(255 + (48 - 255) * w);
        int b = Math.round(255 + (107 - 255) * w);
        return String.format(Locale.ROOT, "#%02X%02X%02X", r, g, b);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
