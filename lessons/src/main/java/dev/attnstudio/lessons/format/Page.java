package dev.attnstudio.lessons.format;

/**
 * One page of a lesson: its Markdown, what happens when it opens, an optional worked example and exercise.
 *
 * @param index    0-based position in the lesson
 * @param file     the Markdown file, relative to the lesson's folder
 * @param title    the page's title (the json's, else the Markdown's first heading, else the file name)
 * @param markdown the page's text, with {@code {{name}}} placeholders for the worked example's results
 * @param setup    what happens when it opens
 * @param worked   the worked example ({@link Worked#NONE} when there is none)
 * @param exercise the exercise, or null
 */
public record Page(int index, String file, String title, String markdown, PageSetup setup, Worked worked,
                   Exercise exercise) {

    /** The path of this page in lesson.json, for messages: {@code pages[2]}. */
    public String path() {
        return "pages[" + index + "]";
    }
}
