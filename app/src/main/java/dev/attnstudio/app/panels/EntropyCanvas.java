package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.ColorScale;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The layer x head heatmap of mean normalized entropy (light: focused, dark: spread out); cells not computed yet
 * are left in the border colour. The selected cell is the grid's cell cursor (click, or the arrow keys) and is
 * outlined, as is the hovered one.
 */
final class EntropyCanvas extends GridCanvas {

    private static final int MAX_CELL = 48;
    private static final double LEFT = 30;
    private static final double TOP = 18;

    final ObjectProperty<EntropyData> data = new SimpleObjectProperty<>(this, "data");
    final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", 0);
    final IntegerProperty selectedHead = new SimpleIntegerProperty(this, "selectedHead", 0);

    private final Font font = Font.font(11);
    private int cell;
    /** Set while the cursor and the selection copy each other. */
    private boolean syncing;

    EntropyCanvas() {
        super("Hover a head, or click one or move with the arrow keys to select it (Home / End: first / last head)");
        watchData(data);
        data.addListener((obs, old, now) -> selectionToCursor());
        hovered.addListener((obs, old, now) -> redraw());
        selectedLayer.addListener((obs, old, now) -> selectionToCursor());
        selectedHead.addListener((obs, old, now) -> selectionToCursor());
        cursor.addListener((obs, old, now) -> {
            if (now != null && !syncing) {
                syncing = true;
                selectedLayer.set(now.row());
                selectedHead.set(now.col());
                syncing = false;
            }
        });
    }

    /** The selection is the cursor: moves the cursor onto the selected cell (when it is on the grid). */
    private void selectionToCursor() {
        redraw();
        Cell s = new Cell(selectedLayer.get(), selectedHead.get());
        if (!syncing && s.row() < rows() && s.col() < cols() && !s.equals(cursor.get())) {
            syncing = true;
            cursor.set(s);
            syncing = false;
        }
    }

    @Override
    int rows() {
        EntropyData d = data.get();
        return d == null ? 0 : d.layers();
    }

    @Override
    int cols() {
        EntropyData d = data.get();
        return d == null || d.layers() == 0 ? 0 : d.heads();
    }

    @Override
    protected double computePrefWidth(double height) {
        return 320;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 220;
    }

    /** A head's mean entropy in this pass, or that it is not computed yet. */
    @Override
    String describe(int layer, int head) {
        float v = data.get().mean(layer, head);
        return Float.isNaN(v)
                ? String.format(Locale.ROOT, "L%d H%d: not computed yet in this pass", layer, head)
                : String.format(Locale.ROOT, "L%d H%d: mean normalized entropy %.3f; per query below", layer, head, v);
    }

    @Override
    void paintCells(GraphicsContext gc, double w, double h) {
        EntropyData d = data.get();
        cell = 0;
        placeCells(0, 0, 0, 0, 0);
        if (d == null || d.layers() == 0) {
            return;
        }
        cell = (int) Math.max(2, Math.min(MAX_CELL, Math.floor(Math.min((w - LEFT) / d.heads(), (h - TOP) / d.layers()))));
        placeCells(LEFT, TOP, cell, cell, 1);
        gc.setFont(font);
        for (int l = 0; l < d.layers(); l++) {
            for (int hd = 0; hd < d.heads(); hd++) {
                float v = d.mean(l, hd);
                int argb = Float.isNaN(v) ? ColorScale.argb(colours().border()) : ColorScale.sequential(v);
                gc.setFill(ColorScale.color(argb));
                gc.fillRect(LEFT + hd * cell, TOP + l * cell, cell - 1, cell - 1);
                if (cell >= 30 && !Float.isNaN(v)) {
                    gc.setFill(ColorScale.dark(argb) ? Color.WHITE : Color.web("#1f2328"));
                    gc.setTextAlign(TextAlignment.CENTER);
                    gc.setTextBaseline(VPos.CENTER);
                    gc.fillText(String.format(Locale.ROOT, "%.2f", v), LEFT + (hd + 0.5) * cell, TOP + (l + 0.5) * cell);
                }
            }
        }
        Cell over = hovered.get();
        if (over != null) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(LEFT + over.col() * cell, TOP + over.row() * cell, cell - 1, cell - 1);
        }
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.CENTER);
        int every = Math.max(1, (int) Math.ceil(14.0 / cell));
        for (int l = 0; l < d.layers(); l += every) {
            gc.fillText("L" + l, LEFT - 4, TOP + (l + 0.5) * cell);
        }
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.BOTTOM);
        every = Math.max(1, (int) Math.ceil(22.0 / cell));
        for (int hd = 0; hd < d.heads(); hd += every) {
            gc.fillText("H" + hd, LEFT + (hd + 0.5) * cell, TOP - 2);
        }
    }
}
