package dev.attnstudio.lessons.format;

import java.util.ArrayList;
import java.util.List;

/** The problems found while reading one lesson, by path of lesson.json (turned into {@link LessonProblem}s at the end). */
final class Problems {

    /** A problem at a path, or (path null) in a page's Markdown file at a line. */
    record Entry(String path, int pageIndex, String pageFile, int line, String message) {
    }

    private final List<Entry> entries = new ArrayList<>();

    void add(String path, String message) {
        entries.add(new Entry(path, -1, null, 0, message));
    }

    void inPage(int pageIndex, String pageFile, int line, String message) {
        entries.add(new Entry(null, pageIndex, pageFile, line, message));
    }

    int size() {
        return entries.size();
    }

    boolean anySince(int mark) {
        return entries.size() > mark;
    }

    List<LessonProblem> resolve(String lesson, List<String> pageFiles, SourceMap where) {
        return entries.stream().map(e -> e.path() == null
                ? LessonProblem.inPage(lesson, e.pageIndex(), e.pageFile(), e.line(), e.message())
                : LessonProblem.at(lesson, pageFiles, where, e.path(), e.message())).toList();
    }
}
