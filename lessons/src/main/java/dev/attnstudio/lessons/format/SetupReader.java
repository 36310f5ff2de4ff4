package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.lessons.probe.Sites;
import dev.attnstudio.samples.SampleModels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads the parts of a page's setup: model, prompt, interventions, actions, view and highlights. */
final class SetupReader {

    private SetupReader() {
    }

    /** {@code "induction-2l"} or {@code {"folder": "models/mine"}}; null when unusable (reported). */
    static ModelRef model(JsonValue v, String path, Path lessonFolder, Problems problems) {
        if (v.isString()) {
            String name = v.string();
            if (SampleModels.find(name).isEmpty()) {
                problems.add(path, "no bundled sample is named \"" + name + "\"" + Fields.suggestion(name,
                        SampleModels.catalog().stream().map(SampleModels.Sample::name).toList()));
                return null;
            }
            return new ModelRef.Sample(name);
        }
        Fields f = Fields.of(v, path, problems, Set.of("folder"));
        if (f == null) {
            return null;
        }
        String written = f.string("folder", true);
        if (written == null) {
            return null;
        }
        if (lessonFolder == null) {
            problems.add(f.pathOf("folder"), "a bundled lesson can only use bundled samples (by name)");
            return null;
        }
        Path folder = lessonFolder.resolve(written).normalize();
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            problems.add(f.pathOf("folder"), "no model folder at " + folder + " (it needs config.json and"
                    + " model.safetensors)");
            return null;
        }
        return new ModelRef.Folder(folder, written);
    }

    /** {@code "a text"} or {@code {"text"|"texts"|"ids": ..., "decoderIds": [...], "padId": 0, "padding": "left"}}. */
    static Prompt prompt(JsonValue v, String path, Problems problems) {
        if (v.isString()) {
            return Prompt.text(v.string());
        }
        Fields f = Fields.of(v, path, problems, Set.of("text", "texts", "ids", "decoderIds", "padId",
                "padding"));
        if (f == null) {
            return null;
        }
        int given = (f.has("text") ? 1 : 0) + (f.has("texts") ? 1 : 0) + (f.has("ids") ? 1 : 0);
        if (given != 1) {
            problems.add(path, "a prompt gives exactly one of \"text\", \"texts\" (a batch) or \"ids\"");
            return null;
        }
        List<String> texts = new ArrayList<>();
        List<long[]> ids = new ArrayList<>();
        if (f.has("text")) {
            String t = f.string("text", true);
            if (t != null) {
                texts.add(t);
            }
        } else if (f.has("texts")) {
            texts.addAll(f.strings("texts", true));
            if (texts.isEmpty()) {
                problems.add(f.pathOf("texts"), "\"texts\" needs at least one text");
            }
        } else {
            JsonValue idsValue = f.get("ids");
            if (idsValue.isArray() && !idsValue.items().isEmpty() && idsValue.items().get(0).isArray()) {
                for (int r = 0; r < idsValue.items().size(); r++) {
                    long[] row = ids(idsValue.items().get(r), f.pathOf("ids") + "[" + r + "]", problems);
                    if (row != null) {
                        ids.add(row);
                    }
                }
            } else {
                long[] row = ids(idsValue, f.pathOf("ids"), problems);
                if (row != null) {
                    ids.add(row);
                }
            }
        }
        long[] decoder = f.has("decoderIds") ? ids(f.get("decoderIds"), f.pathOf("decoderIds"), problems) : null;
        Integer pad = f.integer("padId", false, 0, Integer.MAX_VALUE);
        String side = f.string("padding", false);
        if (side != null && !side.equals("left") && !side.equals("right")) {
            problems.add(f.pathOf("padding"), "\"padding\" is \"left\" or \"right\" (the default), found \"" + side + "\"");
        }
        if (texts.isEmpty() && ids.isEmpty()) {
            return null;
        }
        return new Prompt(texts, ids, decoder, pad == null ? 0 : pad, "left".equals(side));
    }

    private static long[] ids(JsonValue v, String path, Problems problems) {
        if (!v.isArray() || v.items().isEmpty()) {
            problems.add(path, "expected a non-empty list of token ids, found " + v.describe());
            return null;
        }
        long[] out = new long[v.items().size()];
        for (int i = 0; i < out.length; i++) {
            JsonValue item = v.items().get(i);
            if (item.type() != JsonValue.Type.INTEGER || item.integer() < 0) {
                problems.add(path + "[" + i + "]", "a token id is a whole number of 0 or more, found " + item.describe());
                return null;
            }
            out[i] = item.integer();
        }
        return out;
    }

    /** Interventions in command-line form, each checked by the engine's parser. */
    static List<String> interventions(Fields f, String key, Problems problems) {
        List<String> specs = f.strings(key, false);
        List<String> ok = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            try {
                ok.add(Interventions.parse(specs.get(i)).spec());
            } catch (IllegalArgumentException e) {
                problems.add(f.pathOf(key) + "[" + i + "]", e.getMessage());
            }
        }
        return ok;
    }

    static List<Action> actions(List<JsonValue> items, String path, Problems problems) {
        List<Action> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Action a = action(items.get(i), path + "[" + i + "]", problems);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    private static Action action(JsonValue v, String path, Problems problems) {
        if (!v.isObject() || !v.members().containsKey("do") || !v.members().get("do").isString()) {
            problems.add(SourceMap.join(path, "do"), "an action is an object naming what to do, e.g. {\"do\": \"run-to\","
                    + " \"hook\": \"blocks.0.attn.hook_pattern\"}; found " + v.describe());
            return null;
        }
        String name = v.members().get("do").string();
        Set<String> known = switch (name) {
            case "reset", "run-to-end" -> Set.of("do");
            case "step", "step-back", "step-over" -> Set.of("do", "count");
            case "run-to" -> Set.of("do", "hook");
            case "generate" -> Set.of("do", "tokens", "temperature", "topK", "topP", "seed");
            case "intervene" -> Set.of("do", "spec", "on");
            case "mask-bug" -> Set.of("do", "bug", "from", "on");
            default -> null;
        };
        if (known == null) {
            problems.add(SourceMap.join(path, "do"), "unknown action \"" + name + "\"" + Fields.suggestion(name, Action.NAMES));
            return null;
        }
        Fields f = Fields.of(v, path, problems, known);
        int mark = problems.size();
        Action action = switch (name) {
            case "reset" -> new Action.Reset();
            case "run-to-end" -> new Action.RunToEnd();
            case "step", "step-back", "step-over" -> {
                Integer count = f.integer("count", false, 1, 100_000);
                int n = count == null ? 1 : count;
                yield name.equals("step") ? new Action.Step(n) : name.equals("step-back") ? new Action.StepBack(n)
                        : new Action.StepOver(n);
            }
            case "run-to" -> {
                String hook = f.string("hook", true);
                if (hook != null && !hook.contains("*")) {
                    String wrong = ProbeReader.hookProblem(hook);
                    if (wrong != null) {
                        problems.add(f.pathOf("hook"), wrong);
                    }
                }
                yield hook == null ? null : new Action.RunTo(hook);
            }
            case "generate" -> {
                Integer tokens = f.integer("tokens", true, 1, 4096);
                Double temperature = f.number("temperature", false, 0, 100);
                Integer topK = f.integer("topK", false, 0, Integer.MAX_VALUE);
                Double topP = f.number("topP", false, Double.MIN_VALUE, 1);
                Integer seed = f.integer("seed", false, Integer.MIN_VALUE, Integer.MAX_VALUE);
                yield tokens == null ? null : new Action.Generate(tokens, new SamplingConfig(
                        temperature == null ? 0 : temperature, topK == null ? 0 : topK, topP == null ? 1 : topP,
                        seed == null ? 0 : seed));
            }
            case "intervene" -> {
                String spec = f.string("spec", true);
                Boolean on = f.bool("on");
                String parsed = null;
                if (spec != null) {
                    try {
                        parsed = Interventions.parse(spec).spec();
                    } catch (IllegalArgumentException e) {
                        problems.add(f.pathOf("spec"), e.getMessage());
                    }
                }
                yield parsed == null ? null : new Action.Intervene(parsed, on == null || on, false);
            }
            default -> maskBug(f, problems);
        };
        return problems.anySince(mark) ? null : action;
    }

    private static Action maskBug(Fields f, Problems problems) {
        String bug = f.string("bug", true);
        Boolean on = f.bool("on");
        List<String> from = f.strings("from", false);
        if (bug == null) {
            return null;
        }
        List<String> names = MaskBug.names();
        if (!bug.equals(Action.MaskBugSwitch.RANDOM) && !names.contains(bug)) {
            problems.add(f.pathOf("bug"), "no mask bug is named \"" + bug + "\"; the bugs: " + String.join(", ", names)
                    + ", or random");
            return null;
        }
        if (!from.isEmpty() && !bug.equals(Action.MaskBugSwitch.RANDOM)) {
            problems.add(f.pathOf("from"), "\"from\" only goes with \"bug\": \"random\"");
        }
        for (int i = 0; i < from.size(); i++) {
            if (!names.contains(from.get(i))) {
                problems.add(f.pathOf("from") + "[" + i + "]", "no mask bug is named \"" + from.get(i) + "\"; the bugs: "
                        + String.join(", ", names));
            }
        }
        return new Action.MaskBugSwitch(bug, from.isEmpty() ? names : from, on == null || on);
    }

    /** {@code {"show": "head", "layer": 0, "head": 1, ...}} */
    static ViewSelection view(JsonValue v, String path, Problems problems) {
        Fields f = Fields.of(v, path, problems, Set.of("show", "layer", "head", "row", "stack", "query", "hook"));
        if (f == null) {
            return null;
        }
        int mark = problems.size();
        String show = f.string("show", true);
        if (show != null && !ViewSelection.VIEWS.contains(show)) {
            problems.add(f.pathOf("show"), "unknown view \"" + show + "\"" + Fields.suggestion(show, ViewSelection.VIEWS));
        }
        Integer layer = f.integer("layer", false, 0, Integer.MAX_VALUE);
        Integer head = f.integer("head", false, 0, Integer.MAX_VALUE);
        Integer row = f.integer("row", false, 0, Integer.MAX_VALUE);
        Integer query = f.integer("query", false, 0, Integer.MAX_VALUE);
        String stack = f.string("stack", false);
        if (stack != null && !Sites.NAMES.contains(stack)) {
            problems.add(f.pathOf("stack"), "\"" + stack + "\" is not a stack; choose one of: " + String.join(", ", Sites.NAMES));
        }
        String hook = f.string("hook", false);
        if (hook != null && ProbeReader.hookProblem(hook) != null) {
            problems.add(f.pathOf("hook"), ProbeReader.hookProblem(hook));
        }
        return problems.anySince(mark) ? null : new ViewSelection(show, layer, head, row, stack, query, hook);
    }

    static List<Highlight> highlights(List<JsonValue> items, String path, Problems problems) {
        List<Highlight> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = path + "[" + i + "]";
            JsonValue v = items.get(i);
            if (!v.isObject() || v.members().size() != 1) {
                problems.add(at, "a highlight is one of {\"cell\": [query, key]}, {\"row\": query}, {\"column\": key},"
                        + " {\"step\": hook}; found " + v.describe());
                continue;
            }
            Fields f = Fields.of(v, at, problems, Set.of("cell", "row", "column", "step"));
            if (f == null) {
                continue;
            }
            int mark = problems.size();
            if (f.has("cell")) {
                JsonValue c = f.get("cell");
                if (!c.isArray() || c.items().size() != 2 || c.items().stream().anyMatch(x ->
                        x.type() != JsonValue.Type.INTEGER || x.integer() < 0)) {
                    problems.add(f.pathOf("cell"), "a cell is [query, key], two whole numbers; found " + c.describe());
                } else {
                    out.add(new Highlight.Cell((int) c.items().get(0).integer(), (int) c.items().get(1).integer()));
                }
            } else if (f.has("row")) {
                Integer q = f.integer("row", true, 0, Integer.MAX_VALUE);
                if (q != null) {
                    out.add(new Highlight.Row(q));
                }
            } else if (f.has("column")) {
                Integer k = f.integer("column", true, 0, Integer.MAX_VALUE);
                if (k != null) {
                    out.add(new Highlight.Column(k));
                }
            } else if (f.has("step")) {
                String hook = f.string("step", true);
                if (hook != null && ProbeReader.hookProblem(hook) != null) {
                    problems.add(f.pathOf("step"), ProbeReader.hookProblem(hook));
                } else if (hook != null && !problems.anySince(mark)) {
                    out.add(new Highlight.Step(hook));
                }
            }
        }
        return out;
    }
}
