package dev.attnstudio.lessons.format;

import dev.attnstudio.lessons.probe.AnswerKind;
import dev.attnstudio.lessons.probe.ProbeCall;
import dev.attnstudio.lessons.probe.ProbeCatalogue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads a page's exercise and checks that its probes fit its kind. */
final class ExerciseReader {

    private static final Set<String> FIELDS = Set.of("id", "kind", "question", "difficulty", "minutes", "answer",
            "options", "tolerance", "misconceptions", "hints");

    private ExerciseReader() {
    }

    static Exercise read(JsonValue v, String path, Problems problems) {
        Fields f = Fields.of(v, path, problems, FIELDS);
        if (f == null) {
            return null;
        }
        int mark = problems.size();
        String id = f.string("id", true);
        String kindId = f.string("kind", true);
        ExerciseKind kind = kindId == null ? null : ExerciseKind.of(kindId);
        if (kindId != null && kind == null) {
            problems.add(f.pathOf("kind"), "unknown exercise kind \"" + kindId + "\"" + Fields.suggestion(kindId,
                    ExerciseKind.ids()));
        }
        String question = f.string("question", true);
        Integer difficulty = f.integer("difficulty", true, 1, 5);
        Double minutes = f.number("minutes", true, 0.5, 240);
        ProbeCall answer = f.has("answer") ? ProbeReader.read(f.get("answer"), f.pathOf("answer"), problems, Set.of())
                : missing(f, "answer", problems);
        AnswerKind answerKind = answer == null ? null : ProbeCatalogue.of(answer).kind(answer);
        boolean answerFits = kind == null || answerKind == null || kind.answers.contains(answerKind);
        if (!answerFits) {
            problems.add(f.pathOf("answer") + ".probe", "probe " + answer.probe() + " gives " + name(answerKind)
                    + " here; a " + kind.id + " exercise needs " + String.join(" or ",
                    kind.answers.stream().map(ExerciseReader::name).sorted().toList()));
        }
        ProbeCall options = null;
        boolean wantsOptions = answerKind == AnswerKind.CHOICE || kind == ExerciseKind.CHOICE;
        if (f.has("options")) {
            options = ProbeReader.read(f.get("options"), f.pathOf("options"), problems, Set.of());
            if (!wantsOptions) {
                problems.add(f.pathOf("options"), "only a choice (or a predict answered by a choice) has options");
            } else if (options != null && ProbeCatalogue.of(options).kind(options) != AnswerKind.OPTIONS) {
                problems.add(f.pathOf("options") + ".probe", "probe " + options.probe() + " does not list options;"
                        + " use one such as mask-bugs or heads");
            }
        } else if (wantsOptions) {
            problems.add(f.pathOf("options"), "a choice needs \"options\": a probe that lists them, e.g."
                    + " {\"probe\": \"heads\", \"layer\": 0}");
        }
        Tolerance tolerance = tolerance(f, problems);
        List<Exercise.Misconception> misconceptions = new ArrayList<>();
        List<JsonValue> items = f.array("misconceptions", false);
        for (int i = 0; items != null && i < items.size(); i++) {
            String at = f.pathOf("misconceptions") + "[" + i + "]";
            JsonValue item = items.get(i);
            ProbeCall call = ProbeReader.read(item, at, problems, Set.of("message"));
            JsonValue message = item.isObject() ? item.members().get("message") : null;
            if (item.isObject() && (message == null || !message.isString() || message.string().isBlank())) {
                problems.add(SourceMap.join(at, "message"), "a misconception needs a \"message\": what the student who"
                        + " made this mistake is told");
                continue;
            }
            if (call == null) {
                continue;
            }
            AnswerKind k = ProbeCatalogue.of(call).kind(call);
            if (answerFits && answerKind != null && k != answerKind) {
                problems.add(SourceMap.join(at, "probe"), "probe " + call.probe() + " gives " + name(k)
                        + " here, but the answer is " + name(answerKind) + ": a misconception must give the same kind");
                continue;
            }
            misconceptions.add(new Exercise.Misconception(call, message.string()));
        }
        List<String> hints = f.strings("hints", false);
        if (problems.anySince(mark)) {
            return null;
        }
        return new Exercise(id, kind, question, difficulty, minutes, answer, options, tolerance, misconceptions, hints);
    }

    private static ProbeCall missing(Fields f, String key, Problems problems) {
        problems.add(f.pathOf(key), "missing field \"" + key + "\": the probe that computes the right answer");
        return null;
    }

    private static Tolerance tolerance(Fields f, Problems problems) {
        if (!f.has("tolerance")) {
            return Tolerance.ARENA;
        }
        Fields t = Fields.of(f.get("tolerance"), f.pathOf("tolerance"), problems, Set.of("atol", "rtol"));
        if (t == null) {
            return Tolerance.ARENA;
        }
        Double atol = t.number("atol", false, 0, 1e9);
        Double rtol = t.number("rtol", false, 0, 1);
        return new Tolerance(atol == null ? Tolerance.ARENA.atol() : atol, rtol == null ? Tolerance.ARENA.rtol() : rtol);
    }

    /** "a number", "a cell", ... */
    static String name(AnswerKind k) {
        return switch (k) {
            case NUMBER -> "a number";
            case CELL -> "a cell";
            case SHAPE -> "a shape";
            case CHOICE -> "a choice";
            case OPTIONS -> "a list of options";
            case ORDER -> "an order";
            case TENSOR -> "a tensor";
        };
    }
}
