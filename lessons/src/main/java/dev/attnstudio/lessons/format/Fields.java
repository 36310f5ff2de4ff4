package dev.attnstudio.lessons.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of one JSON object of a lesson, reporting every problem with its path: a missing field, a value of
 * the wrong type or out of range, and a field the format does not know (with the closest known name, since that is
 * usually a typo).
 */
final class Fields {

    private final JsonValue object;
    private final String path;
    private final Problems problems;

    private Fields(JsonValue object, String path, Problems problems) {
        this.object = object;
        this.path = path;
        this.problems = problems;
    }

    /**
     * The fields of {@code value} at {@code path}, or null (reported) if it is not an object.
     *
     * @param known every field name the object may have
     */
    static Fields of(JsonValue value, String path, Problems problems, Set<String> known) {
        if (value == null || !value.isObject()) {
            problems.add(path, "expected an object ({...}) here, found " + (value == null ? "nothing" : value.describe()));
            return null;
        }
        for (String key : value.members().keySet()) {
            if (!known.contains(key)) {
                problems.add(SourceMap.join(path, key), "unknown field \"" + key + "\"" + suggestion(key, known));
            }
        }
        return new Fields(value, path, problems);
    }

    /** {@code ; did you mean "x"?} for the closest name within two edits, else the list of names. */
    static String suggestion(String key, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            return "; did you mean \"" + best + "\"?";
        }
        return "; expected one of: " + String.join(", ", known.stream().sorted().toList());
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    String path() {
        return path;
    }

    String pathOf(String key) {
        return SourceMap.join(path, key);
    }

    Map<String, JsonValue> members() {
        return object.members();
    }

    boolean has(String key) {
        return object.members().containsKey(key);
    }

    JsonValue get(String key) {
        return object.members().get(key);
    }

    private JsonValue require(String key, boolean required) {
        JsonValue v = object.members().get(key);
        if (v == null && required) {
            problems.add(pathOf(key), "missing field \"" + key + "\"");
        }
        return v;
    }

    /** A non-empty text, or null (reported when required or of the wrong type). */
    String string(String key, boolean required) {
        JsonValue v = require(key, required);
        if (v == null) {
            return null;
        }
        if (!v.isString() || v.string().isBlank()) {
            problems.add(pathOf(key), "\"" + key + "\" must be a non-empty text, found " + v.describe());
            return null;
        }
        return v.string();
    }

    /** An integer in [min, max], or null. */
    Integer integer(String key, boolean required, long min, long max) {
        JsonValue v = require(key, required);
        if (v == null) {
            return null;
        }
        if (v.type() != JsonValue.Type.INTEGER) {
            problems.add(pathOf(key), "\"" + key + "\" must be a whole number, found " + v.describe());
            return null;
        }
        if (v.integer() < min || v.integer() > max) {
            problems.add(pathOf(key), "\"" + key + "\" must be " + range(min, max) + ", found " + v.integer());
            return null;
        }
        return (int) v.integer();
    }

    private static String range(long min, long max) {
        return max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
    }

    /** A number in [min, max], or null. */
    Double number(String key, boolean required, double min, double max) {
        JsonValue v = require(key, required);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            problems.add(pathOf(key), "\"" + key + "\" must be a number, found " + v.describe());
            return null;
        }
        if (!(v.number() >= min && v.number() <= max)) {
            problems.add(pathOf(key), "\"" + key + "\" must be between " + min + " and " + max + ", found " + v.number());
            return null;
        }
        return v.number();
    }

    Boolean bool(String key) {
        JsonValue v = object.members().get(key);
        if (v == null) {
            return null;
        }
        if (v.type() != JsonValue.Type.BOOLEAN) {
            problems.add(pathOf(key), "\"" + key + "\" must be true or false, found " + v.describe());
            return null;
        }
        return v.bool();
    }

    /** A list (possibly empty), or null when absent or not a list (reported). */
    List<JsonValue> array(String key, boolean required) {
        JsonValue v = require(key, required);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            problems.add(pathOf(key), "\"" + key + "\" must be a list ([...]), found " + v.describe());
            return null;
        }
        return v.items();
    }

    /** A list of non-empty texts; a single text is taken as a list of one. Empty when absent. */
    List<String> strings(String key, boolean required) {
        JsonValue v = require(key, required);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isString()) {
            out.add(v.string());
            return out;
        }
        if (!v.isArray()) {
            problems.add(pathOf(key), "\"" + key + "\" must be a list of texts, found " + v.describe());
            return out;
        }
        for (int i = 0; i < v.items().size(); i++) {
            JsonValue item = v.items().get(i);
            if (!item.isString() || item.string().isBlank()) {
                problems.add(pathOf(key) + "[" + i + "]", "expected a non-empty text, found " + item.describe());
            } else {
                out.add(item.string());
            }
        }
        return out;
    }
}
