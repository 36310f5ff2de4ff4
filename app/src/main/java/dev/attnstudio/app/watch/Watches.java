package dev.attnstudio.app.watch;

import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.expr.Scope;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.probe.Numbers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Evaluates watch expressions with the engine's expression evaluator and says what each gave, as text: a value (its
 * shape and first values), or the error with a caret under its position. Runs on the engine thread.
 */
final class Watches {

    /** How many values of a tensor a watch shows. */
    static final int SHOWN = 8;

    /** One watch's outcome: its text, and whether it is an error. */
    record Result(String expression, String text, boolean error) {
    }

    private Watches() {
    }

    /** Each expression evaluated in {@code scope} (null when no pass is open: every watch says so). */
    static List<Result> evaluate(List<String> expressions, Scope scope) {
        List<Result> out = new ArrayList<>();
        for (String e : expressions) {
            out.add(evaluate(e, scope));
        }
        return out;
    }

    static Result evaluate(String expression, Scope scope) {
        if (scope == null) {
            return new Result(expression, "no pass yet: open a model", true);
        }
        try {
            return new Result(expression, describe(Expression.parse(expression).evaluate(scope)), false);
        } catch (ExpressionException x) {
            return new Result(expression, x.render(), true);
        } catch (IllegalStateException | IllegalArgumentException x) {
            return new Result(expression, x.getMessage(), true);
        }
    }

    /** A value as text: a number, a short tensor in full, or a long one's shape and first values. */
    static String describe(TensorData v) {
        long[] shape = v.shape();
        float[] values = v.values();
        if (shape.length == 0) {
            return Numbers.format(values[0], 4);
        }
        if (values.length <= SHOWN) {
            return Numbers.tensor(shape, values, 4);
        }
        String first = IntStream.range(0, SHOWN).mapToObj(i -> String.format(Locale.ROOT, "%.4f", values[i]))
                .collect(Collectors.joining(", "));
        return "shape " + Arrays.toString(shape) + ": " + first + ", \u2026 (" + values.length + " values)";
    }
}
