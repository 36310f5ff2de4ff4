package dev.attnstudio.lessons.run;

import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.LessonProblem;

/**
 * A page that could not be set up or whose probes could not be evaluated, with the path in lesson.json of the field at
 * fault ({@code pages[2].exercise.answer.query}), so that the author gets its line.
 */
public final class PageException extends RuntimeException {

    private final String path;

    public PageException(String path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    public PageException(String path, String message) {
        this(path, message, null);
    }

    public String path() {
        return path;
    }

    /** As a problem of the lesson, with its page, field and line. */
    public LessonProblem problem(Lesson lesson) {
        return lesson.problem(path, getMessage());
    }
}
