package dev.attnstudio.app.heatmap;

import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

import java.util.function.DoubleToIntFunction;

/** A map legend's colour bar: the palette from low (left) to high (right), one pixel column a step, framed. */
public final class ColorBar {

    /** The bar's height in pixels. */
    public static final double HEIGHT = 10;

    private ColorBar() {
    }

    /**
     * Draws the bar with its top-left at (x, y), {@code width} pixels wide; {@code argbAt} gives the packed ARGB
     * colour at t in [0, 1] along it, {@code frame} is the outline colour (the theme's border).
     */
    public static void draw(GraphicsContext gc, double x, double y, double width, DoubleToIntFunction argbAt, Color frame) {
        for (int i = 0; i < (int) width; i++) {
            gc.setFill(ColorScale.color(argbAt.applyAsInt(i / (width - 1))));
            gc.fillRect(x + i, y, 1, HEIGHT);
        }
        gc.setStroke(frame);
        gc.setLineWidth(1);
        gc.strokeRect(x + 0.5, y + 0.5, width - 1, HEIGHT - 1);
    }
}
