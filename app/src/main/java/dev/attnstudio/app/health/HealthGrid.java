package dev.attnstudio.app.health;

import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;

/**
 * The layer x head grid of the Health view: each head's cell filled with the colour of its worst flag (green when it
 * has none), its flags as one-letter badges, and when the cell is large enough the flags' names. Cells fill the canvas
 * (capped so a small model's cells stay cell-like); a click or the arrow keys select a head, outlined in the accent colour.
 */
final class HealthGrid extends CanvasRegion {

    /** A cell of the grid: a row of {@link HealthData#rows()} and a head. */
    record Cell(int row, int col) {
    }

    /** Room for the row labels: as wide as the longest ("L11", "cross L5") plus a gap. */
    private double left = 40;
    private static final double TOP = 20;
    private static final double MAX_W = 240;
    private static final double MAX_H = 170;

    final ObjectProperty<HealthData> data = new SimpleObjectProperty<>(this, "data");
    final ObjectProperty<Cell> selected = new SimpleObjectProperty<>(this, "selected");

    private final Font font = Font.font(11);
    private final Font bold = Font.font(null, FontWeight.BOLD, 11);
    private double x0;
    private double y0;
    private double cw;
    private double ch;

    HealthGrid() {
        setFocusTraversable(true);
        setMinSize(120, 80);
        data.addListener((obs, old, now) -> {
            Cell s = selected.get();
            if (now == null || s != null && (s.row() >= now.rows().size() || s.col() >= now.heads())) {
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
        return 480;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 260;
    }

    /** The cell at a point of the region, or null. */
    Cell cellAt(double x, double y) {
        HealthData d = data.get();
        if (d == null || cw <= 0 || x < x0 || y < y0) {
            return null;
        }
        int col = (int) ((x - x0) / cw);
        int row = (int) ((y - y0) / ch);
        return row < d.rows().size() && col < d.heads() ? new Cell(row, col) : null;
    }

    /** The centre of a cell in the region's coordinates (for tests). */
    double[] centre(int row, int col) {
        return new double[] {x0 + (col + 0.5) * cw, y0 + (row + 0.5) * ch};
    }

    private void key(KeyEvent e) {
        HealthData d = data.get();
        if (d == null) {
            return;
        }
        Cell c = selected.get() == null ? new Cell(0, 0) : selected.get();
        int r = c.row();
        int col = c.col();
        switch (e.getCode()) {
            case UP -> r--;
            case DOWN -> r++;
            case LEFT -> col--;
            case RIGHT -> col++;
            default -> {
                return;
            }
        }
        selected.set(new Cell(Math.max(0, Math.min(d.rows().size() - 1, r)), Math.max(0, Math.min(d.heads() - 1, col))));
        e.consume();
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        HealthData d = data.get();
        if (d == null || d.rows().isEmpty()) {
            cw = 0;
            return;
        }
        javafx.scene.text.Text probe = new javafx.scene.text.Text();
        probe.setFont(font);
        double widest = 0;
        for (HealthData.Row r : d.rows()) {
            probe.setText(r.label());
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        left = Math.ceil(widest) + 12;
        if (w <= left + 10 || h <= TOP + 10) {
            cw = 0;
            return;
        }
        int rows = d.rows().size();
        cw = Math.min(MAX_W, (w - left - 4) / d.heads());
        ch = Math.min(MAX_H, (h - TOP - 4) / rows);
        x0 = left;
        y0 = TOP;
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        for (int r = 0; r < rows; r++) {
            gc.setFill(colours().muted());
            gc.setTextAlign(TextAlignment.RIGHT);
            if (ch >= 12 || r % (int) Math.ceil(12 / ch) == 0) {
                gc.fillText(d.rows().get(r).label(), left - 6, y0 + (r + 0.5) * ch);
            }
            for (int c = 0; c < d.heads(); c++) {
                paintCell(gc, d.head(r, c), x0 + c * cw, y0 + r * ch);
            }
        }
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.BOTTOM);
        int every = Math.max(1, (int) Math.ceil(24 / cw));
        for (int c = 0; c < d.heads(); c += every) {
            gc.fillText("H" + c, x0 + (c + 0.5) * cw, TOP - 3);
        }
        Cell s = selected.get();
        if (s != null && !exporting()) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(3);
            gc.strokeRect(x0 + s.col() * cw + 1.5, y0 + s.row() * ch + 1.5, cw - 4, ch - 4);
        }
    }

    /** The text, cut with an ellipsis to {@code width} points in the grid's font. */
    private String fit(String s, double width) {
        javafx.scene.text.Text probe = new javafx.scene.text.Text(s);
        probe.setFont(font);
        for (int n = s.length(); n > 0; n--) {
            probe.setText(n == s.length() ? s : s.substring(0, n) + "\u2026");
            if (probe.getLayoutBounds().getWidth() <= width) {
                return probe.getText();
            }
        }
        return "";
    }

    private void paintCell(GraphicsContext gc, HeadCard head, double x, double y) {
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
