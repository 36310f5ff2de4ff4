package dev.attnstudio.app.attention;

import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;

/**
 * Axis labels for a run of positions, taken from a sequence's token texts ("#17" past its end), and what a map's rows
 * are. (The panels' TokenLabels makes those texts from ids; this one only picks positions.)
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

    /** "pass 2 of 3" for the pass under the cursor (counted from 1, as the status bar does); "" while there is one. */
    static String passScope(Stepper stepper) {
        int passes = stepper.groups().size();
        return passes <= 1 ? "" : "pass " + (stepper.groups().indexOf(stepper.group()) + 1) + " of " + passes;
    }
}
