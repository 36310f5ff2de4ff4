package dev.attnstudio.lessons.probe;

import java.util.Locale;

/** How numbers and tensors are written for students: short, with no needless digits. */
public final class Numbers {

    private Numbers() {
    }

    /** {@code 3}, {@code 0.4123}, {@code -1.5}, {@code NaN}, {@code -inf}; at most 4 decimals. */
    public static String format(double v) {
        return format(v, 4);
    }

    /** At most {@code decimals} decimals, trailing zeros dropped. */
    public static String format(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        if (s.indexOf('.') >= 0) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s.equals("-0") ? "0" : s;
    }

    /** Values with their nesting: {@code [[0.1, 0.9], [1, 0]]}; long tensors are cut with {@code ...}. */
    public static String tensor(long[] shape, float[] values, int decimals) {
        StringBuilder s = new StringBuilder();
        write(s, shape, values, 0, 0, decimals);
        return s.toString();
    }

    private static int write(StringBuilder s, long[] shape, float[] v, int axis, int offset, int decimals) {
        if (axis == shape.length) {
            s.append(format(v[offset], decimals));
            return offset + 1;
        }
        s.append('[');
        int n = (int) shape[axis];
        int shown = Math.min(n, 8);
        int stride = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                s.append(", ");
            }
            write(s, shape, v, axis + 1, offset + i * stride, decimals);
        }
        if (shown < n) {
            s.append(", ...");
        }
        s.append(']');
        return offset + n * stride;
    }
}
