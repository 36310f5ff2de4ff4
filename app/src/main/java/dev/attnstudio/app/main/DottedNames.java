package dev.attnstudio.app.main;

import java.util.function.ToDoubleFunction;

/**
 * Lays a dotted hook name or pattern ({@code decoder.blocks.0.cross_attn.hook_pattern}) out in a narrow column:
 * whole when it fits, else broken after its dots onto as many lines as it needs, each as full as it can be. Nothing
 * is left out, so a name is always read whole (a part longer than the column is the label's own wrapping to do).
 */
final class DottedNames {

    private DottedNames() {
    }

    /**
     * @param name    the name
     * @param room    the width there is, in the unit {@code measure} returns
     * @param measure the width of a text in the label's font
     * @return the name with a line break after some of its dots
     */
    static String wrap(String name, double room, ToDoubleFunction<String> measure) {
        if (measure.applyAsDouble(name) <= room) {
            return name;
        }
        StringBuilder out = new StringBuilder();
        String line = "";
        int start = 0;
        while (start < name.length()) {
            int dot = name.indexOf('.', start);
            String part = dot < 0 ? name.substring(start) : name.substring(start, dot + 1);
            start += part.length();
            if (!line.isEmpty() && measure.applyAsDouble(line + part) > room) {
                out.append(line).append('\n');
                line = "";
            }
            line += part;
        }
        return out.append(line).toString();
    }
}
