package dev.attnstudio.lessons.progress;

import java.util.ArrayList;
import java.util.List;

/**
 * A student's work on one exercise.
 *
 * @param attempts      answers submitted
 * @param answers       the latest answers, as typed (at most {@link #KEPT})
 * @param correct       whether an answer was right
 * @param hints         hints shown
 * @param solutionShown whether the worked solution was shown
 */
public record ExerciseProgress(int attempts, List<String> answers, boolean correct, int hints, boolean solutionShown) {

    /** How many answers are kept per exercise. */
    public static final int KEPT = 20;

    public static final ExerciseProgress NONE = new ExerciseProgress(0, List.of(), false, 0, false);

    public ExerciseProgress {
        answers = List.copyOf(answers);
    }

    public ExerciseProgress answered(String answer, boolean right) {
        List<String> all = new ArrayList<>(answers);
        all.add(answer);
        while (all.size() > KEPT) {
            all.remove(0);
        }
        return new ExerciseProgress(attempts + 1, all, correct || right, hints, solutionShown);
    }

    public ExerciseProgress withHints(int shown) {
        return new ExerciseProgress(attempts, answers, correct, Math.max(hints, shown), solutionShown);
    }

    public ExerciseProgress withSolutionShown() {
        return new ExerciseProgress(attempts, answers, correct, hints, true);
    }
}
