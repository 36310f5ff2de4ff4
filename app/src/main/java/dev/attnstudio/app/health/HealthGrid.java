package dev.attnstudio.app.health;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.stream.Collectors;

/**
 * The layer x head grid of the Health view: each head's cell filled with the colour of its worst flag (green when it
 * has none), its flags as one-letter badges, and when the cell is large enough the flags' names. Cells fill the canvas
 * (capped so a small model's cells stay cell-like); the selected head is the grid's cell cursor (click, or the arrow
 * keys), and the grid zooms and pans like every map ({@link GridCanvas}).
 */
final class HealthGrid extends GridCanvas {

    private static final double TOP = 20;
    private static final double MAX_W = 240;
    private static final double MAX_H = 170;

    final ObjectProperty<HealthData> data = new SimpleObjectProperty<>(this, "data");

    private final Font font = Font.font(11);
    private final Font bold = Font.font(null, FontWeight.BOLD, 11);

    HealthGrid() {
        super("Hover a head for its flags; click one or move with the arrow keys for its evidence");
        setMinSize(120, 80);
        watchData(data);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 480;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 260;
    }

    @Override
    public int rows() {
        HealthData d = data.get();
        return d == null ? 0 : d.rows().size();
    }

    @Override
    public int cols() {
        HealthData d = data.get();
        return d == null || d.rows().isEmpty() ? 0 : d.heads();
    }

    /** A head and its flags, e.g. "cross L1 H2: collapsed, sink". */
    @Override
    protected String describe(int row, int col) {
        HealthData d = data.get();
        HeadCard h = d.head(row, col);
        return d.rows().get(row).label() + " H" + col + ": " + (h.flags().isEmpty() ? "healthy"
                : h.flags().stream().map(f -> Flags.name(f.kind())).collect(Collectors.joining(", ")));
    }

    @Override
    protected void paintCells(GraphicsContext gc, double w, double h) {
        HealthData d = data.get();
        if (d == null || d.rows().isEmpty()) {
            return;
        }
        Text probe = new Text();
        probe.setFont(font);
        double widest = 0;
        for (HealthData.Row r : d.rows()) {
            probe.setText(r.label());
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        double left = Math.ceil(widest) + 12; // as wide as the longest row label ("L11", "cross L5") plus a gap
        if (w <= left + 10 || h <= TOP + 10) {
            return;
        }
        int rows = d.rows().size();
        MapViewport.Geometry g = place(left, TOP, Math.min(MAX_W, (w - left - 4) / d.heads()),
                Math.min(MAX_H, (h - TOP - 4) / rows), 3);
        gc.save();
        gc.beginPath();
        gc.rect(g.x(), g.y(), g.frameW(), g.frameH());
        gc.clip();
        for (int r = g.firstRow(); r < g.endRow(); r++) {
            for (int c = g.firstCol(); c < g.endCol(); c++) {
                paintCell(gc, d.head(r, c), g.xOf(c), g.yOf(r), g.cellW(), g.cellH());
            }
        }
        gc.restore();
        gc.setFont(font);
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.CENTER);
        int every = Math.max(1, (int) Math.ceil(12 / g.cellH()));
        for (int r = g.firstRow(); r < g.endRow(); r++) {
            double y = g.yOf(r + 0.5);
            if (r % every == 0 && y >= g.y() && y <= g.y() + g.frameH()) {
                gc.fillText(d.rows().get(r).label(), left - 6, y);
            }
        }
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.BOTTOM);
        every = Math.max(1, (int) Math.ceil(24 / g.cellW()));
        for (int c = g.firstCol(); c < g.endCol(); c++) {
            double x = g.xOf(c + 0.5);
            if (c % every == 0 && x >= g.x() && x <= g.x() + g.frameW()) {
                gc.fillText("H" + c, x, TOP - 3);
            }
        }
        setContent(new Rectangle2D(0, 0, Math.ceil(g.x() + g.frameW()) + 1, Math.ceil(g.y() + g.frameH()) + 1));
    }

    /** The text, cut with an ellipsis to {@code width} points in the grid's font. */
    private String fit(String s, double width) {
        Text probe = new Text(s);
        probe.setFont(font);
        for (int n = s.length(); n > 0; n--) {
            probe.setText(n == s.length() ? s : s.substring(0, n) + "\u2026");
            if (probe.getLayoutBounds().getWidth() <= width) {
                return probe.getText();
            }
        }
        return "";
    }

    private void paintCell(GraphicsContext gc, HeadCard head, double x, double y, double cw, double ch) {
        HeadFlag worst = HealthData.worst(head);
        Color fill = worst == null ? Flags.HEALTHY : Flags.colour(worst.kind());
        gc.setFill(fill);
        gc.fillRoundRect(x + 1, y + 1, cw - 3, ch - 3, 6, 6);
        Color ink = Flags.dark(fill) ? Color.WHITE : Color.web("#1f2328");
        gc.setFill(ink);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setTextBaseline(VPos.TOP);
        boolean roomy = cw >= 54 && ch >= 36;
        if (roomy) {
            gc.setFont(bold);
            gc.fillText("H" + head.head(), x + 6, y + 5);
            gc.setFont(font);
            double ty = y + 20;
            for (HeadFlag f : head.flags()) {
                if (ty + 13 > y + ch - 4) {
                    break;
                }
                gc.fillText(fit(Flags.name(f.kind()), cw - 10), x + 6, ty);
                ty += 13;
            }
            if (head.flags().isEmpty() && ty + 13 <= y + ch - 4) {
                gc.fillText("healthy", x + 6, ty);
            }
            return;
        }
        // small cells: a badge per flag, left to right
        double bx = x + 3;
        double size = Math.min(13, Math.min(cw, ch) / 2.2);
        if (size < 6) {
            return;
        }
        gc.setFont(Font.font(null, FontWeight.BOLD, Math.max(7, size - 3)));
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.CENTER);
        for (HeadFlag f : head.flags()) {
            if (bx + size > x + cw - 2) {
                break;
            }
            gc.setFill(Color.WHITE.deriveColor(0, 1, 1, 0.85));
            gc.fillRoundRect(bx, y + ch - size - 4, size, size, 4, 4);
            gc.setFill(Flags.colour(f.kind()).darker());
            gc.fillText(Flags.badge(f.kind()), bx + size / 2, y + ch - size / 2 - 4);
            bx += size + 2;
        }
        gc.setFont(font);
    }
}
