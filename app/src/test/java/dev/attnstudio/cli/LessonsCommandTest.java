package dev.attnstudio.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code attn-studio lessons check}: the bundled course passes; an author's broken lesson is told what is wrong. */
class LessonsCommandTest {

    @TempDir
    Path dir;

    @Test
    void theBundledCoursePassesAndABrokenLessonIsNamedWithItsLine() throws IOException {
        MainTest.Result bundled = MainTest.run("lessons", "check");
        assertEquals(0, bundled.code(), bundled.out() + bundled.err());

        Path lesson = Files.createDirectories(dir.resolve("my-lesson"));
        Files.writeString(lesson.resolve("one.md"), "# One\n\nA page.\n");
        Files.writeString(lesson.resolve("lesson.json"), """
                {
                  "format": 1,
                  "id": "my-lesson",
                  "title": "Mine",
                  "model": "tiny-gpt",
                  "prompt": {"text": "In the beginning"},
                  "pages": [
                    {"file": "one.md",
                     "view": {"show": "head", "layer": 9, "head": 0}}
                  ]
                }
                """);
        MainTest.Result broken = MainTest.run("lessons", "check", lesson.toString());
        assertEquals(1, broken.code(), broken.out() + broken.err());
        String report = broken.out() + broken.err();
        assertTrue(report.contains("my-lesson") && report.contains("page 1") && report.contains("layer")
                && report.contains("line 9"), report);

        MainTest.Result missing = MainTest.run("lessons");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("attn-studio lessons check [FOLDER]"), missing.err());
    }
}
