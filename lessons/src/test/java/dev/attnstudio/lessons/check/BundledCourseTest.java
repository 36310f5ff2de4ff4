package dev.attnstudio.lessons.check;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The headless check over the bundled course, as {@code mvn verify} runs it: every lesson opens, every page's actions
 * run on the real samples, every probe is evaluated, and every exercise accepts its right answer, rejects a wrong
 * one and gives each misconception its message.
 */
class BundledCourseTest {

    @Test
    void everyBundledLessonPasses() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = LessonCheck.run(null, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        assertEquals(LessonCheck.OK, code, report);
    }
}
