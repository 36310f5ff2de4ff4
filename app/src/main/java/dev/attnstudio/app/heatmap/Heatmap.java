package dev.attnstudio.app.heatmap;

import java.util.List;

/**
 * One [rows, cols] matrix to draw, with the value range its colours span.
 *
 * @param values    row-major, {@code rows * cols}; {@code -Infinity} marks a masked cell
 * @param low       value drawn with the scale's first colour
 * @param high      value drawn with the scale's last colour
 * @param diverging whether the scale is centred on zero (scores of both signs) rather than running low to high
 * @param masked    how many cells are {@code -Infinity}
 */
public record Heatmap(String name, int head, int heads, int rows, int cols, float[] values,
                      List<String> rowLabels, List<String> colLabels,
                      float low, float high, boolean diverging, int masked) {

    /** Chooses the colour range: [0, 1] for probabilities, symmetric around 0 for mixed signs, else min..max. */
    public static Heatmap of(String name, int head, int heads, int rows, int cols, float[] values,
                             List<String> rowLabels, List<String> colLabels) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        int masked = 0;
        for (float v : values) {
            if (v == Float.NEGATIVE_INFINITY) {
                masked++;
            } else if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) { // nothing finite
            min = 0;
            max = 0;
        }
        if (name.contains("hook_pattern")) {
            return new Heatmap(name, head, heads, rows, cols, values, rowLabels, colLabels, 0f, 1f, false, masked);
        }
        if (min < 0 && max > 0) {
            float m = Math.max(-min, max);
            return new Heatmap(name, head, heads, rows, cols, values, rowLabels, colLabels, -m, m, true, masked);
        }
        return new Heatmap(name, head, heads, rows, cols, values, rowLabels, colLabels, min, max, false, masked);
    }

    public float get(int row, int col) {
        return values[row * cols + col];
    }
}
