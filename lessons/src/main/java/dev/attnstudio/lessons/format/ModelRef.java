package dev.attnstudio.lessons.format;

import java.nio.file.Path;

/** The model a page runs on: a bundled sample by name, or (in a teacher's lesson) a model folder on disk. */
public sealed interface ModelRef {

    /** How the lesson names it, for messages. */
    String label();

    /** A bundled sample: {@code "model": "induction-2l"}. */
    record Sample(String name) implements ModelRef {
        public String label() {
            return name;
        }
    }

    /**
     * A Hugging Face folder: {@code "model": {"folder": "models/my-gpt2"}}, relative to the lesson's folder.
     *
     * @param path    the folder, resolved against the lesson's folder
     * @param written the path as the lesson wrote it
     */
    record Folder(Path path, String written) implements ModelRef {
        public String label() {
            return written;
        }
    }
}
