package dev.attnstudio.app.lesson;

import java.net.URL;
import java.util.Objects;

/** Style classes of the lesson panel, styled by {@code lesson.css} over the theme's colour tokens. */
final class LessonStyles {

    static final String PANEL = "lesson-panel";
    static final String HEADER = "lesson-header";
    static final String PAGE_TITLE = "lesson-page-title";
    static final String EXERCISE = "lesson-exercise";
    static final String EXERCISE_TITLE = "lesson-exercise-title";
    static final String MUTED = "lesson-muted";
    static final String FEEDBACK = "lesson-feedback";
    static final String RIGHT = "lesson-right";
    static final String WRONG = "lesson-wrong";
    static final String HINT = "lesson-hint";
    static final String SOLUTION = "lesson-solution";
    static final String CODE_INPUT = "lesson-code-input";
    static final String NOTICE = "lesson-notice";
    static final String LOOK_AT = "lesson-look-at";
    static final String NAV = "lesson-nav";
    static final String BANNER = "course-banner";

    private LessonStyles() {
    }

    static String stylesheet() {
        URL url = Objects.requireNonNull(LessonStyles.class.getResource("/dev/attnstudio/app/lesson/lesson.css"),
                "lesson.css is missing");
        return url.toExternalForm();
    }
}
