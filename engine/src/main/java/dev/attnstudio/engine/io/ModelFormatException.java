package dev.attnstudio.engine.io;

import java.nio.file.Path;

/** A model file is unreadable or inconsistent; the message always names the file and the problem. */
public class ModelFormatException extends RuntimeException {

    private final transient Path file;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file the problem is in. */
    public Path file() {
        return file;
    }
}
