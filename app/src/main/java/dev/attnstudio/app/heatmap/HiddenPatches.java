package dev.attnstudio.app.heatmap;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Labels of interventions the student must not be told about (a mask bug a lesson drew for them to diagnose): where
 * the window says which intervention replaced a value (the steps list, the current step, the patch notes of the maps),
 * such a label reads as an unnamed change instead. Set on the UI thread when a lesson page opens.
 */
public final class HiddenPatches {

    /** What a hidden intervention's label reads as. */
    public static final String UNNAMED = "a change the lesson keeps secret (tell it from what the views show)";

    private static volatile Set<String> hidden = Set.of();

    private HiddenPatches() {
    }

    /** Hides these labels (and shows again any hidden before). */
    public static void hide(Collection<String> labels) {
        hidden = Set.copyOf(labels);
    }

    /** The labels as the window may show them. */
    public static List<String> shown(List<String> labels) {
        Set<String> h = hidden;
        if (h.isEmpty()) {
            return labels;
        }
        return labels.stream().map(l -> {
            String out = l;
            for (String hide : h) {
                out = out.replace(hide, UNNAMED); // a label may be quoted in a longer line ("hook_mask: label")
            }
            return out;
        }).distinct().toList();
    }
}
