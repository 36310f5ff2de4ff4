package dev.attnstudio.app.export;

import java.nio.file.Path;
import java.util.Locale;

/** File formats a tensor exports to. */
public enum TensorFormat {
    /** NumPy array, float32 little-endian; the hook name is the file's name (.npy has no room for it). */
    NPY("npy", "NumPy array"),
    /** Text table: a row per position, index columns first, the hook name and shape in comment lines. */
    CSV("csv", "CSV table"),
    /** {"hook": ..., "shape": [...], "dtype": "float32", "values": nested lists}. */
    JSON("json", "JSON");

    public final String extension;
    public final String description;

    TensorFormat(String extension, String description) {
        this.extension = extension;
        this.description = description;
    }

    /** The format a file name asks for by its extension. */
    public static TensorFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (TensorFormat f : values()) {
            if (name.endsWith("." + f.extension)) {
                return f;
            }
        }
        throw new IllegalArgumentException(file.getFileName() + ": choose a name ending in .npy, .csv or .json");
    }
}
