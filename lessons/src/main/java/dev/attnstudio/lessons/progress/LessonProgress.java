package dev.attnstudio.lessons.progress;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A student's progress in one lesson.
 *
 * @param page      the page they were last on (0-based): where the lesson resumes
 * @param seen      the pages they have opened
 * @param exercises their work per exercise id
 * @param completed whether every page was seen and every exercise answered right
 */
public record LessonProgress(int page, SortedSet<Integer> seen, Map<String, ExerciseProgress> exercises,
                             boolean completed) {

    public static final LessonProgress NONE = new LessonProgress(0, new TreeSet<>(), Map.of(), false);

    public LessonProgress {
        seen = Collections.unmodifiableSortedSet(new TreeSet<>(seen));
        exercises = Collections.unmodifiableMap(new LinkedHashMap<>(exercises));
    }

    public ExerciseProgress exercise(String id) {
        return exercises.getOrDefault(id, ExerciseProgress.NONE);
    }

    LessonProgress onPage(int index) {
        TreeSet<Integer> more = new TreeSet<>(seen);
        more.add(index);
        return new LessonProgress(index, more, exercises, completed);
    }

    LessonProgress withExercise(String id, UnaryOperator<ExerciseProgress> change) {
        Map<String, ExerciseProgress> all = new LinkedHashMap<>(exercises);
        all.put(id, change.apply(exercise(id)));
        return new LessonProgress(page, seen, all, completed);
    }

    LessonProgress withCompleted(boolean done) {
        return new LessonProgress(page, seen, exercises, done);
    }
}
