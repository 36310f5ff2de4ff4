package dev.attnstudio.lessons.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where a lesson's files are: a folder on disk (a teacher's lesson), or a folder on the class path (the course). */
public sealed interface LessonSource {

    /** The folder's name: the lesson's id when lesson.json cannot say. */
    String name();

    /** The text of a file of the lesson, if it exists. */
    Optional<String> read(String relative);

    /** The folder on disk, or null on the class path. */
    Path folder();

    /** Where it is, for messages. */
    String label();

    static LessonSource folder(Path folder) {
        return new Folder(folder.toAbsolutePath().normalize());
    }

    /** @param base a class-path folder, e.g. {@code dev/attnstudio/lessons/course/05-scores-as-dot-products} */
    static LessonSource resource(String base) {
        return new Resource(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    }

    record Folder(Path folder) implements LessonSource {
        public String name() {
            return folder.getFileName().toString();
        }

        public Optional<String> read(String relative) {
            Path file = folder.resolve(relative).normalize();
            if (!file.startsWith(folder) || !Files.isRegularFile(file)) {
                return Optional.empty();
            }
            try {
                return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        public String label() {
            return folder.toString();
        }
    }

    record Resource(String base) implements LessonSource {
        public String name() {
            return base.substring(base.lastIndexOf('/') + 1);
        }

        public Optional<String> read(String relative) {
            if (relative.contains("..")) {
                return Optional.empty();
            }
            try (InputStream in = LessonSource.class.getClassLoader().getResourceAsStream(base + "/" + relative)) {
                return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + base + "/" + relative + ": " + e.getMessage(), e);
            }
        }

        public Path folder() {
            return null;
        }

        public String label() {
            return "classpath:" + base;
        }
    }
}
