package dev.attnstudio.app.main;

import java.util.function.ToDoubleFunction;

/**
 * Fits a step's hook name into a width by eliding its middle, not its end: the tail after the unit
 * ({@code cross_attn.hook_pattern}) is what tells a block's steps apart, and the unit's first and last parts (the
 * stack and the layer) tell the blocks apart. So the unit's middle goes first ({@code decoder.…0.cross_attn...}),
 * then its first part but for one letter ({@code d…0.cross_attn...}), then whole parts from the start
 * ({@code …cross_attn.hook_pattern}), and only then the last part's first characters. Few distinct lengths keep the
 * list's column even.
 */
final class StepNameElision {

    static final String ELLIPSIS = "\u2026";

    private StepNameElision() {
    }

    /**
     * @param name    the hook name, e.g. {@code decoder.blocks.0.cross_attn.hook_pattern}
     * @param unit    its unit, e.g. {@code decoder.blocks.0}; a name outside it is cut from its start
     * @param width   the room there is, in the unit {@code measure} returns
     * @param measure the width of a text in the label's font
     * @return {@code name} if it fits, else the longest elided form that fits (at least the ellipsis)
     */
    static String fit(String name, String unit, double width, ToDoubleFunction<String> measure) {
        if (measure.applyAsDouble(name) <= width) {
            return name;
        }
        String head = name.startsWith(unit + ".") ? unit + "." : "";
        int firstEnd = head.indexOf('.') + 1; // "decoder." of "decoder.blocks.0."
        int lastStart = head.isEmpty() ? 0 : head.lastIndexOf('.', head.length() - 2) + 1; // "0." of it
        String rest = name.substring(Math.max(firstEnd, lastStart));
        if (firstEnd > 1) {
            for (int kept : new int[] {firstEnd, 1}) {
                String candidate = head.substring(0, kept) + ELLIPSIS + rest;
                if (measure.applyAsDouble(candidate) <= width) {
                    return candidate;
                }
            }
        }
        for (int dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.', dot + 1)) {
            String candidate = ELLIPSIS + rest.substring(dot + 1);
            if (measure.applyAsDouble(candidate) <= width) {
                return candidate;
            }
        }
        for (int cut = rest.lastIndexOf('.') + 2; cut < rest.length(); cut++) {
            String candidate = ELLIPSIS + rest.substring(cut);
            if (measure.applyAsDouble(candidate) <= width) {
                return candidate;
            }
        }
        return ELLIPSIS;
    }
}
