package dev.attnstudio.app.lens;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.heatmap.MapViewport;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The logit lens grid: a row per residual stage (layer by layer, pre / mid / post), a column per position; each cell
 * holds the lens' top token, its probability as the colour (light: unsure, dark: sure), and at the right a strip of
 * each stage's mean KL to the final distribution (how far that stage still is from the model's answer). Cells fill the
 * canvas; the selected cell is the grid's cell cursor (click, or the arrow keys), whose top tokens the view lists, and
 * the grid zooms and pans like every map ({@link GridCanvas}).
 */
final class LensGrid extends GridCanvas {

    private static final double TOP = 22;
    private static final double STRIP = 64;
    private static final double GAP = 10;

    final ObjectProperty<LensData> data = new SimpleObjectProperty<>(this, "data");

    private final Font font = Font.font(11);

    LensGrid() {
        super("Hover a cell for the lens' top token; click one or move with the arrow keys for its top tokens");
        setMinSize(160, 100);
        watchData(data);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 600;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 320;
    }

    private static boolean empty(LensData d) {
        return d == null || d.stages().isEmpty() || d.positions().isEmpty();
    }

    @Override
    public int rows() {
        LensData d = data.get();
        return empty(d) ? 0 : d.stages().size();
    }

    @Override
    public int cols() {
        LensData d = data.get();
        return empty(d) ? 0 : d.positions().size();
    }

    /** "L1 mid, position 2 'cat': top 'the' 0.412". */
    @Override
    protected String describe(int stage, int position) {
        LensData d = data.get();
        return String.format(Locale.ROOT, "%s, position %d '%s': top '%s' %.3f", d.stageLabel(stage), position,
                d.positions().get(position), d.topText(stage, position), d.topProb(stage, position));
    }

    @Override
    protected void paintCells(GraphicsContext gc, double w, double h) {
        LensData d = data.get();
        if (empty(d)) {
            return;
        }
        Text probe = new Text();
        probe.setFont(font);
        double widest = 0;
        for (int s = 0; s < d.stages().size(); s++) {
            probe.setText(d.stageLabel(s));
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        double left = Math.ceil(widest) + 12; // as wide as the longest stage label ("L11 mid_cross") plus a gap
        if (w <= left + STRIP + GAP + 10 || h <= TOP + 10) {
            return;
        }
        int stages = d.stages().size();
        int positions = d.positions().size();
        MapViewport.Geometry g = place(left, TOP, Math.min(140, (w - left - STRIP - GAP - 4) / positions),
                Math.min(56, (h - TOP - 4) / stages), 1);
        double cw = g.cellW();
        double ch = g.cellH();
        double sx = g.x() + g.frameW() + GAP;
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        gc.save();
        gc.beginPath();
        gc.rect(g.x(), g.y(), sx + STRIP - g.x(), g.frameH());
        gc.clip();
        int every = Math.max(1, (int) Math.ceil(12 / ch));
        for (int s = g.firstRow(); s < g.endRow(); s++) {
            double y = g.yOf(s);
            for (int p = g.firstCol(); p < g.endCol(); p++) {
                double x = g.xOf(p);
                int argb = ColorScale.sequential(Math.max(0, Math.min(1, d.topProb(s, p))));
                gc.setFill(ColorScale.color(argb));
                gc.fillRect(x, y, cw - 1, ch - 1);
                if (cw >= 18 && ch >= 12) {
                    gc.setFill(ColorScale.dark(argb) ? Color.WHITE : Color.web("#1f2328"));
                    gc.setTextAlign(TextAlignment.CENTER);
                    String text = d.topText(s, p);
                    Font f = cellFont(text, cw - 3);
                    gc.setFont(f);
                    gc.fillText(fit(text, cw - 3, f), x + cw / 2, y + ch / 2);
                    gc.setFont(font);
                }
            }
            double kl = d.stages().get(s).meanKl();
            double t = Double.isFinite(kl) ? Math.min(1, kl / d.maxMeanKl()) : 1;
            gc.setFill(Color.web("#f6e7d2").interpolate(Color.web("#c2410c"), t));
            gc.fillRect(sx, y, STRIP, ch - 1);
            if (ch >= 12) {
                gc.setFill(t > 0.55 ? Color.WHITE : Color.web("#1f2328"));
                gc.setTextAlign(TextAlignment.CENTER);
                gc.fillText(Double.isFinite(kl) ? String.format(Locale.ROOT, "%.3f", kl) : "NaN", sx + STRIP / 2, y + ch / 2);
            }
        }
        gc.restore();
        gc.setFont(font);
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.CENTER);
        for (int s = g.firstRow(); s < g.endRow(); s++) {
            double y = g.yOf(s + 0.5);
            if (s % every == 0 && y >= g.y() && y <= g.y() + g.frameH()) {
                gc.fillText(d.stageLabel(s), left - 6, y);
            }
        }
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.BOTTOM);
        int pe = Math.max(1, (int) Math.ceil(30 / cw));
        for (int p = g.firstCol(); p < g.endCol(); p++) {
            double x = g.xOf(p + 0.5);
            if (p % pe == 0 && x >= g.x() && x <= g.x() + g.frameW()) {
                gc.fillText(fit(d.positions().get(p), cw * pe - 4, font), x, TOP - 4);
            }
        }
        gc.fillText("mean KL", sx + STRIP / 2, TOP - 4);
        setContent(new Rectangle2D(0, 0, Math.ceil(sx + STRIP) + 1, Math.ceil(g.y() + g.frameH()) + 1));
    }

    /** The font a cell's text is drawn in: the grid's, or smaller (down to 8 points) for a text that would not fit. */
    private Font cellFont(String s, double width) {
        Text probe = new Text(s);
        for (double size = 11; size >= 8; size--) {
            probe.setFont(Font.font(size));
            if (probe.getLayoutBounds().getWidth() <= width) {
                return probe.getFont();
            }
        }
        return Font.font(8);
    }

    /** The text cut (with an ellipsis) to fit {@code width} points in the font. */
    private static String fit(String s, double width, Font f) {
        Text probe = new Text(s);
        probe.setFont(f);
        if (probe.getLayoutBounds().getWidth() <= width) {
            return s;
        }
        for (int n = s.length() - 1; n > 0; n--) {
            probe.setText(s.substring(0, n) + "\u2026");
            if (probe.getLayoutBounds().getWidth() <= width) {
                return probe.getText();
            }
        }
        return "";
    }
}
