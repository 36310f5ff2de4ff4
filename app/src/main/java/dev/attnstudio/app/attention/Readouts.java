package dev.attnstudio.app.attention;

import dev.attnstudio.engine.metrics.Pooling;

import java.util.List;
import java.util.Locale;

/** Text for hover and cursor readouts: which query and key a cell or block is, and a matrix's value there. */
final class Readouts {

    private Readouts() {
    }

    /** "query 3 ‘cat’ → key 1 ‘the’" for a cell, "queries 8–11 × keys 20–23" for a block. */
    static String where(MapCell c, List<String> rowLabels, List<String> colLabels) {
        if (c.single()) {
            return String.format(Locale.ROOT, "query %d %s \u2192 key %d %s", c.row(), quote(rowLabels.get(c.row())),
                    c.col(), quote(colLabels.get(c.col())));
        }
        return String.format(Locale.ROOT, "queries %d\u2013%d \u00d7 keys %d\u2013%d", c.row(), c.row() + c.rows() - 1,
                c.col(), c.col() + c.cols() - 1);
    }

    /** The matrix's value at a cell, or its block's value pooled by {@code rule} (engine {@link Pooling}). */
    static float value(AttentionMatrix m, MapCell c, Pooling.Rule rule) {
        if (c.single()) {
            return m.get(c.row(), c.col());
        }
        int side = Math.max(c.rows(), c.cols());
        return Pooling.pool(m.values(), 0, m.cols(), c.row(), c.col(), c.rows(), c.cols(), side, rule)[0];
    }

    /** A value as the readouts print it: 5 significant digits, "−inf (masked)" for a masked cell. */
    static String format(float v) {
        if (v == Float.NEGATIVE_INFINITY) {
            return "\u2212inf (masked)";
        }
        return String.format(Locale.ROOT, "%.5g", v);
    }

    /** "name value" or "name pending" for a matrix that may be null. */
    static String part(String name, AttentionMatrix m, MapCell c, Pooling.Rule rule) {
        return name + " " + (m == null ? "(not computed)" : format(value(m, c, rule)));
    }

    private static String quote(String s) {
        return "\u2018" + s + "\u2019";
    }
}
