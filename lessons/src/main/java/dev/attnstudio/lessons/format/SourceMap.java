package dev.attnstudio.lessons.format;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a lesson.json starts, by its path ({@code pages[2].exercise.answer.layer}), so that a problem
 * found long after parsing (a layer out of range once the model is open) still names its line.
 */
public final class SourceMap {

    /** A 1-based line and column. */
    public record Location(int line, int column) {
        public static final Location START = new Location(1, 1);
    }

    private final Map<String, Location> locations = new HashMap<>();

    /** No locations (a lesson built in code). */
    public static final SourceMap EMPTY = new SourceMap();

    private SourceMap() {
    }

    /** Every value of the tree, by path. */
    public static SourceMap of(JsonValue root) {
        SourceMap map = new SourceMap();
        map.add("", root);
        return map;
    }

    private void add(String path, JsonValue v) {
        locations.put(path, new Location(v.line(), v.column()));
        if (v.isObject()) {
            v.members().forEach((key, child) -> add(join(path, key), child));
        } else if (v.isArray()) {
            for (int i = 0; i < v.items().size(); i++) {
                add(path + "[" + i + "]", v.items().get(i));
            }
        }
    }

    /** {@code a.b} from a path and a key; the key alone at the root. */
    public static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Where a path's value starts; for a path that is not in the file (a missing field), where its nearest enclosing
     * value starts.
     */
    public Location locate(String path) {
        String p = path;
        while (true) {
            Location at = locations.get(p);
            if (at != null) {
                return at;
            }
            if (p.isEmpty()) {
                return Location.START;
            }
            int dot = p.lastIndexOf('.');
            int bracket = p.lastIndexOf('[');
            p = p.substring(0, Math.max(0, Math.max(dot, bracket)));
        }
    }
}
