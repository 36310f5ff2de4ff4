package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorScale;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/** A small legend square painted pixel by pixel like the cells it explains, in the theme's colours. */
final class Swatch extends CanvasRegion {

    static final int SIZE = 14;

    /** Colour of pixel (x, y) in the swatch's theme colours. */
    @FunctionalInterface
    interface Pixels {
        int at(CanvasRegion.ThemeColours theme, int x, int y);
    }

    private final Pixels pixels;

    Swatch(Pixels pixels) {
        this.pixels = pixels;
        getStyleClass().add(PanelStyles.LEGEND_SWATCH);
    }

    /** A legend entry: the swatch as the label's graphic, with a tooltip that explains it. */
    static Label entry(Pixels pixels, String text, String tooltip) {
        Label l = new Label(text, new Swatch(pixels));
        l.setTooltip(new Tooltip(tooltip));
        return l;
    }

    @Override
    protected double computePrefWidth(double height) {
        return SIZE;
    }

    @Override
    protected double computePrefHeight(double width) {
        return SIZE;
    }

    @Override
    protected double computeMaxWidth(double height) {
        return SIZE;
    }

    @Override
    protected double computeMaxHeight(double width) {
        return SIZE;
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        int iw = (int) w;
        int ih = (int) h;
        if (iw < 1 || ih < 1) {
            return;
        }
        CanvasRegion.ThemeColours theme = colours();
        int[] px = new int[iw * ih];
        int edge = ColorScale.argb(theme.border());
        for (int y = 0; y < ih; y++) {
            for (int x = 0; x < iw; x++) {
                boolean frame = x == 0 || y == 0 || x == iw - 1 || y == ih - 1;
                px[y * iw + x] = frame ? edge : pixels.at(theme, x, y);
            }
        }
        WritableImage image = new WritableImage(iw, ih);
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), px, 0, iw);
        gc.drawImage(image, 0, 0);
    }
}
