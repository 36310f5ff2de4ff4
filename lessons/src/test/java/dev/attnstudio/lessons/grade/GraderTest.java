package dev.attnstudio.lessons.grade;

import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.Scope;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.format.Tolerance;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.AnswerKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grading per answer kind: the right answer is accepted, a wrong one rejected, a named mistake gets its message. */
class GraderTest {

    private static final Function<String, TensorData> NO_TRACE = s -> {
        throw new AssertionError("no expression expected");
    };

    private static Verdict grade(Answer right, List<Grader.Mistake> mistakes, Tolerance t, Response r) {
        return Grader.grade(right, mistakes, t, r, NO_TRACE);
    }

    @Test
    void numbersUseArenasToleranceUnlessTheExerciseLoosensIt() {
        Answer right = new Answer.Number(-2.9100);
        List<Grader.Mistake> mistakes = List.of(new Grader.Mistake(new Answer.Number(-1.455), "divided by sqrt(d_model)"));
        assertEquals(Verdict.Outcome.CORRECT, grade(right, mistakes, Tolerance.ARENA, new Response.Number(-2.9102)).outcome());
        // 1e-4 + 1e-3 * 2.91 = 0.00301: 0.004 off is outside ARENA's tolerance, inside a looser one
        assertEquals(Verdict.Outcome.WRONG, grade(right, mistakes, Tolerance.ARENA, new Response.Number(-2.914)).outcome());
        assertEquals(Verdict.Outcome.CORRECT, grade(right, mistakes, new Tolerance(0.01, 0), new Response.Number(-2.914))
                .outcome());
        Verdict mistake = grade(right, mistakes, Tolerance.ARENA, new Response.Number(-1.4551));
        assertEquals(Verdict.Outcome.MISCONCEPTION, mistake.outcome());
        assertEquals("divided by sqrt(d_model)", mistake.message());
        assertEquals(Verdict.Outcome.WRONG, grade(right, mistakes, Tolerance.ARENA, new Response.Number(3)).outcome());
    }

    @Test
    void aNanAnswerIsRightOnlyWhereTheTraceHoldsNan() {
        assertEquals(Verdict.Outcome.CORRECT, grade(new Answer.Number(Double.NaN), List.of(), Tolerance.ARENA,
                new Response.Number(Double.NaN)).outcome());
        assertEquals(Verdict.Outcome.WRONG, grade(new Answer.Number(0.5), List.of(), Tolerance.ARENA,
                new Response.Number(Double.NaN)).outcome());
    }

    @Test
    void cellsAreGradedByQueryAndKey() {
        Answer right = new Answer.Cell(8, 3, 12, 0.99);
        List<Grader.Mistake> mistakes = List.of(new Grader.Mistake(new Answer.Cell(8, 2, 12, Double.NaN), "same token"));
        assertTrue(grade(right, mistakes, Tolerance.ARENA, new Response.Cell(8, 3)).correct());
        assertEquals("same token", grade(right, mistakes, Tolerance.ARENA, new Response.Cell(8, 2)).message());
        assertEquals(Verdict.Outcome.WRONG, grade(right, mistakes, Tolerance.ARENA, new Response.Cell(8, 5)).outcome());
        Verdict otherRow = grade(right, mistakes, Tolerance.ARENA, new Response.Cell(7, 3));
        assertEquals(Verdict.Outcome.WRONG, otherRow.outcome());
        assertTrue(otherRow.message().contains("query 7's row"), otherRow.message());
    }

    @Test
    void shapesAreExact() {
        Answer right = new Answer.Shape(new long[] {1, 4, 12, 12});
        List<Grader.Mistake> mistakes = List.of(new Grader.Mistake(new Answer.Shape(new long[] {1, 12, 4, 16}), "queries"));
        assertTrue(grade(right, mistakes, Tolerance.ARENA, Response.parse(AnswerKind.SHAPE, "[1, 4, 12, 12]")).correct());
        assertTrue(grade(right, mistakes, Tolerance.ARENA, Response.parse(AnswerKind.SHAPE, "(1,4,12,12)")).correct());
        assertEquals("queries", grade(right, mistakes, Tolerance.ARENA, new Response.Shape(new long[] {1, 12, 4, 16}))
                .message());
        Verdict fewer = grade(right, mistakes, Tolerance.ARENA, new Response.Shape(new long[] {4, 12, 12}));
        assertEquals(Verdict.Outcome.WRONG, fewer.outcome());
        assertTrue(fewer.message().contains("4 axes"), fewer.message());
    }

    @Test
    void choicesAreGradedByOption() {
        Answer right = new Answer.Choice("flipped");
        List<Grader.Mistake> mistakes = List.of(new Grader.Mistake(new Answer.Choice("off-by-one"), "the diagonal"));
        assertTrue(grade(right, mistakes, Tolerance.ARENA, new Response.Choice("flipped")).correct());
        assertEquals(Verdict.Outcome.MISCONCEPTION, grade(right, mistakes, Tolerance.ARENA,
                new Response.Choice("off-by-one")).outcome());
        assertEquals(Verdict.Outcome.WRONG, grade(right, mistakes, Tolerance.ARENA, new Response.Choice("broadcast"))
                .outcome());
    }

    @Test
    void ordersAreGradedBySequenceAndSayHowManyArePlaced() {
        Answer right = new Answer.Order(List.of("q", "qk_raw", "scores", "pattern"));
        assertTrue(grade(right, List.of(), Tolerance.ARENA, Response.parse(AnswerKind.ORDER, "q, qk_raw, scores, pattern"))
                .correct());
        Verdict swapped = grade(right, List.of(), Tolerance.ARENA, new Response.Order(List.of("q", "scores", "qk_raw",
                "pattern")));
        assertEquals(Verdict.Outcome.WRONG, swapped.outcome());
        assertTrue(swapped.message().contains("2 of 4 are in the right place"), swapped.message());
        Verdict missing = grade(right, List.of(), Tolerance.ARENA, new Response.Order(List.of("q", "scores")));
        assertTrue(missing.message().contains("use each of the 4 items once"), missing.message());
    }

    @Test
    void anAnswerOfAnotherFormIsUnreadableNotWrong() {
        Verdict v = grade(new Answer.Number(1), List.of(), Tolerance.ARENA, new Response.Choice("1"));
        assertEquals(Verdict.Outcome.UNREADABLE, v.outcome());
        assertThrows(IllegalArgumentException.class, () -> Response.parse(AnswerKind.NUMBER, "about one"));
        assertThrows(IllegalArgumentException.class, () -> Response.parse(AnswerKind.CELL, "3"));
    }

    /** Compute: expressions evaluated over tensors, compared value by value; % close; a mistake named. */
    @Test
    void computeAnswersAreEvaluatedAndComparedValueByValue() {
        TensorData raw = new TensorData("raw", new long[] {2, 2}, new float[] {8, 0, 4, 0});
        TensorData mask = new TensorData("mask", new long[] {2, 2}, new float[] {0, Float.NEGATIVE_INFINITY, 0, 0});
        Scope scope = Scope.of(Map.of("raw", raw, "mask", mask)).withConstants(Map.of("d_head", 16, "d_model", 64));
        Function<String, TensorData> evaluate = text -> Expression.parse(text).evaluate(scope);
        TensorData right = evaluate.apply("softmax(raw / sqrt(d_head) + mask, dim=-1)");
        TensorData byDModel = evaluate.apply("softmax(raw / sqrt(d_model) + mask, dim=-1)");
        TensorData overQueries = evaluate.apply("softmax(raw / sqrt(d_head) + mask, dim=-2)");
        Answer answer = new Answer.Tensor(right, "softmax(raw / sqrt(d_head) + mask, dim=-1)");
        List<Grader.Mistake> mistakes = List.of(
                new Grader.Mistake(new Answer.Tensor(byDModel, null), "sqrt(d_model)"),
                new Grader.Mistake(new Answer.Tensor(overQueries, null), "over the queries"));

        Verdict ok = Grader.grade(answer, mistakes, Tolerance.ARENA,
                new Response.Expression("exp(log_softmax(raw / 4 + mask))"), evaluate);
        assertTrue(ok.correct(), ok.message());
        assertEquals(1.0, ok.fractionClose());

        Verdict dModel = Grader.grade(answer, mistakes, Tolerance.ARENA,
                new Response.Expression("softmax(raw / sqrt(d_model) + mask)"), evaluate);
        assertEquals(Verdict.Outcome.MISCONCEPTION, dModel.outcome());
        assertTrue(dModel.message().startsWith("sqrt(d_model) ("), dModel.message());
        // row 0 is [1, 0] at any scale (its second key is masked): 2 of the 4 values are right
        assertTrue(dModel.message().contains("50.0% of the values are right"), dModel.message());
        assertEquals(0.5, dModel.fractionClose(), 1e-9);

        assertEquals("over the queries", Grader.grade(answer, mistakes, Tolerance.ARENA,
                new Response.Expression("softmax(raw / sqrt(d_head) + mask, dim=-2)"), evaluate).message()
                .replaceAll(" \\(.*", ""));

        Verdict wrong = Grader.grade(answer, mistakes, Tolerance.ARENA, new Response.Expression("raw / 4"), evaluate);
        assertEquals(Verdict.Outcome.WRONG, wrong.outcome());
        assertTrue(wrong.message().contains("of 4 values are close"), wrong.message());

        Verdict typo = Grader.grade(answer, mistakes, Tolerance.ARENA, new Response.Expression("softmax(raw / sqrt(d_hed))"),
                evaluate);
        assertEquals(Verdict.Outcome.UNREADABLE, typo.outcome());
        assertTrue(typo.message().contains("^"), typo.message());

        Verdict shape = Grader.grade(answer, mistakes, Tolerance.ARENA, new Response.Expression("raw[0]"), evaluate);
        assertEquals(Verdict.Outcome.WRONG, shape.outcome());
        assertTrue(shape.message().contains("does not match the expected [2, 2]"), shape.message());
    }
}
