package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.lessons.probe.Param;
import dev.attnstudio.lessons.probe.ParamType;
import dev.attnstudio.lessons.probe.Probe;
import dev.attnstudio.lessons.probe.ProbeCall;
import dev.attnstudio.lessons.probe.ProbeCatalogue;
import dev.attnstudio.lessons.probe.Sites;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a probe call, {@code {"probe": "argmax-key", "layer": 1, "head": 0, "query": 7}}: the probe must be in the
 * catalogue, and every parameter known, of its type and (for choices and hook names) valid.
 */
final class ProbeReader {

    private ProbeReader() {
    }

    /**
     * @param extra fields the object may hold besides the probe's parameters (a misconception's {@code message})
     * @return the call, or null when it cannot be used (every problem reported)
     */
    static ProbeCall read(JsonValue value, String path, Problems problems, Set<String> extra) {
        if (value == null || !value.isObject()) {
            problems.add(path, "expected a probe here, e.g. {\"probe\": \"argmax-key\", \"layer\": 0, ...}; found "
                    + (value == null ? "nothing" : value.describe()));
            return null;
        }
        JsonValue nameValue = value.members().get("probe");
        if (nameValue == null || !nameValue.isString()) {
            problems.add(SourceMap.join(path, "probe"), nameValue == null ? "missing field \"probe\": name a probe of the"
                    + " catalogue" : "\"probe\" must be a probe's name, found " + nameValue.describe());
            return null;
        }
        String name = nameValue.string();
        Probe probe = ProbeCatalogue.find(name).orElse(null);
        if (probe == null) {
            problems.add(SourceMap.join(path, "probe"), "unknown probe \"" + name + "\""
                    + Fields.suggestion(name, ProbeCatalogue.names()));
            return null;
        }
        Map<String, Param> params = new LinkedHashMap<>();
        probe.params().forEach(p -> params.put(p.name(), p));
        Map<String, Object> args = new LinkedHashMap<>();
        int before = problems.size();
        for (Map.Entry<String, JsonValue> e : value.members().entrySet()) {
            String key = e.getKey();
            if (key.equals("probe") || extra.contains(key)) {
                continue;
            }
            Param param = params.get(key);
            String at = SourceMap.join(path, key);
            if (param == null) {
                Set<String> known = new LinkedHashSet<>(params.keySet());
                problems.add(at, "probe " + name + " has no parameter \"" + key + "\""
                        + (known.isEmpty() ? "; it takes none" : Fields.suggestion(key, known)));
                continue;
            }
            Object arg = argument(param, e.getValue(), at, problems);
            if (arg != null) {
                args.put(key, arg);
            }
        }
        for (Param p : probe.params()) {
            if (p.required() && !value.members().containsKey(p.name())) {
                problems.add(SourceMap.join(path, p.name()), "probe " + name + " needs \"" + p.name() + "\" (" + p.help()
                        + ")");
            }
        }
        return problems.anySince(before) ? null : new ProbeCall(name, args);
    }

    private static Object argument(Param p, JsonValue v, String at, Problems problems) {
        ParamType t = p.type();
        if (t.integral) {
            if (v.type() != JsonValue.Type.INTEGER) {
                problems.add(at, "\"" + p.name() + "\" must be a whole number, found " + v.describe());
                return null;
            }
            if (t != ParamType.INT && v.integer() < 0) {
                problems.add(at, "\"" + p.name() + "\" must be 0 or more, found " + v.integer());
                return null;
            }
            return v.integer();
        }
        switch (t) {
            case NUMBER -> {
                if (!v.isNumber()) {
                    problems.add(at, "\"" + p.name() + "\" must be a number, found " + v.describe());
                    return null;
                }
                return v.number();
            }
            case BOOL -> {
                if (v.type() != JsonValue.Type.BOOLEAN) {
                    problems.add(at, "\"" + p.name() + "\" must be true or false, found " + v.describe());
                    return null;
                }
                return v.bool();
            }
            case NAMES -> {
                if (!v.isArray()) {
                    problems.add(at, "\"" + p.name() + "\" must be a list of texts, found " + v.describe());
                    return null;
                }
                List<String> names = new ArrayList<>();
                for (int i = 0; i < v.items().size(); i++) {
                    JsonValue item = v.items().get(i);
                    if (!item.isString() || (!p.choices().isEmpty() && !p.choices().contains(item.string()))) {
                        problems.add(at + "[" + i + "]", item.describe() + " is not one of: "
                                + String.join(", ", p.choices()));
                        return null;
                    }
                    names.add(item.string());
                }
                return List.copyOf(names);
            }
            default -> {
                if (!v.isString()) {
                    problems.add(at, "\"" + p.name() + "\" must be a text, found " + v.describe());
                    return null;
                }
                String s = v.string();
                String wrong = switch (t) {
                    case CHOICE -> p.choices().contains(s) ? null : "\"" + s + "\" is not a " + p.name() + "; choose one of: "
                            + String.join(", ", p.choices());
                    case STACK -> Sites.NAMES.contains(s) ? null : "\"" + s + "\" is not a stack; choose one of: "
                            + String.join(", ", Sites.NAMES);
                    case HOOK -> hookProblem(s);
                    default -> null;
                };
                if (wrong != null) {
                    problems.add(at, wrong);
                    return null;
                }
                return s;
            }
        }
    }

    /** Why a text is not a full hook name, or null if it is one. */
    static String hookProblem(String hook) {
        try {
            HookName.parse(hook);
            return null;
        } catch (IllegalArgumentException e) {
            return "unknown hook: " + e.getMessage();
        }
    }
}
