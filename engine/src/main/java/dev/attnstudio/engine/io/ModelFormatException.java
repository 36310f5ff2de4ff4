package dev.attnstudio.engine.io;

import java.nio.file.Path;

/**
 * Thrown when a model file is unreadable or inconsistent; the message always names the file and the problem.
 *
 * <p>The message has the form {@code "<file>: <problem>"}, where the problem is written for the person who
 * picked the file (for example {@code "model.safetensors: tensor 'wte.weight' has dtype I64, which is not
 * supported; supported dtypes are F32, F16, BF16"}), so user interfaces can show it as it is.
 */
public class ModelFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Longest problem text kept, in characters: a message quotes what it found, and a hostile file can make that
     * megabytes (a 2 MiB string, a shape of 100,000 dimensions); a person reads a few lines, and a dialog or a log
     * line must stay usable.
     */
    static final int MAX_PROBLEM_CHARS = 1000;

    /** The file at fault; {@link Path} is not serializable, so it is not kept across serialization. */
    private final transient Path file;

    /**
     * Creates an exception for a file with a problem.
     *
     * @param file    the file that is unreadable or inconsistent
     * @param problem what is wrong with it, in plain words
     */
    public ModelFormatException(Path file, String problem) {
        super(message(file, problem));
        this.file = file;
    }

    /**
     * Creates an exception for a file with a problem that was detected through another exception.
     *
     * @param file    the file that is unreadable or inconsistent
     * @param problem what is wrong with it, in plain words
     * @param cause   the exception that revealed the problem (for example an {@link java.io.IOException})
     */
    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(message(file, problem), cause);
        this.file = file;
    }

    /**
     * Returns the file at fault.
     *
     * @return the file named in the message
     */
    public Path file() {
        return file;
    }

    private static String message(Path file, String problem) {
        // Never throw from here: a failing exception constructor would hide the real problem.
        return file + ": " + cut(String.valueOf(problem), MAX_PROBLEM_CHARS);
    }

    /** {@code text}, or its first {@code max} characters and how long it was: "abc… (2097152 characters)". */
    public static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "\u2026 (" + text.length() + " characters)";
    }

    /** A shape for a message: "[2, 3]", or its first dimensions and their count when there are many. */
    public static String shape(long[] shape) {
        if (shape.length <= 8) {
            return java.util.Arrays.toString(shape);
        }
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            b.append(shape[i]).append(", ");
        }
        return b.append("\u2026] (" + shape.length + " dimensions)").toString();
    }
}
