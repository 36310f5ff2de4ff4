package dev.attnstudio.lessons.progress;

import dev.attnstudio.lessons.format.Exercise;
import dev.attnstudio.lessons.format.Lesson;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A student's progress through the course: per lesson, the pages seen, the answers given and whether it is complete,
 * and the lesson they were last in. Immutable; each change returns a new value for {@link ProgressStore#save}.
 *
 * @param version the file format's version ({@link #VERSION})
 * @param current the lesson the student was last in, or null
 * @param lessons progress per lesson id
 */
public record Progress(int version, String current, Map<String, LessonProgress> lessons) {

    /** The version this code writes and reads. */
    public static final int VERSION = 1;

    public static final Progress EMPTY = new Progress(VERSION, null, Map.of());

    public Progress {
        lessons = Collections.unmodifiableMap(new LinkedHashMap<>(lessons));
    }

    /** Where the course resumes. */
    public record Resume(String lesson, int page) {
    }

    public LessonProgress lesson(String id) {
        return lessons.getOrDefault(id, LessonProgress.NONE);
    }

    /** The lesson and page the student was last on, if any. */
    public Optional<Resume> resume() {
        return current == null ? Optional.empty() : Optional.of(new Resume(current, lesson(current).page()));
    }

    /** The student opened a page: it is seen, and the course resumes there. */
    public Progress pageSeen(Lesson lesson, int page) {
        return change(lesson, p -> p.onPage(page), lesson.id());
    }

    /** The student submitted an answer (as typed) to an exercise. */
    public Progress answered(Lesson lesson, String exercise, String answer, boolean correct) {
        return change(lesson, p -> p.withExercise(exercise, e -> e.answered(answer, correct)), current);
    }

    /** The student has seen {@code shown} hints of an exercise. */
    public Progress hintsShown(Lesson lesson, String exercise, int shown) {
        return change(lesson, p -> p.withExercise(exercise, e -> e.withHints(shown)), current);
    }

    public Progress solutionShown(Lesson lesson, String exercise) {
        return change(lesson, p -> p.withExercise(exercise, ExerciseProgress::withSolutionShown), current);
    }

    private Progress change(Lesson lesson, UnaryOperator<LessonProgress> f, String now) {
        LessonProgress p = f.apply(lesson(lesson.id()));
        boolean done = lesson.pages().stream().allMatch(page -> p.seen().contains(page.index())) && lesson.exercises().stream()
                .map(Exercise::id).allMatch(id -> p.exercise(id).correct());
        Map<String, LessonProgress> all = new LinkedHashMap<>(lessons);
        all.put(lesson.id(), p.withCompleted(done));
        return new Progress(VERSION, now, all);
    }
}
