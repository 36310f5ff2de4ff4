package dev.attnstudio.app.heatmap;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Every head of one attention-shaped tensor of batch row 0, copied out of the engine: a [heads, rows, cols]
 * block of row-major floats (rows are query positions, columns key positions). Masked cells are
 * {@code -Infinity}, as the engine stores them.
 *
 * @param name      the hook it came from, e.g. {@code blocks.0.attn.hook_pattern}
 * @param rowLabels one label per query position (the token it reads)
 * @param colLabels one label per key position
 */
public record AttentionMap(String name, int heads, int rows, int cols, float[] values,
                           List<String> rowLabels, List<String> colLabels) {

    public AttentionMap {
        Objects.requireNonNull(name, "name");
        if (heads <= 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name + ": empty attention map " + heads + "x" + rows + "x" + cols);
        }
        if (values.length != heads * rows * cols) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + heads + "x" + rows + "x" + cols);
        }
        rowLabels = List.copyOf(rowLabels);
        colLabels = List.copyOf(colLabels);
        if (rowLabels.size() != rows || colLabels.size() != cols) {
            throw new IllegalArgumentException(name + ": labels do not match " + rows + "x" + cols);
        }
    }

    /** The [rows, cols] values of one head (a copy). */
    public float[] headValues(int head) {
        if (head < 0 || head >= heads) {
            throw new IndexOutOfBoundsException(name + " has heads 0.." + (heads - 1) + ", not " + head);
        }
        int size = rows * cols;
        return Arrays.copyOfRange(values, head * size, (head + 1) * size);
    }

    /** One head, ready to draw. */
    public Heatmap head(int head) {
        return Heatmap.of(name, head, heads, rows, cols, headValues(head), rowLabels, colLabels);
    }
}
