package dev.attnstudio.app.attention;

import java.util.ArrayList;
import java.util.List;

/**
 * Axis labels for a run of positions, taken from a sequence's token texts ("#17" past its end). (The panels'
 * TokenLabels makes those texts from ids; this one only picks positions.)
 */
final class PositionLabels {

    private PositionLabels() {
    }

    /** Labels of positions {@code first .. first + count - 1}. */
    static List<String> of(List<String> tokens, int first, int count) {
        List<String> out = new ArrayList<>(count);
        for (int p = first; p < first + count; p++) {
            out.add(p < tokens.size() ? tokens.get(p) : "#" + p);
        }
        return out;
    }
}
