package dev.attnstudio.lessons.check;

import dev.attnstudio.lessons.format.LessonProblem;
import dev.attnstudio.lessons.format.LessonSource;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A teacher's folder of lessons on disk, one on a model folder of their own, checked as authors run the check. */
class TeacherFolderTest {

    private static final String LESSON = """
            {
              "id": "%s",
              "title": "On my own model",
              "model": %s,
              "prompt": {"ids": [1, 2, 3, 4, 1, 2, 3, 4]},
              "pages": [
                {
                  "file": "page.md",
                  "actions": [{"do": "run-to-end"}],
                  "view": {"show": "attention-grid"},
                  "exercise": {
                    "id": "shape",
                    "kind": "shape",
                    "question": "What shape is the pattern of layer 1?",
                    "difficulty": 1,
                    "minutes": 1,
                    "answer": {"probe": "hook-shape", "hook": "blocks.1.attn.hook_pattern"}
                  }
                }
              ]
            }
            """;

    private static void lesson(Path course, String name, String model) throws IOException {
        Path dir = Files.createDirectories(course.resolve(name));
        Files.writeString(dir.resolve("lesson.json"), LESSON.formatted(name, model), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("page.md"), "# A page\n", StandardCharsets.UTF_8);
    }

    @Test
    void aFolderOfLessonsIsCheckedInNameOrderOnAModelFolder(@TempDir Path course) throws IOException {
        SampleModels.extract((SampleModels.BundledFolder) SampleModels.find("induction-2l").orElseThrow().source(),
                course.resolve("b-own-model").resolve("weights"));
        lesson(course, "b-own-model", "{\"folder\": \"weights\"}");
        lesson(course, "a-sample", "\"induction-2l\"");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = LessonCheck.run(course, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(LessonCheck.OK, code, report);
        assertTrue(report.indexOf("a-sample") < report.indexOf("b-own-model"), report);
        assertTrue(report.contains("OK: 2 lesson(s), 2 pages, 2 exercises"), report);
    }

    @Test
    void aMissingModelFolderIsNamedAtItsField(@TempDir Path course) throws IOException {
        lesson(course, "mine", "{\"folder\": \"nowhere\"}");
        List<LessonProblem> problems = new LessonChecker(SharedModels.pool())
                .check(LessonSource.folder(course.resolve("mine"))).problems();
        assertEquals(1, problems.size(), problems::toString);
        assertEquals("model.folder", problems.get(0).field());
        assertEquals(4, problems.get(0).line());
        assertTrue(problems.get(0).message().startsWith("no model folder at "), problems.get(0)::toString);
    }

    @Test
    void aFolderWithoutLessonsIsAUsageError(@TempDir Path empty) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(LessonCheck.USAGE, LessonCheck.run(empty, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("holds no lesson"));
        assertEquals(LessonCheck.USAGE, LessonCheck.run(empty.resolve("missing"), new PrintStream(bytes)));
    }

    @Test
    void repeatedLessonIdsInACourseAreAProblem(@TempDir Path course) throws IOException {
        lesson(course, "one", "\"induction-2l\"");
        lesson(course, "two", "\"induction-2l\"");
        Files.writeString(course.resolve("two").resolve("lesson.json"), LESSON.formatted("one", "\"induction-2l\""));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(LessonCheck.PROBLEMS, LessonCheck.run(course, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("lesson id \"one\" is also the id of"), bytes::toString);
    }
}
