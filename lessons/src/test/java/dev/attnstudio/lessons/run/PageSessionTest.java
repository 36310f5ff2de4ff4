package dev.attnstudio.lessons.run;

import dev.attnstudio.lessons.check.SharedModels;
import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Course;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.LessonReader;
import dev.attnstudio.lessons.format.Page;
import dev.attnstudio.lessons.grade.Response;
import dev.attnstudio.lessons.grade.Verdict;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.EngineContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening pages of the bundled lessons on the real samples, as the app will: setup, worked example, grading. */
class PageSessionTest {

    static Lesson scores;
    static Lesson bugs;
    static HeadlessHost host;

    @BeforeAll
    static void open() {
        scores = bundled("05-scores-as-dot-products");
        bugs = bundled("10-six-mask-bugs");
        host = new HeadlessHost(SharedModels.pool());
    }

    /** A lesson of the bundled course by id, wherever the course lists it. */
    private static Lesson bundled(String id) {
        return Course.bundled().stream().map(s -> LessonReader.read(s).lesson()).filter(l -> l.id().equals(id))
                .findFirst().orElseThrow();
    }

    @AfterAll
    static void close() {
        host.close();
    }

    private static PageSession open(Lesson lesson, String file, int attempt) {
        Page page = lesson.pages().stream().filter(p -> p.file().equals(file)).findFirst().orElseThrow();
        PageRunner.open(lesson, page.index(), attempt, host);
        return PageSession.open(lesson, page.index(), attempt, context(page));
    }

    private static EngineContext context(Page page) {
        return host.context(page.worked().tensors());
    }

    @Test
    void theWorkedExampleIsComputedByTheEngine() {
        String text = open(scores, "01-three-numbers.md", 0).text();
        assertTrue(text.contains("scores = [2, 1, 0]"), text);
        assertTrue(text.contains("weights     = exp(scores) / total = [0.67, 0.24, 0.09]"), text);
        assertTrue(text.contains("weights @ values = [0.76, 0.33]"), text);
        assertFalse(text.contains("{{"), text);
    }

    @Test
    void aTypedExpressionIsComparedWithTheRealPatternAndAMistakeIsNamed() {
        PageSession page = open(scores, "05-weights-by-hand.md", 0);
        ExerciseSession e = page.exercise();
        assertEquals(ExerciseKind.COMPUTE, e.kind());
        EngineContext ctx = context(page.page());
        Verdict right = e.grade(new Response.Expression(
                "softmax(blocks.0.attn.hook_qk_raw[0, 2] / sqrt(d_head) + blocks.0.attn.hook_mask[0, 0], dim=-1)"), ctx);
        assertTrue(right.correct(), right.message());
        Verdict dModel = e.grade(new Response.Expression(
                "softmax(blocks.0.attn.hook_qk_raw[0, 2] / sqrt(d_model) + blocks.0.attn.hook_mask[0, 0])"), ctx);
        assertEquals(Verdict.Outcome.MISCONCEPTION, dModel.outcome());
        assertTrue(dModel.message().startsWith("Close, but you divided by sqrt(d_model)."), dModel.message());
        assertTrue(dModel.message().matches(".*\\(\\d+\\.\\d% of the values are right\\)"), dModel.message());
        assertTrue(dModel.fractionClose() > 0 && dModel.fractionClose() < 1, dModel.message());
        Verdict columns = e.grade(new Response.Expression(
                "softmax(blocks.0.attn.hook_attn_scores[0, 2], dim=-2)"), ctx);
        assertTrue(columns.message().startsWith("Your softmax ran down the columns"), columns.message());
        Verdict typo = e.grade(new Response.Expression("softmax(blocks.0.attn.hook_qk_rw[0, 2])"), ctx);
        assertEquals(Verdict.Outcome.UNREADABLE, typo.outcome());
        assertTrue(e.solution().contains("computes it"), e.solution());
    }

    @Test
    void aPickedCellIsGradedAndTheSolutionNamesTheKey() {
        ExerciseSession e = open(scores, "04-who-gets-the-weight.md", 0).exercise();
        Answer.Cell cell = (Answer.Cell) e.answer();
        assertEquals(8, cell.query());
        assertEquals(3, cell.key(), "head 1.0 is an induction head: the second a40 looks at the a7 after the first");
        assertTrue(e.grade(new Response.Cell(8, 3), null).correct());
        assertTrue(e.grade(new Response.Cell(8, 2), null).message().startsWith("Key 2 holds the same token"));
        assertTrue(e.grade(new Response.Cell(8, 7), null).message().startsWith("Key 7 is the token just before"));
        assertTrue(e.solution().startsWith("Query 8's largest weight in L1 head 0 is on key 3"), e.solution());
        assertEquals(2, e.hints());
    }

    @Test
    void aPredictionHidesTheViewUntilCommittedAndOtherPagesDoNot() {
        open(bugs, "01-permissions.md", 0);
        assertTrue(host.concealed());
        assertEquals("mask", host.view().view());
        open(bugs, "02-off-by-one.md", 0);
        assertFalse(host.concealed());
    }

    @Test
    void theRandomBugReplaysPerAttemptAndTheAnswerFollowsIt() {
        Page page = bugs.pages().stream().filter(p -> p.file().equals("08-which-bug.md")).findFirst().orElseThrow();
        Set<String> drawn = new HashSet<>();
        for (int attempt = 0; attempt < 16; attempt++) {
            List<Action> first = PageRunner.resolve(bugs.id(), page.index(), attempt, page.setup().actions());
            assertEquals(first, PageRunner.resolve(bugs.id(), page.index(), attempt, page.setup().actions()));
            Action.Intervene bug = (Action.Intervene) first.get(0);
            assertTrue(bug.hidden(), "a drawn bug must not be revealed by the host");
            drawn.add(bug.spec());
        }
        assertEquals(Set.of("mask-bug:off-by-one", "mask-bug:flipped", "mask-bug:after-softmax", "mask-bug:broadcast"),
                drawn);
        for (int attempt : List.of(0, 2, 6, 9)) {
            ExerciseSession e = open(bugs, "08-which-bug.md", attempt).exercise();
            String bug = ((Action.Intervene) PageRunner.resolve(bugs.id(), page.index(), attempt, page.setup().actions())
                    .get(0)).spec().substring("mask-bug:".length());
            assertEquals(new Answer.Choice(bug), e.answer(), "attempt " + attempt);
            assertEquals(4, e.options().size());
            assertTrue(e.grade(new Response.Choice(bug), null).correct());
        }
    }

    @Test
    void orderItemsAreShuffledTheSameWayForAnAttempt() {
        ExerciseSession a = open(scores, "06-the-order-of-things.md", 0).exercise();
        ExerciseSession b = open(scores, "06-the-order-of-things.md", 0).exercise();
        ExerciseSession c = open(scores, "06-the-order-of-things.md", 1).exercise();
        List<String> right = ((Answer.Order) a.answer()).items();
        assertEquals(a.items(), b.items());
        assertNotEquals(right, a.items());
        assertNotEquals(a.items(), c.items());
        assertEquals(Set.copyOf(right), Set.copyOf(a.items()));
        assertEquals(List.of("ln1.hook_normalized", "attn.hook_q", "attn.hook_qk_raw", "attn.hook_attn_scores_unmasked",
                "attn.hook_attn_scores", "attn.hook_pattern", "attn.hook_z", "hook_attn_out"), right);
    }

    @Test
    void pagesOfTheRightLengthAndDifficultyAreAnnounced() {
        ExerciseSession e = open(scores, "02-a-query-meets-its-keys.md", 0).exercise();
        assertEquals(2, e.difficulty());
        assertEquals(3.0, e.minutes());
        assertTrue(e.solution().contains("sqrt(d_head) = 1/sqrt(16)"), e.solution());
    }
}
