package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one page: its Markdown file, setup, worked example and exercise. */
final class PageReader {

    private static final Set<String> FIELDS = Set.of("file", "title", "model", "prompt", "interventions", "actions",
            "view", "highlight", "worked", "exercise");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * What a page inherits from its lesson.
     *
     * @param modelGiven  whether the lesson names a model (null {@code model}: one with a problem, already reported)
     * @param promptGiven whether the lesson gives a prompt
     */
    record Defaults(ModelRef model, boolean modelGiven, Prompt prompt, boolean promptGiven) {
    }

    private PageReader() {
    }

    /** @return the page, or null when it has problems (all reported) */
    static Page read(JsonValue v, int index, LessonSource source, Defaults defaults, Problems problems) {
        String path = "pages[" + index + "]";
        Fields f = Fields.of(v, path, problems, FIELDS);
        if (f == null) {
            return null;
        }
        int mark = problems.size();
        String file = f.string("file", true);
        String markdown = null;
        if (file != null) {
            Optional<String> text;
            try {
                text = source.read(file);
            } catch (LessonSource.UnreadableFile e) {
                problems.add(f.pathOf("file"), e.getMessage());
                text = null;
            }
            if (text == null) {
                // said above
            } else if (text.isEmpty()) {
                problems.add(f.pathOf("file"), "page file " + file + " not found in " + source.label());
            } else {
                markdown = text.get();
            }
        }
        ModelRef model = f.has("model") ? SetupReader.model(f.get("model"), f.pathOf("model"), source.folder(), problems)
                : defaults.model();
        if (model == null && !f.has("model") && !defaults.modelGiven()) {
            problems.add(f.pathOf("model"), "no model: give the lesson or this page a \"model\" (a bundled sample's"
                    + " name, or {\"folder\": ...})");
        }
        Prompt prompt = f.has("prompt") ? SetupReader.prompt(f.get("prompt"), f.pathOf("prompt"), problems)
                : defaults.prompt();
        if (prompt == null && !f.has("prompt") && !defaults.promptGiven()) {
            problems.add(f.pathOf("prompt"), "no prompt: give the lesson or this page a \"prompt\"");
        }
        List<String> interventions = SetupReader.interventions(f, "interventions", problems);
        List<JsonValue> actionItems = f.array("actions", false);
        List<Action> actions = actionItems == null ? List.of()
                : SetupReader.actions(actionItems, f.pathOf("actions"), problems);
        ViewSelection view = f.has("view") ? SetupReader.view(f.get("view"), f.pathOf("view"), problems) : null;
        List<JsonValue> highlightItems = f.array("highlight", false);
        List<Highlight> highlights = highlightItems == null ? List.of()
                : SetupReader.highlights(highlightItems, f.pathOf("highlight"), problems);
        Worked worked = f.has("worked") ? worked(f.get("worked"), f.pathOf("worked"), problems) : Worked.NONE;
        Exercise exercise = f.has("exercise") ? ExerciseReader.read(f.get("exercise"), f.pathOf("exercise"), problems)
                : null;
        if (markdown != null && worked != null) {
            for (Placeholders.Use use : Placeholders.find(markdown)) {
                if (!worked.tensors().containsKey(use.name()) && !worked.compute().containsKey(use.name())) {
                    problems.inPage(index, file, use.line(), "{{" + use.name() + "}} is not computed on this page"
                            + (worked.isEmpty() ? ": the page has no \"worked\" example" : "; it computes: "
                            + String.join(", ", names(worked))));
                }
            }
        }
        if (problems.anySince(mark)) {
            return null;
        }
        String title = f.string("title", false);
        return new Page(index, file, title != null ? title : heading(markdown, file), markdown,
                new PageSetup(model, prompt, interventions, actions, view, highlights), worked, exercise);
    }

    private static List<String> names(Worked w) {
        List<String> all = new ArrayList<>(w.tensors().keySet());
        all.addAll(w.compute().keySet());
        return all;
    }

    /** The Markdown's first "# " heading, else the file name. */
    private static String heading(String markdown, String file) {
        for (String line : markdown.split("\n")) {
            if (line.startsWith("# ")) {
                return line.substring(2).strip();
            }
        }
        return file;
    }

    private static Worked worked(JsonValue v, String path, Problems problems) {
        Fields f = Fields.of(v, path, problems, Set.of("tensors", "compute"));
        if (f == null) {
            return null;
        }
        int mark = problems.size();
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        if (f.has("tensors")) {
            Fields t = Fields.of(f.get("tensors"), f.pathOf("tensors"), problems, f.get("tensors").isObject()
                    ? f.get("tensors").members().keySet() : Set.of());
            if (t != null) {
                t.members().forEach((name, value) -> {
                    String at = t.pathOf(name);
                    if (!NAME.matcher(name).matches()) {
                        problems.add(at, "a tensor's name is a plain identifier (letters, digits, _), not \"" + name + "\"");
                    } else {
                        TensorData d = literal(name, value, at, problems);
                        if (d != null) {
                            tensors.put(name, d);
                        }
                    }
                });
            }
        }
        Map<String, String> compute = new LinkedHashMap<>();
        if (f.has("compute")) {
            Fields c = Fields.of(f.get("compute"), f.pathOf("compute"), problems, f.get("compute").isObject()
                    ? f.get("compute").members().keySet() : Set.of());
            if (c != null) {
                for (String name : c.members().keySet()) {
                    String text = c.string(name, true);
                    if (!NAME.matcher(name).matches() || tensors.containsKey(name)) {
                        problems.add(c.pathOf(name), "\"" + name + "\" must be a plain identifier not used by a tensor");
                    } else if (text != null) {
                        try {
                            Expression.parse(text);
                            compute.put(name, text);
                        } catch (ExpressionException e) {
                            problems.add(c.pathOf(name), "the expression does not parse: " + e.getMessage());
                        }
                    }
                }
            }
        }
        return problems.anySince(mark) ? null : new Worked(tensors, compute);
    }

    /** A nested list of numbers as a tensor; it must be rectangular. */
    private static TensorData literal(String name, JsonValue v, String path, Problems problems) {
        List<Long> shape = new ArrayList<>();
        JsonValue probe = v;
        while (probe.isArray()) {
            if (probe.items().isEmpty()) {
                problems.add(path, "a tensor's lists must not be empty");
                return null;
            }
            shape.add((long) probe.items().size());
            probe = probe.items().get(0);
        }
        List<Float> values = new ArrayList<>();
        if (!flatten(v, 0, shape, values)) {
            problems.add(path, "a tensor is a number or nested lists of numbers of equal lengths (found a ragged or"
                    + " non-numeric list)");
            return null;
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return new TensorData(name, shape.stream().mapToLong(Long::longValue).toArray(), out);
    }

    private static boolean flatten(JsonValue v, int axis, List<Long> shape, List<Float> out) {
        if (axis == shape.size()) {
            if (!v.isNumber()) {
                return false;
            }
            out.add((float) v.number());
            return true;
        }
        if (!v.isArray() || v.items().size() != shape.get(axis)) {
            return false;
        }
        for (JsonValue item : v.items()) {
            if (!flatten(item, axis + 1, shape, out)) {
                return false;
            }
        }
        return true;
    }
}
