package dev.attnstudio.lessons.format;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a lesson folder: {@code lesson.json} and the Markdown files its pages name. Every problem is collected (not
 * just the first), each with the lesson, page, field and line; a lesson with any problem is not returned.
 *
 * <p>What can only be checked with the model open (a layer out of range, a query past the prompt's end) is checked
 * when a page opens ({@link dev.attnstudio.lessons.run.PageRunner}) and by the checker.
 */
public final class LessonReader {

    /** The lesson format this reader reads; a lesson may state it as {@code "format": 1}. */
    public static final int FORMAT = 1;

    private static final Set<String> FIELDS = Set.of("format", "id", "title", "summary", "model", "prompt", "pages");

    /**
     * What reading gave.
     *
     * @param lesson   the lesson, or null when it has problems
     * @param problems every problem found, in file order
     */
    public record Result(Lesson lesson, List<LessonProblem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return lesson != null;
        }
    }

    private LessonReader() {
    }

    public static Result read(LessonSource source) {
        String text;
        try {
            text = source.read(LessonProblem.LESSON_FILE).orElse(null);
        } catch (LessonSource.UnreadableFile e) {
            return new Result(null, List.of(new LessonProblem(source.name(), 0, null, null, LessonProblem.LESSON_FILE, 1,
                    e.getMessage())));
        }
        if (text == null) {
            return new Result(null, List.of(new LessonProblem(source.name(), 0, null, null, LessonProblem.LESSON_FILE, 1,
                    "no lesson.json in " + source.label())));
        }
        JsonValue root;
        try {
            root = JsonTree.read(text);
        } catch (JsonTree.SyntaxError e) {
            LessonProblem at = LessonProblem.at(source.name(), List.of(), SourceMap.EMPTY, e.path(), "");
            return new Result(null, List.of(new LessonProblem(source.name(), at.page(), null, e.path().isEmpty() ? null
                    : at.field(), LessonProblem.LESSON_FILE, e.line(), "bad JSON at column " + e.column() + ": "
                    + e.getMessage())));
        }
        SourceMap where = SourceMap.of(root);
        Problems problems = new Problems();
        Fields f = Fields.of(root, "", problems, FIELDS);
        if (f == null) {
            return new Result(null, problems.resolve(source.name(), List.of(), where));
        }
        Integer format = f.integer("format", false, 1, Integer.MAX_VALUE);
        if (format != null && format > FORMAT) {
            problems.add("format", "this lesson is written in format " + format + "; this version of Attention Studio"
                    + " reads format " + FORMAT);
        }
        String id = f.string("id", true);
        String title = f.string("title", true);
        String summary = f.string("summary", false);
        ModelRef model = f.has("model") ? SetupReader.model(f.get("model"), "model", source.folder(), problems) : null;
        Prompt prompt = f.has("prompt") ? SetupReader.prompt(f.get("prompt"), "prompt", problems) : null;
        List<JsonValue> pageItems = f.array("pages", true);
        List<Page> pages = new ArrayList<>();
        List<String> files = new ArrayList<>();
        if (pageItems != null && pageItems.isEmpty()) {
            problems.add("pages", "a lesson needs at least one page");
        }
        for (int i = 0; pageItems != null && i < pageItems.size(); i++) {
            JsonValue item = pageItems.get(i);
            JsonValue file = item.isObject() ? item.members().get("file") : null;
            files.add(file != null && file.isString() ? file.string() : null);
            Page page = PageReader.read(item, i, source, new PageReader.Defaults(model, f.has("model"), prompt, f.has("prompt")), problems);
            if (page != null) {
                pages.add(page);
            }
        }
        Map<String, Integer> exerciseIds = new HashMap<>();
        for (Page p : pages) {
            if (p.exercise() != null) {
                Integer earlier = exerciseIds.putIfAbsent(p.exercise().id(), p.index());
                if (earlier != null) {
                    problems.add(p.path() + ".exercise.id", "exercise id \"" + p.exercise().id() + "\" is also used on"
                            + " page " + (earlier + 1) + "; ids must be unique in a lesson (progress is saved under them)");
                }
            }
        }
        String lessonId = id == null ? source.name() : id;
        List<LessonProblem> found = problems.resolve(lessonId, files, where);
        if (!found.isEmpty()) {
            return new Result(null, found);
        }
        return new Result(new Lesson(id, title, summary == null ? "" : summary, pages, source.folder(), where), List.of());
    }
}
