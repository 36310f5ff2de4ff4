package dev.attnstudio.app.panels;

import javafx.scene.paint.Color;

/**
 * Colour ramps for matrix cells as packed ARGB (what {@code PixelWriter.setPixels} takes). Data colours are the
 * same in both themes, as in the attention heatmap; only the chrome around them follows the theme.
 */
final class Ramp {

    /** Light to dark blue (ColorBrewer "Blues"): high weight is dark. */
    private static final int[] SEQUENTIAL = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
    /** Blue through white to red (ColorBrewer "RdBu" reversed): negative blue, positive red. */
    private static final int[] DIVERGING = {0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b};

    private Ramp() {
    }

    /** t in [0, 1] (clamped) on the sequential ramp. */
    static int sequential(double t) {
        return interpolate(SEQUENTIAL, t);
    }

    /** v in [-limit, limit] (clamped) on the diverging ramp, 0 white. */
    static int diverging(double v, double limit) {
        return interpolate(DIVERGING, limit > 0 ? 0.5 + 0.5 * v / limit : 0.5);
    }

    static Color color(int argb) {
        return Color.rgb((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff);
    }

    static int argb(Color c) {
        return 0xff000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                | (int) Math.round(c.getBlue() * 255);
    }

    /** Whether text drawn on this background should be light. */
    static boolean dark(int argb) {
        return 0.299 * ((argb >> 16) & 0xff) + 0.587 * ((argb >> 8) & 0xff) + 0.114 * (argb & 0xff) < 140;
    }

    private static int interpolate(int[] stops, double t) {
        double x = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (stops.length - 1);
        int i = Math.min((int) x, stops.length - 2);
        double f = x - i;
        int r = mix(stops[i] >> 16 & 0xff, stops[i + 1] >> 16 & 0xff, f);
        int g = mix(stops[i] >> 8 & 0xff, stops[i + 1] >> 8 & 0xff, f);
        int b = mix(stops[i] & 0xff, stops[i + 1] & 0xff, f);
        return 0xff000000 | r << 16 | g << 8 | b;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
