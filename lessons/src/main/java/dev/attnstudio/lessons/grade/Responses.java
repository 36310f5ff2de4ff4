package dev.attnstudio.lessons.grade;

import dev.attnstudio.lessons.probe.Answer;

import java.util.ArrayList;
import java.util.List;

/** Responses made from answers: what a student who gives exactly this answer submits, and one that is surely wrong. */
public final class Responses {

    private Responses() {
    }

    /**
     * The response that gives this answer; for a tensor, {@code expression} (which must compute it).
     */
    public static Response of(Answer a, String expression) {
        if (a instanceof Answer.Number n) {
            return new Response.Number(n.value());
        }
        if (a instanceof Answer.Cell c) {
            return new Response.Cell(c.query(), c.key());
        }
        if (a instanceof Answer.Shape s) {
            return new Response.Shape(s.dims());
        }
        if (a instanceof Answer.Choice c) {
            return new Response.Choice(c.id());
        }
        if (a instanceof Answer.Order o) {
            return new Response.Order(o.items());
        }
        if (a instanceof Answer.Tensor) {
            return new Response.Expression(expression);
        }
        throw new IllegalArgumentException("options are not an answer");
    }

    /**
     * A response that differs from the right answer: the number moved well beyond any tolerance, the next key, one more
     * in the first axis, another option, two items swapped, the tensor plus one.
     *
     * @param options    a choice's options (null otherwise)
     * @param expression an expression that computes the right tensor
     */
    public static Response wrong(Answer right, Answer.Options options, String expression) {
        if (right instanceof Answer.Number n) {
            double v = n.value();
            return new Response.Number(Double.isFinite(v) ? v + 1 + Math.abs(v) : 0);
        }
        if (right instanceof Answer.Cell c) {
            return new Response.Cell(c.query(), (c.key() + 1) % Math.max(2, c.keys()));
        }
        if (right instanceof Answer.Shape s) {
            long[] d = s.dims();
            if (d.length == 0) {
                return new Response.Shape(new long[] {1});
            }
            d[0]++;
            return new Response.Shape(d);
        }
        if (right instanceof Answer.Choice c) {
            String other = options == null ? c.id() + "-not" : options.options().stream().map(Answer.Option::id)
                    .filter(id -> !id.equals(c.id())).findFirst().orElse(c.id() + "-not");
            return new Response.Choice(other);
        }
        if (right instanceof Answer.Order o) {
            List<String> swapped = new ArrayList<>(o.items());
            if (swapped.size() > 1) {
                String first = swapped.get(0);
                swapped.set(0, swapped.get(1));
                swapped.set(1, first);
            }
            return new Response.Order(swapped);
        }
        return new Response.Expression("(" + expression + ") + 1");
    }
}
