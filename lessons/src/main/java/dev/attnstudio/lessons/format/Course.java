package dev.attnstudio.lessons.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where lessons are found: the bundled course on the class path ({@code course.json} lists its folders in order,
 * since a jar cannot be listed), or on disk a lesson folder or a folder of lessons (in the order of its
 * {@code course.json} when it has one, else every subfolder holding a lesson.json, by name).
 */
public final class Course {

    /** The bundled course's folder on the class path. */
    public static final String BUNDLED = "dev/attnstudio/lessons/course";
    /** The file listing a course's lessons in order: {@code {"lessons": ["05-...", "10-..."]}}. */
    public static final String INDEX = "course.json";

    private Course() {
    }

    /** The bundled lessons, in course order. */
    public static List<LessonSource> bundled() {
        LessonSource root = LessonSource.resource(BUNDLED);
        String index = root.read(INDEX).orElseThrow(() -> new IllegalStateException("the bundled course has no "
                + INDEX + " on the class path"));
        return listed(index, BUNDLED + "/" + INDEX).stream().map(n -> LessonSource.resource(BUNDLED + "/" + n)).toList();
    }

    /**
     * The lessons of a folder on disk.
     *
     * @throws IllegalArgumentException when it is not a folder, or holds no lesson
     */
    public static List<LessonSource> folder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + " is not a folder");
        }
        if (Files.isRegularFile(folder.resolve(LessonProblem.LESSON_FILE))) {
            return List.of(LessonSource.folder(folder));
        }
        Path index = folder.resolve(INDEX);
        List<LessonSource> out = new ArrayList<>();
        try {
            if (Files.isRegularFile(index)) {
                for (String name : listed(Files.readString(index), index.toString())) {
                    out.add(LessonSource.folder(folder.resolve(name)));
                }
                return out;
            }
            try (Stream<Path> children = Files.list(folder)) {
                children.filter(p -> Files.isRegularFile(p.resolve(LessonProblem.LESSON_FILE))).sorted()
                        .forEach(p -> out.add(LessonSource.folder(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(folder + " holds no lesson: a lesson is a folder with a lesson.json, and a"
                    + " course a folder of such folders");
        }
        return out;
    }

    private static List<String> listed(String json, String label) {
        try {
            JsonValue root = JsonTree.read(json);
            JsonValue lessons = root.isObject() ? root.members().get("lessons") : null;
            if (lessons == null || !lessons.isArray()) {
                throw new IllegalArgumentException(label + ": expected {\"lessons\": [\"folder\", ...]}");
            }
            List<String> names = new ArrayList<>();
            for (JsonValue v : lessons.items()) {
                if (!v.isString()) {
                    throw new IllegalArgumentException(label + " line " + v.line() + ": a lesson's folder name is a text");
                }
                names.add(v.string());
            }
            return names;
        } catch (JsonTree.SyntaxError e) {
            throw new IllegalArgumentException(label + " line " + e.line() + ": bad JSON: " + e.getMessage(), e);
        }
    }
}
