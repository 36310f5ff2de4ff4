package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.ColorMode;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.engine.metrics.FiniteRange;

import java.util.Locale;

/**
 * Maps the values of one matrix to ARGB colours under a {@link ColorMode}, and describes that mapping for the
 * legend. Weights use the sequential palette over [0, 1]; scores of both signs the diverging palette centred
 * on 0; per-row mode uses each displayed row's own range. Masked cells ({@code -inf}) are not coloured here:
 * the raster hatches them. NaN is magenta.
 */
public final class CellColors {

    /** The smallest weight the log scale tells apart from zero. */
    static final double LOG_FLOOR = 1e-4;
    /** Palette lookup tables: colouring a pixel is then one multiply and one array read. */
    private static final int STEPS = 1024;
    private static final int[] SEQUENTIAL = table(false);
    private static final int[] DIVERGING = table(true);

    private final AttentionMatrix.Kind kind;
    private final ColorMode mode;
    private final float low;
    private final float high;
    private final boolean diverging;
    /** Per-row mode: [min0, max0, min1, max1, ...] of the displayed rows. */
    private float[] rowRanges;

    private CellColors(AttentionMatrix.Kind kind, ColorMode mode, float low, float high, boolean diverging) {
        this.kind = kind;
        this.mode = mode;
        this.low = low;
        this.high = high;
        this.diverging = diverging;
    }

    /** The mapping for a matrix of this kind and range. */
    public static CellColors of(AttentionMatrix.Kind kind, FiniteRange range, ColorMode mode) {
        return switch (kind) {
            case WEIGHTS -> new CellColors(kind, mode, 0f, 1f, false);
            case MASK -> new CellColors(kind, ColorMode.LINEAR, 0f, 0f, false);
            case SCORES -> {
                if (range.min() < 0 && range.max() > 0 && mode != ColorMode.PER_ROW) {
                    float m = Math.max(-range.min(), range.max());
                    yield new CellColors(kind, mode, -m, m, true);
                }
                yield new CellColors(kind, mode, range.min(), range.max(), false);
            }
        };
    }

    public ColorMode mode() {
        return mode;
    }

    /** Whether the colour depends on the row (so the raster must supply row ranges). */
    public boolean perRow() {
        return mode == ColorMode.PER_ROW && kind != AttentionMatrix.Kind.MASK;
    }

    /** Sets the displayed rows' ranges for per-row mode: {@code [min0, max0, min1, max1, ...]}. */
    void rowRanges(float[] ranges) {
        this.rowRanges = ranges;
    }

    /** The colour of a finite or NaN value in displayed row {@code row}. */
    public int argb(float v, int row) {
        if (Float.isNaN(v)) {
            return ColorScale.notANumber();
        }
        if (kind == AttentionMatrix.Kind.MASK) {
            return ColorScale.sequential(0.08);
        }
        if (perRow()) {
            float lo = rowRanges[2 * row];
            float hi = rowRanges[2 * row + 1];
            return lookup(SEQUENTIAL, hi > lo ? (v - lo) / (double) (hi - lo) : (hi > 0 ? 1.0 : 0.0));
        }
        return lookup(diverging ? DIVERGING : SEQUENTIAL, position(v));
    }

    private static int lookup(int[] table, double t) {
        int i = (int) (t * (STEPS - 1) + 0.5);
        return table[i < 0 ? 0 : Math.min(i, STEPS - 1)];
    }

    private static int[] table(boolean diverging) {
        int[] t = new int[STEPS];
        for (int i = 0; i < STEPS; i++) {
            double x = i / (double) (STEPS - 1);
            t[i] = diverging ? ColorScale.diverging(x) : ColorScale.sequential(x);
        }
        return t;
    }

    /** Where a value sits on the palette, 0 to 1 (before clamping). */
    double position(float v) {
        if (mode == ColorMode.LOG) {
            if (!diverging && low >= 0) {
                double top = Math.max(high, LOG_FLOOR * 10);
                double floor = kind == AttentionMatrix.Kind.WEIGHTS ? LOG_FLOOR : top * LOG_FLOOR;
                return (Math.log10(Math.max(v, floor)) - Math.log10(floor)) / (Math.log10(top) - Math.log10(floor));
            }
            // symmetric log: linear within m/1000 of zero, logarithmic beyond
            double m = Math.max(Math.abs(low), Math.abs(high));
            double c = m / 1000;
            double s = Math.signum(v) * Math.log1p(Math.abs(v) / c) / Math.log1p(m / c);
            return diverging ? 0.5 + 0.5 * s : s;
        }
        return high > low ? (v - low) / (double) (high - low) : 0.0;
    }

    /** Colour of the legend bar at {@code t} in [0, 1]. */
    public int legendArgb(double t) {
        if (kind == AttentionMatrix.Kind.MASK) {
            return ColorScale.sequential(0.08);
        }
        return diverging ? ColorScale.diverging(t) : ColorScale.sequential(t);
    }

    /** The legend's left end label. */
    public String lowLabel() {
        if (kind == AttentionMatrix.Kind.MASK) {
            return "0 allowed";
        }
        if (perRow()) {
            return "row min";
        }
        if (mode == ColorMode.LOG && !diverging && low >= 0) {
            return kind == AttentionMatrix.Kind.WEIGHTS ? "\u2264 1e-4" : "\u2264 " + number(Math.max(high, 1e-3f) * LOG_FLOOR);
        }
        return number(low);
    }

    /** The legend's right end label. */
    public String highLabel() {
        if (kind == AttentionMatrix.Kind.MASK) {
            return "";
        }
        return perRow() ? "row max" : number(high);
    }

    /** The scale in words, e.g. "linear", "log10", "symmetric log", "per-row". */
    public String scaleName() {
        if (kind == AttentionMatrix.Kind.MASK) {
            return "mask";
        }
        return switch (mode) {
            case LINEAR -> "linear";
            case LOG -> diverging || low < 0 ? "symmetric log" : "log10";
            case PER_ROW -> "per-row min\u2192max";
        };
    }

    /** The mapping in words, for an export's caption: "sequential (Blues), linear, 0 .. 1.00". */
    public String describe() {
        if (kind == AttentionMatrix.Kind.MASK) {
            return "mask (0 allowed, \u2212inf blocked)";
        }
        String palette = diverging ? "diverging (RdBu)" : "sequential (Blues)";
        return palette + ", " + scaleName() + (perRow() ? "" : ", " + lowLabel() + " .. " + highLabel());
    }

    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e4 || a < 1e-2 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
