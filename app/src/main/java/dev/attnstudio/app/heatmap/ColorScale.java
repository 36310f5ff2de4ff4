package dev.attnstudio.app.heatmap;

import javafx.scene.paint.Color;

/**
 * Colours for heatmap cells as packed ARGB ints (what {@code PixelWriter.setPixels} takes). Values outside the
 * range clamp; masked cells get a grey hatch so they never read as "low attention".
 */
public final class ColorScale {

    /** Light to dark blue (ColorBrewer "Blues"): high attention is dark. */
    private static final int[] SEQUENTIAL = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
    /** Blue through white to red (ColorBrewer "RdBu" reversed): negative blue, positive red. */
    private static final int[] DIVERGING = {0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b};

    private static final int HATCH_LIGHT = 0xffd9d9d9;
    private static final int HATCH_DARK = 0xff9a9a9a;
    private static final int NOT_A_NUMBER = 0xffff00ff;

    private ColorScale() {
    }

    /** The colour of a finite or infinite value under a heatmap's range. */
    public static int argb(Heatmap map, float v) {
        if (Float.isNaN(v)) {
            return NOT_A_NUMBER;
        }
        double t = map.high() > map.low() ? (v - map.low()) / (double) (map.high() - map.low()) : 0.0;
        return interpolate(map.diverging() ? DIVERGING : SEQUENTIAL, t);
    }

    /** The hatch of a masked ({@code -inf}) cell at pixel (x, y): diagonal stripes, continuous across cells. */
    public static int hatch(int x, int y) {
        return Math.floorMod(x + y, 6) < 2 ? HATCH_DARK : HATCH_LIGHT;
    }

    /** The sequential palette at {@code t} in [0, 1] (clamped): light for low values, dark blue for high. */
    public static int sequential(double t) {
        return interpolate(SEQUENTIAL, t);
    }

    /** The diverging palette at {@code t} in [0, 1] (clamped): blue below the middle, white at 0.5, red above. */
    public static int diverging(double t) {
        return interpolate(DIVERGING, t);
    }

    /** The colour of a NaN cell: magenta, in no palette, so a bad value cannot pass for a weight. */
    public static int notANumber() {
        return NOT_A_NUMBER;
    }

    /** Whether text on this background should be white. */
    public static boolean dark(int argb) {
        int r = (argb >> 16) & 0xff;
        int g = (argb >> 8) & 0xff;
        int b = argb & 0xff;
        return 0.299 * r + 0.587 * g + 0.114 * b < 140;
    }

    /** An opaque ARGB colour as a JavaFX colour (for filling shapes with a palette colour). */
    public static Color color(int argb) {
        return Color.rgb((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff);
    }

    /** A JavaFX colour as opaque packed ARGB (for writing theme colours into pixel buffers). */
    public static int argb(Color c) {
        return 0xff000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                | (int) Math.round(c.getBlue() * 255);
    }

    /** {@code t} in [0, 1] clamped (NaN reads as 0) on a palette of RGB stops. */
    static int interpolate(int[] stops, double t) {
        double x = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (stops.length - 1);
        int i = Math.min((int) x, stops.length - 2);
        double f = x - i;
        int a = stops[i];
        int b = stops[i + 1];
        int r = mix((a >> 16) & 0xff, (b >> 16) & 0xff, f);
        int g = mix((a >> 8) & 0xff, (b >> 8) & 0xff, f);
        int bl = mix(a & 0xff, b & 0xff, f);
        return 0xff000000 | (r << 16) | (g << 8) | bl;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
