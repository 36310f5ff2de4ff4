package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.CanvasRegion;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * Per-query normalized entropy of one head as a row of bars (0 to 1), labelled with the query tokens; padding
 * queries, which the means leave out, are drawn in the special colour.
 */
final class QueryEntropyStrip extends CanvasRegion {

    private static final double LEFT = 30;
    private static final double LABELS = 44;

    final ObjectProperty<EntropyData> data = new SimpleObjectProperty<>(this, "data");
    final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    private final Font font = Font.font("Monospaced", 10);

    QueryEntropyStrip() {
        data.addListener((obs, old, now) -> redraw());
        layer.addListener((obs, old, now) -> redraw());
        head.addListener((obs, old, now) -> redraw());
    }

    @Override
    protected double computePrefWidth(double height) {
        return 300;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 120;
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        EntropyData d = data.get();
        if (d == null || layer.get() >= d.layers() || head.get() >= d.heads()) {
            return;
        }
        double plot = h - LABELS - 4;
        double bar = Math.min(24, (w - LEFT) / d.queries());
        gc.setStroke(colours().border());
        gc.setLineWidth(1);
        gc.strokeLine(LEFT, 2, LEFT + bar * d.queries(), 2);
        gc.strokeLine(LEFT, 2 + plot, LEFT + bar * d.queries(), 2 + plot);
        gc.setFont(font);
        gc.setFill(colours().muted());
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.setTextBaseline(VPos.CENTER);
        gc.fillText("1", LEFT - 4, 2);
        gc.fillText("0", LEFT - 4, 2 + plot);
        for (int q = 0; q < d.queries(); q++) {
            float v = d.perQuery(layer.get(), head.get(), q);
            if (!Float.isNaN(v)) {
                gc.setFill(d.paddingQuery()[q] ? colours().special() : colours().accent());
                gc.fillRect(LEFT + q * bar + 1, 2 + plot * (1 - v), Math.max(1, bar - 2), plot * v);
            }
            if (bar >= 9) {
                gc.setFill(d.paddingQuery()[q] ? colours().special() : colours().text());
                gc.save();
                gc.translate(LEFT + (q + 0.5) * bar, plot + 6);
                gc.rotate(-90);
                gc.fillText(d.queryLabels().get(q), 0, 0);
                gc.restore();
            }
        }
    }
}
