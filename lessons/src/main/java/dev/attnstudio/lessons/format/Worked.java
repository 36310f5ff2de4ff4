package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.step.TensorData;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A page's worked example, computed by the engine when the page opens: literal tensors the lesson writes (numbers
 * chosen for the example, never answers) and named expressions over them and over the live hooks. The page's
 * Markdown shows each result where it writes {@code {{name}}} (or {@code {{name:3}}} for 3 decimals).
 *
 * @param tensors literal tensors by name
 * @param compute expressions by name, evaluated in order; each may use the names before it
 */
public record Worked(Map<String, TensorData> tensors, Map<String, String> compute) {

    public static final Worked NONE = new Worked(Map.of(), Map.of());

    public Worked {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        compute = Collections.unmodifiableMap(new LinkedHashMap<>(compute));
    }

    public boolean isEmpty() {
        return tensors.isEmpty() && compute.isEmpty();
    }
}
