package dev.attnstudio.app.lens;

import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorScale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The logit lens grid: a row per residual stage (layer by layer, pre / mid / post), a column per position; each cell
 * holds the lens' top token, its probability as the colour (light: unsure, dark: sure), and at the right a strip of
 * each stage's mean KL to the final distribution (how far that stage still is from the model's answer). Cells fill the
 * canvas; click or the arrow keys select a cell, whose top tokens the view lists.
 */
final class LensGrid extends CanvasRegion {

    /** A cell: a stage and a position. */
    record Cell(int stage, int position) {
    }

    /** Room for the stage labels: as wide as the longest ("L11 mid_cross") plus a gap. */
    private double left = 66;
    private static final double TOP = 22;
    private static final double STRIP = 64;
    private static final double GAP = 10;

    final ObjectProperty<LensData> data = new SimpleObjectProperty<>(this, "data");
    final ObjectProperty<Cell> selected = new SimpleObjectProperty<>(this, "selected");

    private final Font font = Font.font(11);
    private double cw;
    private double ch;

    LensGrid() {
        setFocusTraversable(true);
        setMinSize(160, 100);
        data.addListener((obs, old, now) -> {
            Cell s = selected.get();
            if (now == null || s != null && (s.stage() >= now.stages().size() || s.position() >= now.positions().size())) {
                selected.set(null);
            }
            redraw();
        });
        selected.addListener((obs, old, now) -> redraw());
        addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            requestFocus();
            Cell c = cellAt(e.getX(), e.getY());
            if (c != null) {
                selected.set(c);
            }
        });
        addEventHandler(KeyEvent.KEY_PRESSED, this::key);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 600;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 320;
    }

    private boolean empty(LensData d) {
        return d == null || d.stages().isEmpty() || d.positions().isEmpty();
    }

    Cell cellAt(double x, double y) {
        LensData d = data.get();
        if (empty(d) || cw <= 0 || x < left || y < TOP) {
            return null;
        }
        int p = (int) ((x - left) / cw);
        int s = (int) ((y - TOP) / ch);
        return s < d.stages().size() && p < d.positions().size() ? new Cell(s, p) : null;
    }

    double[] centre(int stage, int position) {
        return new double[] {left + (position + 0.5) * cw, TOP + (stage + 0.5) * ch};
    }

    private void key(KeyEvent e) {
        LensData d = data.get();
        if (empty(d)) {
            return;
        }
        Cell c = selected.get() == null ? new Cell(0, 0) : selected.get();
        int s = c.stage();
        int p = c.position();
        switch (e.getCode()) {
            case UP -> s--;
            case DOWN -> s++;
            case LEFT -> p--;
            case RIGHT -> p++;
            default -> {
                return;
            }
        }
        selected.set(new Cell(Math.max(0, Math.min(d.stages().size() - 1, s)), Math.max(0, Math.min(d.positions().size() - 1, p))));
        e.consume();
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        LensData d = data.get();
        if (!empty(d)) {
            Text probe = new Text();
            probe.setFont(font);
            double widest = 0;
            for (int s = 0; s < d.stages().size(); s++) {
                probe.setText(d.stageLabel(s));
                widest = Math.max(widest, probe.getLayoutBounds().getWidth());
            }
            left = Math.ceil(widest) + 12;
        }
        if (empty(d) || w <= left + STRIP + GAP + 10 || h <= TOP + 10) {
            cw = 0;
            return;
        }
        int stages = d.stages().size();
        int positions = d.positions().size();
        cw = Math.min(140, (w - left - STRIP - GAP - 4) / positions);
        ch = Math.min(56, (h - TOP - 4) / stages);
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        int every = Math.max(1, (int) Math.ceil(12 / ch));
        for (int s = 0; s < stages; s++) {
            double y = TOP + s * ch;
            if (s % every == 0) {
                gc.setFill(colours().muted());
                gc.setTextAlign(TextAlignment.RIGHT);
                gc.fillText(d.stageLabel(s), left - 6, y + ch / 2);
            }
            for (int p = 0; p < positions; p++) {
                double x = left + p * cw;
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
            double sx = left + positions * cw + GAP;
            double t = Double.isFinite(kl) ? Math.min(1, kl / d.maxMeanKl()) : 1;
            Color klColour = Color.web("#f6e7d2").interpolate(Color.web("#c2410c"), t);
            gc.setFill(klColour);
            gc.fillRect(sx, y, STRIP, ch - 1);
            if (ch >= 12) {
                gc.setFill(t > 0.55 ? Color.WHITE : Color.web("#1f2328"));
                gc.setTextAlign(TextAlignment.CENTER);
                gc.fillText(Double.isFinite(kl) ? String.format(Locale.ROOT, "%.3f", kl) : "NaN", sx + STRIP / 2, y + ch / 2);
            }
        }
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.BOTTOM);
        int pe = Math.max(1, (int) Math.ceil(30 / cw));
        for (int p = 0; p < positions; p += pe) {
            gc.fillText(fit(d.positions().get(p), cw * pe - 4), left + (p + 0.5) * cw, TOP - 4);
        }
        gc.fillText("mean KL", left + positions * cw + GAP + STRIP / 2, TOP - 4);
        Cell sel = selected.get();
        if (sel != null && !exporting()) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(left + sel.position() * cw + 1, TOP + sel.stage() * ch + 1, cw - 3, ch - 3);
        }
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
    private String fit(String s, double width) {
        return fit(s, width, font);
    }

    private String fit(String s, double width, Font f) {
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
