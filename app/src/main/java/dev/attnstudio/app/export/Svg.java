package dev.attnstudio.app.export;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * SVG documents for export. A heatmap becomes a true vector drawing: one {@code rect} per cell (class
 * {@code cell}), token labels as text, a colour legend and the caption as text. Maps larger than
 * {@value #MAX_SIDE} cells a side are max-pooled first ({@link Pooling}, {@link Pooling.Rule#MAX}, said on the
 * drawing), so a file stays openable. Any other panel becomes its PNG snapshot embedded as an image, with the
 * caption as vector text under it: panels made of controls have no vector form worth the name.
 */
public final class Svg {

    /** Largest number of cells a side drawn as rects; beyond it cells are max-pooled. */
    public static final int MAX_SIDE = 256;
    private static final double MAP_SIZE = 640;
    private static final double LABEL_FONT = 11;
    private static final double CHAR_WIDTH = 6.7;
    private static final int MAX_LABEL_CHARS = 12;
    private static final double PAD = 12;
    private static final double LINE = 16;
    private static final double LEGEND_WIDTH = 14;
    private static final int LEGEND_STOPS = 17;

    private Svg() {
    }

    /** A heatmap as vector SVG: cells, labels, legend, caption. */
    public static String heatmap(Heatmap map, Caption caption) {
        // one factor for both axes keeps the cells square
        int factor = Math.max(Pooling.factor(map.rows(), MAX_SIDE), Pooling.factor(map.cols(), MAX_SIDE));
        int rows = Pooling.blocks(map.rows(), factor);
        int cols = Pooling.blocks(map.cols(), factor);
        float[] cells = Pooling.pool(map.values(), map.rows(), map.cols(), factor, Pooling.Rule.MAX);
        double cell = Math.max(1, Math.min(32, Math.floor(MAP_SIZE / Math.max(rows, cols))));
        boolean labels = factor == 1 && cell >= 9;
        double left = PAD + (labels ? labelWidth(map.rowLabels()) + 6 : 0);
        double top = PAD + LINE + 4 + (labels ? labelWidth(map.colLabels()) + 6 : 0);
        double mapW = cols * cell;
        double mapH = rows * cell;
        double legendX = left + mapW + 24;
        double legendH = Math.max(120, Math.min(mapH, 320));
        List<String> lines = captionLines(map, caption, factor);
        double width = Math.max(legendX + LEGEND_WIDTH + 70, PAD * 2 + 7.2 * longest(lines));
        double captionTop = top + Math.max(mapH, legendH + 40) + PAD + LINE;
        double height = captionTop + lines.size() * LINE + PAD;

        StringBuilder s = new StringBuilder(64 + rows * cols * 72);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                + "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"%.0f\">\n",
                width, height, width, height, LABEL_FONT));
        s.append("<title>").append(escape(map.name() + " head " + map.head())).append("</title>\n");
        s.append("<defs>\n");
        s.append("<pattern id=\"masked\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                + "<rect width=\"6\" height=\"6\" fill=\"#d9d9d9\"/><rect width=\"2\" height=\"6\" fill=\"#9a9a9a\"/></pattern>\n");
        s.append("<linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int i = 0; i < LEGEND_STOPS; i++) {
            double t = i / (double) (LEGEND_STOPS - 1);
            float v = (float) (map.low() + t * (map.high() - map.low()));
            s.append(String.format(Locale.ROOT, "<stop offset=\"%.4f\" stop-color=\"%s\"/>", t, hex(ColorScale.argb(map, v))));
        }
        s.append("</linearGradient>\n</defs>\n");
        s.append(String.format(Locale.ROOT, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
                PAD, PAD + 12, escape(map.name() + "  \u00b7  head " + map.head() + " of " + map.heads()
                        + "  \u00b7  " + map.rows() + " x " + map.cols())));

        if (labels) {
            s.append("<g class=\"row-labels\" text-anchor=\"end\" font-family=\"DejaVu Sans Mono, monospace\">\n");
            for (int r = 0; r < rows; r++) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"central\">%s</text>\n",
                        left - 6, top + (r + 0.5) * cell, escape(shorten(map.rowLabels().get(r)))));
            }
            s.append("</g>\n<g class=\"col-labels\" font-family=\"DejaVu Sans Mono, monospace\">\n");
            for (int c = 0; c < cols; c++) {
                double x = left + (c + 0.5) * cell;
                s.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
                        + "dominant-baseline=\"central\">%s</text>\n", x, top - 6, escape(shorten(map.colLabels().get(c)))));
            }
            s.append("</g>\n");
        }

        s.append("<g class=\"cells\" shape-rendering=\"crispEdges\">\n");
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float x = cells[r * cols + c];
                String fill = x == Float.NEGATIVE_INFINITY ? "url(#masked)" : hex(ColorScale.argb(map, x));
                s.append(String.format(Locale.ROOT, "<rect class=\"cell\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>\n",
                        num(left + c * cell), num(top + r * cell), num(cell), num(cell), fill));
            }
        }
        s.append("</g>\n");

        s.append("<g class=\"legend\">\n");
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"url(#scale)\" stroke=\"#888888\"/>\n",
                legendX, top, LEGEND_WIDTH, legendH));
        String[] ticks = {fmt(map.high()), fmt((map.low() + map.high()) / 2), fmt(map.low())};
        for (int i = 0; i < ticks.length; i++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"central\">%s</text>\n",
                    legendX + LEGEND_WIDTH + 4, top + i * legendH / 2, escape(ticks[i])));
        }
        if (map.masked() > 0) {
            double y = top + legendH + 16;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"url(#masked)\" stroke=\"#888888\"/>\n",
                    legendX, y, LEGEND_WIDTH, LEGEND_WIDTH));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"central\">masked</text>\n",
                    legendX + LEGEND_WIDTH + 4, y + LEGEND_WIDTH / 2));
        }
        s.append("</g>\n");
        appendCaption(s, lines, captionTop, "#1f2328");
        return s.append("</svg>\n").toString();
    }

    /**
     * A panel as SVG: its snapshot embedded as a PNG image ({@code width x height} layout units, pixels at the
     * snapshot's scale, so it stays sharp when zoomed that far) and the caption as vector text.
     */
    public static String panel(Picture.Pixels body, double width, double height, Caption caption, Paint background) {
        List<String> lines = caption == null ? List.of() : caption.lines();
        double captionTop = height + PAD + LINE - 4;
        double total = height + (lines.isEmpty() ? 0 : lines.size() * LINE + PAD * 2);
        String png = Base64.getEncoder().encodeToString(png(body));
        StringBuilder s = new StringBuilder(png.length() + 2048);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                + "xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" "
                + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
                num(width), num(total), num(width), num(total)));
        int bg = background instanceof Color c ? argb(c) : 0xffffffff;
        String fill = hex(bg);
        s.append(String.format(Locale.ROOT, "<rect width=\"%s\" height=\"%s\" fill=\"%s\"/>\n", num(width), num(total), fill));
        s.append(String.format(Locale.ROOT, "<image x=\"0\" y=\"0\" width=\"%s\" height=\"%s\" preserveAspectRatio=\"none\" "
                + "xlink:href=\"data:image/png;base64,", num(width), num(height)));
        s.append(png).append("\"/>\n");
        appendCaption(s, lines, captionTop, ColorScale.dark(bg) ? "#e8eaed" : "#1f2328");
        return s.append("</svg>\n").toString();
    }

    private static void appendCaption(StringBuilder s, List<String> lines, double top, String colour) {
        if (lines.isEmpty()) {
            return;
        }
        s.append("<g class=\"caption\" fill=\"").append(colour).append("\" font-size=\"12\">\n");
        for (int i = 0; i < lines.size(); i++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\"%s>%s</text>\n", PAD, top + i * LINE,
                    i == 0 ? " font-weight=\"bold\"" : "", escape(lines.get(i))));
        }
        s.append("</g>\n");
    }

    private static List<String> captionLines(Heatmap map, Caption caption, int factor) {
        Caption c = caption == null ? Caption.of("", "") : caption;
        if (c.colourScale().isEmpty()) {
            c = c.withColourScale(Caption.describe(map));
        }
        List<String> lines = new ArrayList<>(c.lines());
        if (factor > 1) {
            lines.add(String.format(Locale.ROOT, "downsampled: each cell is the maximum of %d x %d cells (max pooling)",
                    factor, factor));
        }
        return lines;
    }

    static byte[] png(Picture.Pixels p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PngEncoder.write(out, p.width(), p.height(), p.argb());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static int longest(List<String> lines) {
        return lines.stream().mapToInt(String::length).max().orElse(0);
    }

    private static double labelWidth(List<String> labels) {
        return labels.stream().mapToInt(l -> shorten(l).length()).max().orElse(0) * CHAR_WIDTH;
    }

    private static String shorten(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label : label.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static int argb(Color c) {
        return 0xff000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                | (int) Math.round(c.getBlue() * 255);
    }

    static String hex(int argb) {
        return String.format(Locale.ROOT, "#%06x", argb & 0xffffff);
    }

    /** Escapes text for XML content and attributes; drops characters XML 1.0 cannot hold. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF || cp >= 0xE000 && cp <= 0xFFFD
                            || cp >= 0x10000) {
                        b.appendCodePoint(cp);
                    } else {
                        b.append('\ufffd');
                    }
                }
            }
        });
        return b.toString();
    }
}
