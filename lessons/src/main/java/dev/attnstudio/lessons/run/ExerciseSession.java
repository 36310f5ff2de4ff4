package dev.attnstudio.lessons.run;

import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.format.Exercise;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.grade.Grader;
import dev.attnstudio.lessons.grade.Response;
import dev.attnstudio.lessons.grade.Verdict;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.EngineContext;
import dev.attnstudio.lessons.probe.Probe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One attempt at an exercise, with its probes already evaluated on the live trace: what the student sees (question,
 * difficulty, minutes, options or shuffled items), hints and a worked solution that stay hidden until asked for, and
 * grading. The right answer is held here and never shown until the solution is asked for.
 */
public final class ExerciseSession {

    private final Exercise exercise;
    private final int attempt;
    private final Probe.Evaluation right;
    private final Answer.Options options;
    private final List<Grader.Mistake> mistakes;
    private final List<String> items;
    private final Map<String, TensorData> literals;

    ExerciseSession(Exercise exercise, int attempt, long seed, Probe.Evaluation right, Answer.Options options,
                    List<Grader.Mistake> mistakes, Map<String, TensorData> literals) {
        this.exercise = exercise;
        this.attempt = attempt;
        this.right = right;
        this.options = options;
        this.mistakes = List.copyOf(mistakes);
        this.literals = Map.copyOf(literals);
        this.items = right.answer() instanceof Answer.Order o ? shuffled(o.items(), seed) : List.of();
    }

    /** The items in a seeded order that is never already the right one (when there are two or more). */
    private static List<String> shuffled(List<String> right, long seed) {
        List<String> out = new ArrayList<>(right);
        Collections.shuffle(out, new Random(seed));
        if (out.equals(right) && out.size() > 1) {
            Collections.rotate(out, 1);
        }
        return List.copyOf(out);
    }

    public Exercise exercise() {
        return exercise;
    }

    public ExerciseKind kind() {
        return exercise.kind();
    }

    /** The attempt this session is (0-based); random draws replay per attempt. */
    public int attempt() {
        return attempt;
    }

    public String question() {
        return exercise.question();
    }

    public int difficulty() {
        return exercise.difficulty();
    }

    public double minutes() {
        return exercise.minutes();
    }

    /** A choice's options, in the probe's order; empty for other kinds. */
    public List<Answer.Option> options() {
        return options == null ? List.of() : options.options();
    }

    /** An order exercise's items, shuffled for this attempt; empty for other kinds. */
    public List<String> items() {
        return items;
    }

    public int hints() {
        return exercise.hints().size();
    }

    /** Hint {@code i} (0-based), for when the student asks. */
    public String hint(int i) {
        return exercise.hints().get(i);
    }

    /** The worked solution, generated from the answer's probe on this trace: show it only when asked for. */
    public String solution() {
        String s = right.explanation();
        if (options != null && right.answer() instanceof Answer.Choice c && !s.contains(options.label(c.id()))) {
            s += " The answer: " + options.label(c.id()) + ".";
        }
        return s;
    }

    /** The right answer (for hosts that draw it after the student commits, and for the checker). */
    public Answer answer() {
        return right.answer();
    }

    /** The misconceptions as evaluated here. */
    public List<Grader.Mistake> mistakes() {
        return mistakes;
    }

    /**
     * Whether the views stay hidden until the student commits (a {@code predict} exercise): the runner has asked the
     * host to conceal them; the host shows them again once the first answer is graded.
     */
    public boolean concealsView() {
        return exercise.kind() == ExerciseKind.PREDICT;
    }

    /**
     * Grades a response. A compute answer is evaluated on {@code ctx}'s trace (the page's, after its actions), on the
     * engine thread; other answers do not read the trace ({@code ctx} may then be null).
     */
    public Verdict grade(Response response, EngineContext ctx) {
        return Grader.grade(right.answer(), mistakes, exercise.tolerance(), response,
                text -> Expression.parse(text).evaluate(ctx.withLiterals(literals).scope()));
    }
}
