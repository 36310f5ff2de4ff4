package dev.attnstudio.lessons.check;

import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.format.Course;
import dev.attnstudio.lessons.format.LessonProblem;
import dev.attnstudio.lessons.format.LessonSource;
import dev.attnstudio.lessons.run.ModelPool;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The entry point of {@code attn-studio lessons check [FOLDER]}: checks the bundled course (no folder), one lesson
 * folder, or a folder of lessons, prints what it proved and every problem (lesson, page, field, line), and returns
 * the exit code.
 */
public final class LessonCheck {

    /** Every lesson passed. */
    public static final int OK = 0;
    /** At least one problem was found. */
    public static final int PROBLEMS = 1;
    /** The folder could not be read as lessons. */
    public static final int USAGE = 2;

    private LessonCheck() {
    }

    /**
     * Checks and reports.
     *
     * @param folder a lesson folder, a folder of lessons, or null for the bundled course
     * @param out    where the report goes
     * @return {@link #OK}, {@link #PROBLEMS} or {@link #USAGE}
     */
    public static int run(Path folder, PrintStream out) {
        List<LessonSource> sources;
        try {
            sources = folder == null ? Course.bundled() : Course.folder(folder);
        } catch (IllegalArgumentException | IllegalStateException e) {
            out.println("cannot check lessons: " + e.getMessage());
            return USAGE;
        }
        out.println("Checking " + sources.size() + " lesson(s) " + (folder == null ? "of the bundled course" : "in " + folder));
        List<LessonReport> reports = check(sources);
        int pages = 0;
        int exercises = 0;
        long millis = 0;
        List<LessonProblem> problems = new ArrayList<>();
        for (LessonReport r : reports) {
            out.printf(Locale.ROOT, "  %s%s: %d pages, %d exercises, %s (%.1f s)%n", r.id(),
                    r.title().isEmpty() ? "" : " \"" + r.title() + "\"", r.pages(), r.exercises(),
                    r.ok() ? "ok" : r.problems().size() + " problem(s)", r.millis() / 1000.0);
            r.proofs().forEach(p -> out.println("    " + p));
            r.problems().forEach(p -> out.println("    " + p));
            pages += r.pages();
            exercises += r.exercises();
            millis += r.millis();
            problems.addAll(r.problems());
        }
        if (problems.isEmpty()) {
            out.printf(Locale.ROOT, "OK: %d lesson(s), %d pages, %d exercises checked in %.1f s%n", reports.size(), pages,
                    exercises, millis / 1000.0);
            return OK;
        }
        out.printf(Locale.ROOT, "FAILED: %d problem(s) in %d of %d lesson(s)%n", problems.size(),
                reports.stream().filter(r -> !r.ok()).count(), reports.size());
        return PROBLEMS;
    }

    /** Checks lessons on shared models (opened on the CPU, once each), adding a problem for a repeated lesson id. */
    public static List<LessonReport> check(List<LessonSource> sources) {
        List<LessonReport> reports = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        try (ModelPool models = new ModelPool(DjlRuntime.DeviceChoice.CPU)) {
            LessonChecker checker = new LessonChecker(models);
            for (LessonSource source : sources) {
                LessonReport r = checker.check(source);
                String earlier = ids.putIfAbsent(r.id(), source.label());
                if (earlier != null) {
                    List<LessonProblem> more = new ArrayList<>(r.problems());
                    more.add(new LessonProblem(r.id(), 0, null, "id", LessonProblem.LESSON_FILE, 1, "lesson id \""
                            + r.id() + "\" is also the id of " + earlier + "; ids must be unique in a course"));
                    r = new LessonReport(r.id(), r.title(), r.pages(), r.exercises(), r.proofs(), more, r.millis());
                }
                reports.add(r);
            }
        }
        return reports;
    }
}
