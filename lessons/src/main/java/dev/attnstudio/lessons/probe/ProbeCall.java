package dev.attnstudio.lessons.probe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A probe named in a lesson with its parameters, e.g. {@code {"probe": "argmax-key", "layer": 1, "head": 0,
 * "query": 7}}. The values are already typed by the probe's {@link Param}s: {@code Long} for integers, {@code Double}
 * for numbers, {@code String}, {@code Boolean}, {@code List<String>}.
 *
 * @param probe the probe's name in the {@link ProbeCatalogue}
 * @param args  the parameters given, in file order
 */
public record ProbeCall(String probe, Map<String, Object> args) {

    public ProbeCall {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    /** A call built in code: {@code ProbeCall.of("weights", "layer", 0, "head", 1)}. Integers are widened to long. */
    public static ProbeCall of(String probe, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            m.put((String) keyValues[i], v instanceof Integer n ? Long.valueOf(n) : v);
        }
        return new ProbeCall(probe, m);
    }

    public boolean has(String name) {
        return args.containsKey(name);
    }

    /** An integer parameter that must be there (its absence is an authoring error the reader reports first). */
    public int integer(String name) {
        Object v = args.get(name);
        if (!(v instanceof Long n)) {
            throw new ProbeException(name, probe + " needs \"" + name + "\"");
        }
        return Math.toIntExact(n);
    }

    public int integer(String name, int fallback) {
        return has(name) ? integer(name) : fallback;
    }

    /** An optional integer parameter, or null. */
    public Integer optionalInteger(String name) {
        return has(name) ? integer(name) : null;
    }

    public double number(String name, double fallback) {
        Object v = args.get(name);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    public String string(String name, String fallback) {
        Object v = args.get(name);
        return v instanceof String s ? s : fallback;
    }

    public boolean bool(String name, boolean fallback) {
        Object v = args.get(name);
        return v instanceof Boolean b ? b : fallback;
    }

    @SuppressWarnings("unchecked")
    public List<String> names(String name, List<String> fallback) {
        Object v = args.get(name);
        return v instanceof List<?> l ? (List<String>) l : fallback;
    }

    /** {@code argmax-key(layer=1, head=0, query=7)}, for messages and reports. */
    @Override
    public String toString() {
        return probe + "(" + args.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }
}
