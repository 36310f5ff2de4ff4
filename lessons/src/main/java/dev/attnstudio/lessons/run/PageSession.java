package dev.attnstudio.lessons.run;

import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.format.Exercise;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.Page;
import dev.attnstudio.lessons.format.Placeholders;
import dev.attnstudio.lessons.grade.Grader;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.EngineContext;
import dev.attnstudio.lessons.probe.Numbers;
import dev.attnstudio.lessons.probe.Probe;
import dev.attnstudio.lessons.probe.ProbeCall;
import dev.attnstudio.lessons.probe.ProbeCatalogue;
import dev.attnstudio.lessons.probe.ProbeException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine side of an opened page: its worked example computed, its Markdown filled in, and its exercise's probes
 * evaluated. Built on the engine thread after {@link PageRunner#open} has set the page up.
 */
public final class PageSession {

    private final Page page;
    private final String text;
    private final Map<String, TensorData> worked;
    private final ExerciseSession exercise;

    private PageSession(Page page, String text, Map<String, TensorData> worked, ExerciseSession exercise) {
        this.page = page;
        this.text = text;
        this.worked = worked;
        this.exercise = exercise;
    }

    /**
     * Computes page {@code index}'s worked example and evaluates its exercise on {@code ctx}, for this attempt.
     *
     * @throws PageException naming the field (an expression, a probe parameter) that cannot be evaluated
     */
    public static PageSession open(Lesson lesson, int index, int attempt, EngineContext ctx) {
        Page page = lesson.pages().get(index);
        Map<String, TensorData> values = new LinkedHashMap<>(page.worked().tensors());
        for (Map.Entry<String, String> e : page.worked().compute().entrySet()) {
            try {
                TensorData v = Expression.parse(e.getValue()).evaluate(ctx.withLiterals(values).scope());
                values.put(e.getKey(), new TensorData(e.getKey(), v.shape(), v.values()));
            } catch (ExpressionException | IllegalStateException x) {
                throw new PageException(page.path() + ".worked.compute." + e.getKey(), x.getMessage(), x);
            }
        }
        String text = Placeholders.fill(page.markdown(), (name, decimals) -> {
            TensorData v = values.get(name);
            return v.rank() == 0 ? Numbers.format(v.values()[0], decimals) : Numbers.tensor(v.shape(), v.values(), decimals);
        });
        ExerciseSession session = page.exercise() == null ? null
                : exercise(page, page.exercise(), attempt, AttemptSeed.of(lesson.id(), index, attempt),
                ctx.withLiterals(page.worked().tensors()), page.worked().tensors());
        return new PageSession(page, text, Map.copyOf(values), session);
    }

    private static ExerciseSession exercise(Page page, Exercise e, int attempt, long seed, EngineContext ctx,
                                            Map<String, TensorData> literals) {
        String at = page.path() + ".exercise";
        Probe.Evaluation right = evaluate(e.answer(), at + ".answer", ctx);
        Answer.Options options = null;
        if (e.options() != null) {
            options = (Answer.Options) evaluate(e.options(), at + ".options", ctx).answer();
            if (right.answer() instanceof Answer.Choice c && !options.has(c.id())) {
                throw new PageException(at + ".options", "the right answer \"" + c.id() + "\" is not among the options ("
                        + String.join(", ", options.options().stream().map(Answer.Option::id).toList()) + ")");
            }
        }
        List<Grader.Mistake> mistakes = new ArrayList<>();
        for (int i = 0; i < e.misconceptions().size(); i++) {
            Exercise.Misconception m = e.misconceptions().get(i);
            mistakes.add(new Grader.Mistake(evaluate(m.probe(), at + ".misconceptions[" + i + "]", ctx).answer(),
                    m.message()));
        }
        return new ExerciseSession(e, attempt, seed, right, options, mistakes, literals);
    }

    /** Evaluates a probe, blaming the parameter at fault when it cannot be. */
    static Probe.Evaluation evaluate(ProbeCall call, String path, EngineContext ctx) {
        try {
            for (ProbeException problem : ProbeCatalogue.check(call, ctx.capabilities(), ctx.name())) {
                throw problem;
            }
            return ProbeCatalogue.of(call).evaluate(call, ctx);
        } catch (ProbeException e) {
            throw new PageException(e.param() == null ? path : path + "." + e.param(), e.getMessage(), e);
        }
    }

    public Page page() {
        return page;
    }

    /** The page's Markdown with the worked example's values filled in. */
    public String text() {
        return text;
    }

    /** The worked example's tensors and results, by name. */
    public Map<String, TensorData> worked() {
        return worked;
    }

    /** The exercise, or null when the page has none. */
    public ExerciseSession exercise() {
        return exercise;
    }
}
