package dev.attnstudio.lessons.grade;

import dev.attnstudio.engine.expr.Comparison;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.format.Tolerance;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.Numbers;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Grades a response against the right answer and the lesson's misconceptions: numbers and tensors by NumPy's isclose
 * with the exercise's tolerance (ARENA's by default), shapes exactly, cells by index, choices by option, orders by
 * sequence. A response that is not right is compared with each misconception before it is called wrong, so a student
 * who made a known mistake is told which.
 */
public final class Grader {

    /** What a misconception gives on this trace, and what its student is told. */
    public record Mistake(Answer answer, String message) {
    }

    private Grader() {
    }

    /**
     * @param right     the right answer
     * @param mistakes  the misconceptions, evaluated
     * @param tolerance for numbers and tensors
     * @param response  the student's answer
     * @param evaluate  evaluates an expression on the live trace (compute exercises; throws ExpressionException or
     *                  IllegalStateException for one that cannot be evaluated)
     */
    public static Verdict grade(Answer right, List<Mistake> mistakes, Tolerance tolerance, Response response,
                                Function<String, TensorData> evaluate) {
        if (right instanceof Answer.Tensor tensor) {
            return compute(tensor, mistakes, tolerance, response, evaluate);
        }
        String form = form(right, response);
        if (form != null) {
            return Verdict.of(Verdict.Outcome.UNREADABLE, form);
        }
        if (matches(right, response, tolerance)) {
            return Verdict.of(Verdict.Outcome.CORRECT, "Right.");
        }
        for (Mistake m : mistakes) {
            if (matches(m.answer(), response, tolerance)) {
                return Verdict.of(Verdict.Outcome.MISCONCEPTION, m.message());
            }
        }
        return Verdict.of(Verdict.Outcome.WRONG, "Not quite" + hint(right, response) + ". Look again, or ask for a hint.");
    }

    /** Why the response is not of the answer's form, or null. */
    private static String form(Answer right, Response r) {
        boolean fits = switch (right.kind()) {
            case NUMBER -> r instanceof Response.Number;
            case CELL -> r instanceof Response.Cell;
            case SHAPE -> r instanceof Response.Shape;
            case CHOICE -> r instanceof Response.Choice;
            case ORDER -> r instanceof Response.Order;
            default -> false;
        };
        return fits ? null : "this exercise wants " + switch (right.kind()) {
            case NUMBER -> "a number";
            case CELL -> "a cell (query, key)";
            case SHAPE -> "a shape";
            case CHOICE -> "one of the options";
            case ORDER -> "the items in order";
            default -> "an answer";
        };
    }

    static boolean matches(Answer a, Response r, Tolerance tolerance) {
        if (a instanceof Answer.Number n) {
            return r instanceof Response.Number x && tolerance.close(x.value(), n.value());
        }
        if (a instanceof Answer.Cell c) {
            return r instanceof Response.Cell x && x.query() == c.query() && x.key() == c.key();
        }
        if (a instanceof Answer.Shape s) {
            return r instanceof Response.Shape x && Arrays.equals(x.dims(), s.dims());
        }
        if (a instanceof Answer.Choice c) {
            return r instanceof Response.Choice x && x.id().equals(c.id());
        }
        if (a instanceof Answer.Order o) {
            return r instanceof Response.Order x && x.items().equals(o.items());
        }
        return false;
    }

    /** A nudge that gives nothing away: which part of a cell or how many items are out of place. */
    private static String hint(Answer right, Response r) {
        if (right instanceof Answer.Cell c && r instanceof Response.Cell x && x.query() != c.query()) {
            return ": that cell is in query " + x.query() + "'s row; the question is about query " + c.query();
        }
        if (right instanceof Answer.Order o && r instanceof Response.Order x) {
            if (x.items().size() != o.items().size() || !x.items().containsAll(o.items())) {
                return ": use each of the " + o.items().size() + " items once";
            }
            long placed = 0;
            for (int i = 0; i < o.items().size(); i++) {
                if (o.items().get(i).equals(x.items().get(i))) {
                    placed++;
                }
            }
            return ": " + placed + " of " + o.items().size() + " are in the right place";
        }
        if (right instanceof Answer.Shape s && r instanceof Response.Shape x && x.dims().length != s.dims().length) {
            return ": the tensor has " + s.dims().length + " axes";
        }
        return "";
    }

    private static Verdict compute(Answer.Tensor right, List<Mistake> mistakes, Tolerance tolerance, Response response,
                                   Function<String, TensorData> evaluate) {
        if (!(response instanceof Response.Expression e)) {
            return Verdict.of(Verdict.Outcome.UNREADABLE, "this exercise wants an expression");
        }
        TensorData got;
        try {
            got = evaluate.apply(e.source());
        } catch (ExpressionException x) {
            return Verdict.of(Verdict.Outcome.UNREADABLE, x.render());
        } catch (IllegalStateException x) {
            return Verdict.of(Verdict.Outcome.UNREADABLE, x.getMessage());
        }
        Comparison c = Comparison.of(got, right.value(), tolerance.atol(), tolerance.rtol());
        if (c.allClose()) {
            return new Verdict(Verdict.Outcome.CORRECT, "Right: " + c.summary() + ".", 1);
        }
        for (Mistake m : mistakes) {
            if (m.answer() instanceof Answer.Tensor t
                    && Comparison.of(got, t.value(), tolerance.atol(), tolerance.rtol()).allClose()) {
                return new Verdict(Verdict.Outcome.MISCONCEPTION, m.message() + " (" + percent(c) + ")",
                        c.fractionClose());
            }
        }
        String detail = c.shapesAgree() ? c.summary() : c.summary() + "; you computed " + Numbers.tensor(got.shape(),
                got.values(), 3);
        return new Verdict(Verdict.Outcome.WRONG, "Not quite: " + detail + ".", c.fractionClose());
    }

    private static String percent(Comparison c) {
        return c.shapesAgree() ? String.format(Locale.ROOT, "%.1f%% of the values are right", 100 * c.fractionClose())
                : c.summary();
    }
}
