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

    /** The text of a file of the lesson, if it exists; {@link UnreadableFile} if it exists but is not UTF-8 text. */
    Optional<String> read(String relative);

    /** The folder on disk, or null on the class path. */
    Path folder();

    /** Where it is, for messages. */
    String label();

    /**
     * Largest lesson file read: pages and lesson.json are text written by hand, a few KiB each; 8 MiB is far beyond
     * any of them and keeps a stray binary or a runaway file from being read whole.
     */
    long MAX_FILE_BYTES = 8L << 20;

    /** A lesson file that exists but cannot be used as text: not UTF-8, or too large. The message says which. */
    final class UnreadableFile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnreadableFile(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bytes as UTF-8 text, or an {@link UnreadableFile} naming the first byte that is not. */
    static String utf8(byte[] bytes, String name) {
        if (bytes.length > MAX_FILE_BYTES) {
            throw new UnreadableFile(name + " is " + bytes.length + " bytes, more than the " + MAX_FILE_BYTES
                    + " a lesson file may have", null);
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(in).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UnreadableFile(name + " is not UTF-8 text (byte " + in.position() + " is not valid UTF-8); save it"
                    + " as UTF-8", e);
        }
    }

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
                if (Files.size(file) > MAX_FILE_BYTES) {
                    throw new UnreadableFile(relative + " is " + Files.size(file) + " bytes, more than the "
                            + MAX_FILE_BYTES + " a lesson file may have", null);
                }
                return Optional.of(utf8(Files.readAllBytes(file), relative));
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
                return in == null ? Optional.empty() : Optional.of(utf8(in.readNBytes((int) MAX_FILE_BYTES + 1), relative));
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
