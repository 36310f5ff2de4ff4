package dev.attnstudio.app.panels;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The layer x head heatmap of mean normalized entropy (light: focused, dark: spread out); cells not computed yet
 * are left in the border colour. The hovered cell, else the selected one, is outlined.
 */
final class EntropyCanvas extends CanvasPane {

    private static final int MAX_CELL = 48;
    private static final double LEFT = 30;
    private static final double TOP = 18;

    final ObjectProperty<EntropyData> data = new SimpleObjectProperty<>(this, "data");
    /** The cell under the mouse as layer * heads + head, or -1. */
    final IntegerProperty hovered = new SimpleIntegerProperty(this, "hovered", -1);
    final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", 0);
    final IntegerProperty selectedHead = new SimpleIntegerProperty(this, "selectedHead", 0);

    private final Font font = Font.font(11);
    private int cell;

    EntropyCanvas() {
        data.addListener((obs, old, now) -> redraw());
        hovered.addListener((obs, old, now) -> redraw());
        selectedLayer.addListener((obs, old, now) -> redraw());
        selectedHead.addListener((obs, old, now) -> redraw());
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(-1));
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            int c = cellAt(e.getX(), e.getY());
            if (c >= 0) {
                selectedLayer.set(c / data.get().heads());
                selectedHead.set(c % data.get().heads());
            }
        });
    }

    @Override
    protected double computePrefWidth(double height) {
        return 320;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 220;
    }

    int cellAt(double x, double y) {
        EntropyData d = data.get();
        if (d == null || cell == 0) {
            return -1;
        }
        int h = (int) Math.floor((x - LEFT) / cell);
        int l = (int) Math.floor((y - TOP) / cell);
        return h < 0 || l < 0 || h >= d.heads() || l >= d.layers() ? -1 : l * d.heads() + h;
    }

    double[] cellCentre(int layer, int head) {
        return new double[] {LEFT + (head + 0.5) * cell, TOP + (layer + 0.5) * cell};
    }

    @Override
    void paint(GraphicsContext gc, double w, double h) {
        EntropyData d = data.get();
        cell = 0;
        if (d == null || d.layers() == 0) {
            return;
        }
        cell = (int) Math.max(2, Math.min(MAX_CELL, Math.floor(Math.min((w - LEFT) / d.heads(), (h - TOP) / d.layers()))));
        gc.setFont(font);
        for (int l = 0; l < d.layers(); l++) {
            for (int hd = 0; hd < d.heads(); hd++) {
                float v = d.mean(l, hd);
                int argb = Float.isNaN(v) ? Ramp.argb(border.get()) : Ramp.sequential(v);
                gc.setFill(Ramp.color(argb));
                gc.fillRect(LEFT + hd * cell, TOP + l * cell, cell - 1, cell - 1);
                if (cell >= 30 && !Float.isNaN(v)) {
                    gc.setFill(Ramp.dark(argb) ? Color.WHITE : Color.web("#1f2328"));
                    gc.setTextAlign(TextAlignment.CENTER);
                    gc.setTextBaseline(VPos.CENTER);
                    gc.fillText(String.format(Locale.ROOT, "%.2f", v), LEFT + (hd + 0.5) * cell, TOP + (l + 0.5) * cell);
                }
            }
        }
        int mark = hovered.get() >= 0 ? hovered.get() : selectedLayer.get() * d.heads() + selectedHead.get();
        if (mark < d.layers() * d.heads()) {
            gc.setStroke(accent.get());
            gc.setLineWidth(2);
            gc.strokeRect(LEFT + (mark % d.heads()) * cell, TOP + (mark / d.heads()) * cell, cell - 1, cell - 1);
        }
        gc.setFill(muted.get());
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
