package dev.attnstudio.samples.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SVG line chart: one or more panels stacked vertically, each with its own y axis (linear or log), a shared
 * x axis (training steps), and a legend. Enough for a model card's loss curve; no dependency.
 */
final class Figure {

    /** One line. */
    record Series(String label, String colour, double[] x, double[] y, boolean dashed) {
    }

    /** One panel: a title, its y range, and its lines. */
    record Panel(String title, double yMin, double yMax, boolean logY, List<Series> series) {
    }

    private static final int WIDTH = 640;
    private static final int PANEL_HEIGHT = 220;
    private static final int LEFT = 60;
    private static final int RIGHT = 150;
    private static final int TOP = 30;
    private static final int BOTTOM = 30;

    /** Colours that stay apart for the colour-blind (Okabe-Ito). */
    static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
            "#F0E442"};

    private final String title;
    private final double xMax;
    private final List<Panel> panels = new ArrayList<>();

    Figure(String title, double xMax) {
        this.title = title;
        this.xMax = xMax;
    }

    Figure add(Panel panel) {
        panels.add(panel);
        return this;
    }

    String svg() {
        int height = TOP + panels.size() * (PANEL_HEIGHT + BOTTOM) + 10;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height, WIDTH, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                LEFT, escape(title)));
        int top = TOP;
        for (Panel p : panels) {
            panel(s, p, top);
            top += PANEL_HEIGHT + BOTTOM;
        }
        return s.append("</svg>\n").toString();
    }

    private void panel(StringBuilder s, Panel p, int top) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = PANEL_HEIGHT - 30;
        int y0 = top + 20;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", LEFT, top + 12,
                escape(p.title())));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#888\"/>%n", LEFT, y0, plotW, plotH));
        // y ticks
        List<Double> ticks = p.logY() ? logTicks(p.yMin(), p.yMax()) : linearTicks(p.yMin(), p.yMax());
        for (double v : ticks) {
            double py = y(p, v, y0, plotH);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, py, LEFT + plotW, py));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 4, py + 4, label(v)));
        }
        // x ticks
        for (double v : linearTicks(0, xMax)) {
            double px = LEFT + v / xMax * plotW;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    px, y0, px, y0 + plotH));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, y0 + plotH + 14, label(v)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">step</text>%n",
                LEFT + plotW, y0 + plotH + 26));
        int legend = 0;
        for (Series line : p.series()) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < line.x().length; i++) {
                double v = line.y()[i];
                if (!Double.isFinite(v) || (p.logY() && v <= 0)) {
                    continue;
                }
                v = Math.max(p.yMin(), Math.min(p.yMax(), v));
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + line.x()[i] / xMax * plotW,
                        y(p, v, y0, plotH)));
            }
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s "
                    + "points=\"%s\"/>%n", line.colour(), line.dashed() ? " stroke-dasharray=\"4 3\"" : "",
                    points.toString().trim()));
            int ly = y0 + 10 + 15 * legend++;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/>%n", LEFT + plotW + 10, ly - 4, LEFT + plotW + 28, ly - 4, line.colour(),
                    line.dashed() ? " stroke-dasharray=\"4 3\"" : ""));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + plotW + 32, ly,
                    escape(line.label())));
        }
    }

    private static double y(Panel p, double v, int y0, int plotH) {
        double f = p.logY() ? (Math.log10(v) - Math.log10(p.yMin())) / (Math.log10(p.yMax()) - Math.log10(p.yMin()))
                : (v - p.yMin()) / (p.yMax() - p.yMin());
        return y0 + plotH - f * plotH;
    }

    private static List<Double> linearTicks(double min, double max) {
        double raw = (max - min) / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
        if (raw / mag < 1.5) {
            step = mag;
        }
        List<Double> ticks = new ArrayList<>();
        for (double v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) {
            ticks.add(Math.abs(v) < 1e-12 ? 0 : v);
        }
        return ticks;
    }

    private static List<Double> logTicks(double min, double max) {
        List<Double> ticks = new ArrayList<>();
        for (double v = Math.pow(10, Math.ceil(Math.log10(min))); v <= max * 1.0001; v *= 10) {
            ticks.add(v);
        }
        return ticks;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.valueOf((long) v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
