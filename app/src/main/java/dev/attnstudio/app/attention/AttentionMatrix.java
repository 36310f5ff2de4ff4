package dev.attnstudio.app.attention;

import dev.attnstudio.engine.metrics.FiniteRange;

import java.util.List;
import java.util.Objects;

/**
 * One head's [rows, cols] attention-shaped matrix (rows = query positions, columns = key positions), copied
 * out of the engine, with its token labels and value range: what a map draws and an exporter redraws.
 *
 * @param hook      the full hook name it came from, e.g. {@code blocks.0.attn.hook_pattern}
 * @param title     short caption, e.g. "softmax"
 * @param kind      what the values are, which decides the colour range
 * @param values    row-major, {@code rows * cols}; {@code -Infinity} marks a masked cell
 * @param rowLabels one per row (the query token)
 * @param colLabels one per column (the key token)
 * @param range     the finite range of {@code values} and how many are masked
 */
public record AttentionMatrix(String hook, String title, Kind kind, int rows, int cols, float[] values,
                              List<String> rowLabels, List<String> colLabels, FiniteRange range) {

    /** What a matrix holds. */
    public enum Kind {
        /** Softmax weights in [0, 1]. */
        WEIGHTS,
        /** Scores of either sign, possibly -inf where masked. */
        SCORES,
        /** An additive mask: 0 allowed, -inf blocked. */
        MASK
    }

    public AttentionMatrix {
        Objects.requireNonNull(hook, "hook");
        Objects.requireNonNull(kind, "kind");
        if (rows <= 0 || cols <= 0 || values.length != rows * cols) {
            throw new IllegalArgumentException(hook + ": " + values.length + " values for " + rows + "x" + cols);
        }
        rowLabels = List.copyOf(rowLabels);
        colLabels = List.copyOf(colLabels);
        if (rowLabels.size() != rows || colLabels.size() != cols) {
            throw new IllegalArgumentException(hook + ": " + rowLabels.size() + " x " + colLabels.size()
                    + " labels for " + rows + "x" + cols);
        }
    }

    /** A matrix with its range measured. */
    public static AttentionMatrix of(String hook, String title, Kind kind, int rows, int cols, float[] values,
                                     List<String> rowLabels, List<String> colLabels) {
        return new AttentionMatrix(hook, title, kind, rows, cols, values, rowLabels, colLabels, FiniteRange.of(values));
    }

    public float get(int row, int col) {
        return values[row * cols + col];
    }
}
