package dev.attnstudio.lessons.format;

import java.nio.file.Path;
import java.util.List;

/**
 * A lesson: a folder holding {@code lesson.json} and one Markdown file per page. Immutable; read by
 * {@link LessonReader}.
 *
 * @param id      unique in a course; progress is saved under it
 * @param title   the lesson's title
 * @param summary one or two sentences on what it teaches
 * @param pages   its pages, in order
 * @param folder  the folder it was read from on disk, or null for a bundled lesson (read from the class path)
 * @param where   where each value of lesson.json is, for messages
 */
public record Lesson(String id, String title, String summary, List<Page> pages, Path folder, SourceMap where) {

    public Lesson {
        pages = List.copyOf(pages);
    }

    /** The pages' Markdown files, in order. */
    public List<String> pageFiles() {
        return pages.stream().map(Page::file).toList();
    }

    /** A problem at a path of lesson.json, with its page, field and line. */
    public LessonProblem problem(String path, String message) {
        return LessonProblem.at(id, pageFiles(), where, path, message);
    }

    /** Exercises, in page order. */
    public List<Exercise> exercises() {
        return pages.stream().map(Page::exercise).filter(java.util.Objects::nonNull).toList();
    }
}
