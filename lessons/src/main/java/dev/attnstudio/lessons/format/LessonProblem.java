package dev.attnstudio.lessons.format;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One thing wrong with a lesson, said so that its author can go straight to it: the lesson, the page (1-based, with
 * its Markdown file), the field inside that page (or the lesson), the file and line, and what is wrong.
 *
 * @param lesson   the lesson's id (its folder name when the id could not be read)
 * @param page     the page, 1-based; 0 for the lesson as a whole
 * @param pageFile the page's Markdown file, or null
 * @param field    the field's path within the page ({@code exercise.answer.layer}) or the lesson ({@code model}); null
 *                 for a problem inside a Markdown file
 * @param file     the file the line is in: {@code lesson.json} or the page's Markdown file
 * @param line     1-based line in {@code file}
 * @param message  what is wrong, and where it helps, what would be right
 */
public record LessonProblem(String lesson, int page, String pageFile, String field, String file, int line,
                            String message) {

    /** The JSON file every lesson has. */
    public static final String LESSON_FILE = "lesson.json";

    private static final Pattern PAGE_PATH = Pattern.compile("pages\\[(\\d+)](?:\\.(.*))?");

    /**
     * A problem at a path of lesson.json ({@code pages[1].actions[0].hook}): the page and field are read off the
     * path, the line off the source map.
     *
     * @param pageFiles the pages' Markdown files as far as they are known (may be shorter than the pages list)
     */
    public static LessonProblem at(String lesson, java.util.List<String> pageFiles, SourceMap where, String path,
                                   String message) {
        int line = where.locate(path).line();
        Matcher m = PAGE_PATH.matcher(path);
        if (m.matches()) {
            int index = Integer.parseInt(m.group(1));
            String file = index < pageFiles.size() ? pageFiles.get(index) : null;
            String field = m.group(2) == null ? "(the page)" : m.group(2);
            return new LessonProblem(lesson, index + 1, file, field, LESSON_FILE, line, message);
        }
        return new LessonProblem(lesson, 0, null, path.isEmpty() ? "(the lesson)" : path, LESSON_FILE, line, message);
    }

    /** A problem on a line of a page's Markdown file. */
    public static LessonProblem inPage(String lesson, int pageIndex, String pageFile, int line, String message) {
        return new LessonProblem(lesson, pageIndex + 1, pageFile, null, pageFile, line, message);
    }

    /** One line: {@code lesson 05-x, page 3 (03-y.md), field exercise.answer.layer, lesson.json line 34: ...}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("lesson ").append(lesson);
        if (page > 0) {
            s.append(", page ").append(page);
            if (pageFile != null) {
                s.append(" (").append(pageFile).append(')');
            }
        }
        if (field != null) {
            s.append(", field ").append(field);
        }
        s.append(", ").append(file).append(" line ").append(line).append(": ").append(message);
        return s.toString();
    }
}
