package dev.attnstudio.lessons.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prompt's {@code "padding"}: right by default, left when asked, anything else a problem naming the field. */
class PromptPaddingTest {

    private static LessonReader.Result read(Path dir, String padding) throws IOException {
        Files.writeString(dir.resolve("one.md"), "# One\n");
        Files.writeString(dir.resolve("lesson.json"), """
                {
                  "id": "padding",
                  "title": "Padding",
                  "model": "all-minilm-l6-v2",
                  "prompt": {"texts": ["The cat sat", "Hi"]%s},
                  "pages": [{"file": "one.md"}]
                }
                """.formatted(padding == null ? "" : ", \"padding\": \"" + padding + "\""));
        return LessonReader.read(LessonSource.folder(dir));
    }

    private static Prompt prompt(LessonReader.Result r) {
        return r.lesson().pages().get(0).setup().prompt();
    }

    @Test
    void rightByDefaultLeftWhenAsked(@TempDir Path dir) throws IOException {
        LessonReader.Result plain = read(dir, null);
        assertTrue(plain.problems().isEmpty(), plain.problems().toString());
        assertFalse(prompt(plain).padLeft());
        LessonReader.Result left = read(dir, "left");
        assertTrue(left.problems().isEmpty(), left.problems().toString());
        assertTrue(prompt(left).padLeft());
        assertFalse(prompt(read(dir, "right")).padLeft());
    }

    @Test
    void anotherSideIsAProblemNamingTheField(@TempDir Path dir) throws IOException {
        LessonReader.Result r = read(dir, "middle");
        assertEquals(1, r.problems().size(), r.problems().toString());
        LessonProblem p = r.problems().get(0);
        assertTrue(p.field().endsWith("prompt.padding"), p.field());
        assertTrue(p.message().contains("\"left\" or \"right\""), p.message());
        assertEquals(5, p.line());
    }
}
