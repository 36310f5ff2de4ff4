package dev.attnstudio.lessons.check;

import dev.attnstudio.lessons.format.LessonProblem;
import dev.attnstudio.lessons.format.LessonSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken lessons, one mistake each, through the same checker authors run: each must give one problem that names the
 * lesson, the page, the field and the line, and says what is wrong. The base lesson they are made from passes.
 */
class BrokenLessonsTest {

    /** A small valid lesson on induction-2l; each case changes one piece of it. */
    static final String BASE = """
            {
              "id": "broken",
              "title": "A lesson to break",
              "model": "induction-2l",
              "prompt": "a1 a2 a3 a4 a1 a2 a3 a4",
              "pages": [
                {
                  "file": "one.md",
                  "interventions": ["no-scaling"],
                  "actions": [{"do": "run-to", "hook": "blocks.0.attn.hook_pattern"}],
                  "view": {"show": "head", "layer": 0, "head": 1},
                  "highlight": [{"cell": [3, 2]}]
                },
                {
                  "file": "two.md",
                  "actions": [{"do": "run-to-end"}],
                  "exercise": {
                    "id": "pick",
                    "kind": "pick-cell",
                    "question": "Which key does query 6 attend to most?",
                    "difficulty": 1,
                    "minutes": 2,
                    "answer": {"probe": "argmax-key", "layer": 1, "head": 0, "query": 6},
                    "misconceptions": [{"probe": "earlier-copy", "query": 6, "message": "Same token; look one further."}]
                  }
                },
                {
                  "file": "three.md",
                  "actions": [{"do": "run-to-end"}],
                  "exercise": {
                    "id": "which",
                    "kind": "choice",
                    "question": "Which head?",
                    "difficulty": 1,
                    "minutes": 2,
                    "answer": {"probe": "top-head", "score": "previous-token", "layer": 0},
                    "options": {"probe": "heads", "layer": 0}
                  }
                }
              ]
            }
            """;

    /**
     * @param find      text of the base lesson.json to replace (must occur once)
     * @param replace   what replaces it
     * @param page      the page the problem must name (0: the lesson)
     * @param field     the field it must name (null: a problem in a Markdown file)
     * @param atLine    text whose line (in the broken file) the problem must name
     * @param below     lines to add to it (-1: the line above, where an object missing a field starts)
     * @param message   a part of the message
     */
    record Case(String name, String find, String replace, int page, String field, String atLine, int below,
                String message) {

        Case(String name, String find, String replace, int page, String field, String atLine, String message) {
            this(name, find, replace, page, field, atLine, 0, message);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("bad JSON", "\"title\": \"A lesson to break\",", "\"title\": \"A lesson to break\"",
                        0, null, "\"model\"", "bad JSON"),
                new Case("bad JSON in a page", "\"difficulty\": 1,\n        \"minutes\": 2,\n        \"answer\": {\"probe\": \"argmax",
                        "\"difficulty\": 1\n        \"minutes\": 2,\n        \"answer\": {\"probe\": \"argmax", 2, "exercise",
                        "\"minutes\": 2,\n        \"answer\": {\"probe\": \"argmax", "was expecting comma"),
                new Case("unknown hook", "\"hook\": \"blocks.0.attn.hook_pattern\"", "\"hook\": \"blocks.0.attn.hook_patern\"",
                        1, "actions[0].hook", "hook_patern", "unknown hook"),
                new Case("layer out of range", "\"layer\": 1, \"head\": 0, \"query\": 6}",
                        "\"layer\": 7, \"head\": 0, \"query\": 6}", 2, "exercise.answer.layer", "\"layer\": 7",
                        "layer 7 is out of range: induction-2l has 2 layers"),
                new Case("head out of range", "\"layer\": 1, \"head\": 0, \"query\": 6}",
                        "\"layer\": 1, \"head\": 9, \"query\": 6}", 2, "exercise.answer.head", "\"head\": 9",
                        "head 9 is out of range: induction-2l has 4 heads"),
                new Case("view layer out of range", "\"view\": {\"show\": \"head\", \"layer\": 0",
                        "\"view\": {\"show\": \"head\", \"layer\": 5", 1, "view.layer", "\"layer\": 5", "out of range"),
                new Case("unknown probe", "\"probe\": \"argmax-key\"", "\"probe\": \"argmax-keys\"", 2,
                        "exercise.answer.probe", "argmax-keys", "unknown probe \"argmax-keys\"; did you mean \"argmax-key\"?"),
                new Case("unknown action", "{\"do\": \"run-to-end\"}],\n      \"exercise\": {\n        \"id\": \"which\"",
                        "{\"do\": \"run-to-finish\"}],\n      \"exercise\": {\n        \"id\": \"which\"", 3, "actions[0].do",
                        "run-to-finish", "unknown action \"run-to-finish\""),
                new Case("missing page file", "\"file\": \"three.md\"", "\"file\": \"four.md\"", 3, "file", "four.md",
                        "page file four.md not found"),
                new Case("missing field", "\"question\": \"Which head?\",\n", "", 3, "exercise.question", "\"id\": \"which\"",
                        -1, "missing field \"question\""),
                new Case("bad exercise kind", "\"kind\": \"choice\"", "\"kind\": \"multiple-choice\"", 3, "exercise.kind",
                        "multiple-choice", "unknown exercise kind \"multiple-choice\""),
                new Case("options probe missing", ",\n        \"options\": {\"probe\": \"heads\", \"layer\": 0}", "", 3,
                        "exercise.options", "\"id\": \"which\"", -1, "a choice needs \"options\""),
                new Case("misconception without message", ", \"message\": \"Same token; look one further.\"", "", 2,
                        "exercise.misconceptions[0].message", "earlier-copy", "a misconception needs a \"message\""),
                new Case("unknown view", "\"show\": \"head\"", "\"show\": \"heads\"", 1, "view.show", "\"heads\"",
                        "unknown view \"heads\"; did you mean \"head\"?"),
                new Case("query past the prompt", "\"head\": 0, \"query\": 6}", "\"head\": 0, \"query\": 60}", 2,
                        "exercise.answer.query", "\"query\": 60", "query 60 does not exist: this pass has 8 queries"),
                new Case("highlight outside the map", "{\"cell\": [3, 2]}", "{\"cell\": [3, 12]}", 1, "highlight[0].cell",
                        "[3, 12]", "cell [3, 12] is outside the 8 x 8 map"),
                new Case("misspelt field", "\"highlight\": [", "\"hihglight\": [", 1, "hihglight", "hihglight",
                        "unknown field \"hihglight\"; did you mean \"highlight\"?"),
                new Case("answer of the wrong kind", "\"probe\": \"argmax-key\", \"layer\": 1, \"head\": 0, \"query\": 6}",
                        "\"probe\": \"entropy\", \"layer\": 1, \"head\": 0, \"query\": 6}", 2, "exercise.answer.probe",
                        "\"entropy\"", "probe entropy gives a number here; a pick-cell exercise needs a cell"),
                new Case("misconception same as the answer", "{\"probe\": \"earlier-copy\", \"query\": 6,",
                        "{\"probe\": \"earlier-copy\", \"query\": 6, \"shift\": 1,", 2, "exercise.misconceptions[0]",
                        "\"shift\": 1", "gives the same answer as the right one"),
                new Case("bad intervention", "[\"no-scaling\"]", "[\"no-scalling\"]", 1, "interventions[0]", "no-scalling",
                        "'no-scalling' is not an intervention"),
                new Case("bad probe parameter", "\"score\": \"previous-token\"", "\"score\": \"previous\"", 3,
                        "exercise.answer.score", "\"previous\"", "\"previous\" is not a score"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachMistakeIsNamedWithItsPageFieldAndLine(Case c, @TempDir Path dir) throws IOException {
        String json = once(BASE, c.find(), c.replace());
        List<LessonProblem> problems = check(dir, json, "Page one.", "Page two.");
        assertEquals(1, problems.size(), () -> c + ": " + problems);
        LessonProblem p = problems.get(0);
        assertEquals("broken", p.lesson(), p::toString);
        assertEquals(c.page(), p.page(), p::toString);
        assertEquals(c.field(), p.field(), p::toString);
        assertEquals(LessonProblem.LESSON_FILE, p.file(), p::toString);
        assertEquals(lineOf(json, c.atLine()) + c.below(), p.line(), p::toString);
        assertTrue(p.message().contains(c.message()), () -> "expected \"" + c.message() + "\" in: " + p);
        String line = p.toString();
        assertTrue(line.startsWith("lesson broken" + (c.page() > 0 ? ", page " + c.page() : "")), line);
        assertTrue(line.contains("line " + p.line()), line);
    }

    @Test
    void aPlaceholderThatIsNotComputedIsNamedWithItsMarkdownLine(@TempDir Path dir) throws IOException {
        List<LessonProblem> problems = check(dir, BASE, "# One\n\nThe weights are {{weights}}.\n", "Page two.");
        assertEquals(1, problems.size(), problems::toString);
        LessonProblem p = problems.get(0);
        assertEquals(1, p.page());
        assertEquals("one.md", p.file());
        assertEquals(3, p.line());
        assertTrue(p.message().contains("{{weights}} is not computed on this page"), p::toString);
    }

    @Test
    void theBaseLessonPasses(@TempDir Path dir) throws IOException {
        assertEquals(List.of(), check(dir, BASE, "Page one.", "Page two."));
    }

    @Test
    void severalMistakesAreAllReported(@TempDir Path dir) throws IOException {
        String json = once(once(BASE, "\"show\": \"head\"", "\"show\": \"heads\""), "\"kind\": \"choice\"",
                "\"kind\": \"multiple-choice\"");
        List<LessonProblem> problems = check(dir, json, "Page one.", "Page two.");
        assertEquals(2, problems.size(), problems::toString);
        assertFalse(problems.get(0).page() == problems.get(1).page());
    }

    private static List<LessonProblem> check(Path dir, String json, String one, String two) throws IOException {
        Path lesson = dir.resolve("broken");
        Files.createDirectories(lesson);
        Files.writeString(lesson.resolve("lesson.json"), json, StandardCharsets.UTF_8);
        Files.writeString(lesson.resolve("one.md"), one, StandardCharsets.UTF_8);
        Files.writeString(lesson.resolve("two.md"), two, StandardCharsets.UTF_8);
        Files.writeString(lesson.resolve("three.md"), "Page three.", StandardCharsets.UTF_8);
        return new LessonChecker(SharedModels.pool()).check(LessonSource.folder(lesson)).problems();
    }

    private static String once(String text, String find, String replace) {
        int at = text.indexOf(find);
        if (at < 0 || text.indexOf(find, at + 1) >= 0) {
            throw new IllegalArgumentException("\"" + find + "\" must occur once in the base lesson");
        }
        return text.substring(0, at) + replace + text.substring(at + find.length());
    }

    private static int lineOf(String text, String marker) {
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new IllegalArgumentException("no \"" + marker + "\" in the broken lesson");
        }
        return (int) text.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
    }
}
