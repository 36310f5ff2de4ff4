package dev.attnstudio.app.timeline;

import dev.attnstudio.app.heatmap.CanvasRegion;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.Locale;

/**
 * The training loss of every step as one line, with a marker at the step the scrubber shows. Only draws the numbers
 * it is given (the sample's own training log).
 */
final class LossCurve extends CanvasRegion {

    private static final double PAD_LEFT = 48;
    private static final double PAD = 8;
    private static final double PAD_BOTTOM = 20;

    private float[] loss = new float[0];
    private int marker = -1;

    LossCurve() {
        setMinHeight(90);
        setPrefHeight(120);
    }

    /** @param stepLoss loss of step i + 1 at index i */
    void setLoss(float[] stepLoss) {
        loss = stepLoss == null ? new float[0] : stepLoss;
        redraw();
    }

    void setMarker(int step) {
        marker = step;
        redraw();
    }

    @Override
    protected double computePrefWidth(double height) {
        return 400;
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        var c = colours();
        gc.setFont(Font.font(11));
        gc.setFill(c.muted());
        gc.setTextBaseline(VPos.TOP);
        if (loss.length < 2 || w < PAD_LEFT + 20 || h < 40) {
            gc.setTextAlign(TextAlignment.LEFT);
            gc.fillText("no training log", PAD, PAD);
            return;
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : loss) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double x0 = PAD_LEFT;
        double x1 = w - PAD;
        double y0 = PAD;
        double y1 = h - PAD_BOTTOM;
        gc.setStroke(c.border());
        gc.setLineWidth(1);
        gc.strokeLine(x0, y1, x1, y1);
        gc.strokeLine(x0, y0, x0, y1);
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.fillText(String.format(Locale.ROOT, "%.2f", max), x0 - 4, y0 - 2);
        gc.setTextBaseline(VPos.BOTTOM);
        gc.fillText(String.format(Locale.ROOT, "%.2f", min), x0 - 4, y1 + 2);
        gc.setTextBaseline(VPos.TOP);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.fillText("training loss (nats) by step", x0 + 4, y1 + 3);
        gc.setTextAlign(TextAlignment.RIGHT);
        gc.fillText(String.valueOf(loss.length), x1, y1 + 3);
        double span = Math.max(1e-9, max - min);
        gc.setStroke(c.accent());
        gc.setLineWidth(1.2);
        gc.beginPath();
        for (int i = 0; i < loss.length; i++) {
            double x = x0 + (x1 - x0) * i / (loss.length - 1);
            double y = y1 - (y1 - y0) * (loss[i] - min) / span;
            if (i == 0) {
                gc.moveTo(x, y);
            } else {
                gc.lineTo(x, y);
            }
        }
        gc.stroke();
        if (marker >= 0) {
            double x = x0 + (x1 - x0) * Math.min(1, Math.max(0, (marker - 1) / (double) (loss.length - 1)));
            gc.setStroke(c.special());
            gc.setLineWidth(2);
            gc.strokeLine(x, y0, x, y1);
        }
    }
}
