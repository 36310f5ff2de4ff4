package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.MapViewport;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Orientation;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The layer x head heatmap of mean normalized entropy (light: focused, dark: spread out); cells not computed yet
 * are left in the border colour. The cells are square and fill the canvas's height, and the canvas asks for the
 * width that makes them so (a vertical content bias). The selected cell is the grid's cell cursor (click, or the
 * arrow keys) and is outlined, as is the hovered one; the map zooms and pans like every map ({@link GridCanvas}).
 */
final class EntropyCanvas extends GridCanvas {

    private static final double LEFT = 30;
    private static final double TOP = 18;

    final ObjectProperty<EntropyData> data = new SimpleObjectProperty<>(this, "data");
    final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", 0);
    final IntegerProperty selectedHead = new SimpleIntegerProperty(this, "selectedHead", 0);

    private final Font font = Font.font(11);
    /** Set while the cursor and the selection copy each other. */
    private boolean syncing;

    EntropyCanvas() {
        super("Hover a head, or click one or move with the arrow keys to select it (Home / End: first / last head)");
        watchData(data);
        data.addListener((obs, old, now) -> {
            requestLayout(); // the width that keeps the cells square depends on the layers and heads
            selectionToCursor();
        });
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
    public int rows() {
        EntropyData d = data.get();
        return d == null ? 0 : d.layers();
    }

    @Override
    public int cols() {
        EntropyData d = data.get();
        return d == null || d.layers() == 0 ? 0 : d.heads();
    }

    @Override
    public Orientation getContentBias() {
        return Orientation.VERTICAL; // square cells: as wide as the height makes them
    }

    @Override
    protected double computePrefWidth(double height) {
        EntropyData d = data.get();
        if (d == null || d.layers() == 0 || height <= TOP) {
            return 320;
        }
        return Math.ceil(LEFT + (height - TOP) * d.heads() / d.layers()) + 2;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 220;
    }

    /** Points per cell of the last drawing (cells are square), 0 when none was drawn. */
    double cellSize() {
        return cellPitch()[0];
    }

    /** The map as an export shows it: cells, their values and the layer and head labels, no cursor. */
    Figure figure() {
        return new Figure() {
            @Override
            public Node render(double scale) {
                WritableImage map = renderFigure(scale);
                if (map == null) {
                    throw new IllegalStateException("no head's entropy is computed yet: step the pass to a hook_pattern");
                }
                Label ramp = Swatch.entry((p, x, y) -> ColorScale.sequential(x / 13.0), "entropy 0 \u2192 1",
                        "Light: the head focuses on few keys; dark: it spreads its weight out");
                Label pending = Swatch.entry((p, x, y) -> ColorScale.argb(p.border()), "not computed yet",
                        "This layer's pattern has not been computed in this pass");
                FlowPane legend = new FlowPane(12, 4, ramp, pending);
                legend.getStyleClass().add(PanelStyles.LEGEND);
                legend.setPrefWrapLength(Math.max(240, map.getWidth() / scale)); // as wide as the map (not FlowPane's 400)
                VBox box = new VBox(8, Figure.image(map, scale), legend);
                box.getStylesheets().add(PanelStyles.stylesheet());
                box.setStyle("-fx-padding: 0 0 6 0; -fx-background-color: -as-surface;");
                return box;
            }

            @Override
            public Caption caption(Caption base) {
                EntropyData d = data.get();
                if (d == null || d.layers() == 0) {
                    return base;
                }
                return base.withLayer("all (0\u2013" + (d.layers() - 1) + ")").withHead("all (0\u2013" + (d.heads() - 1) + ")")
                        .withStage("mean normalized entropy of every hook_pattern (pass " + d.group() + ", batch row "
                                + d.batchRow() + "; padding queries left out)")
                        .withColourScale("sequential (Blues), linear, entropy 0 (one key) .. 1 (spread over every allowed key)");
            }
        };
    }

    /** A head's mean entropy in this pass, or that it is not computed yet. */
    @Override
    protected String describe(int layer, int head) {
        float v = data.get().mean(layer, head);
        return Float.isNaN(v)
                ? String.format(Locale.ROOT, "L%d H%d: not computed yet in this pass", layer, head)
                : String.format(Locale.ROOT, "L%d H%d: mean normalized entropy %.3f; per query below", layer, head, v);
    }

    @Override
    protected void paintCells(GraphicsContext gc, double w, double h) {
        EntropyData d = data.get();
        if (d == null || d.layers() == 0 || w <= LEFT || h <= TOP) {
            return;
        }
        double fit = Math.max(2, Math.min((w - LEFT) / d.heads(), (h - TOP) / d.layers()));
        MapViewport.Geometry g = place(LEFT, TOP, fit, fit, 1);
        double cell = g.cellW();
        gc.setFont(font);
        gc.save();
        gc.beginPath();
        gc.rect(g.x(), g.y(), g.frameW(), g.frameH());
        gc.clip();
        for (int l = g.firstRow(); l < g.endRow(); l++) {
            for (int hd = g.firstCol(); hd < g.endCol(); hd++) {
                float v = d.mean(l, hd);
                int argb = Float.isNaN(v) ? ColorScale.argb(colours().border()) : ColorScale.sequential(v);
                gc.setFill(ColorScale.color(argb));
                gc.fillRect(g.xOf(hd), g.yOf(l), cell - 1, cell - 1);
                if (cell >= 30 && !Float.isNaN(v)) {
                    gc.setFill(ColorScale.dark(argb) ? Color.WHITE : Color.web("#1f2328"));
                    gc.setTextAlign(TextAlignment.CENTER);
                    gc.setTextBaseline(VPos.CENTER);
                    gc.fillText(String.format(Locale.ROOT, "%.2f", v), g.xOf(hd + 0.5), g.yOf(l + 0.5));
                }
            }
        }
        Cell over = hovered.get();
        if (over != null && !exporting()) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(g.xOf(over.col()), g.yOf(over.row()), cell - 1, cell - 1);
        }
        gc.restore();
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.CENTER);
        int every = Math.max(1, (int) Math.ceil(14.0 / cell));
        for (int l = g.firstRow(); l < g.endRow(); l++) {
            double y = g.yOf(l + 0.5);
            if (l % every == 0 && y >= g.y() && y <= g.y() + g.frameH()) {
                gc.fillText("L" + l, LEFT - 4, y);
            }
        }
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setTextBaseline(VPos.BOTTOM);
        every = Math.max(1, (int) Math.ceil(22.0 / cell));
        for (int hd = g.firstCol(); hd < g.endCol(); hd++) {
            double x = g.xOf(hd + 0.5);
            if (hd % every == 0 && x >= g.x() && x <= g.x() + g.frameW()) {
                gc.fillText("H" + hd, x, TOP - 2);
            }
        }
        setContent(new Rectangle2D(0, 0, Math.ceil(g.x() + g.frameW()) + 1, Math.ceil(g.y() + g.frameH()) + 1));
    }
}
