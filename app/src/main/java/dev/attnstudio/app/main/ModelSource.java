package dev.attnstudio.app.main;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where a model comes from: a bundled sample by name, or a folder on disk. Remembered in the recent list. */
public sealed interface ModelSource {

    /** What menus and messages call it: the sample's name, or the folder's path. */
    String label();

    /** Whether it can still be opened (a folder may have been moved or deleted since). */
    boolean exists();

    /** One line that {@link #parse} reads back: {@code sample:NAME} or {@code folder:PATH}. */
    String encode();

    /** A bundled sample (see {@code SampleModels}). */
    record Sample(String name) implements ModelSource {
        @Override
        public String label() {
            return name;
        }

        @Override
        public boolean exists() {
            return dev.attnstudio.samples.SampleModels.find(name).isPresent();
        }

        @Override
        public String encode() {
            return "sample:" + name;
        }
    }

    /** A model folder: Hugging Face (config.json, model.safetensors) or an ONNX encoder export. */
    record Folder(Path path) implements ModelSource {
        public Folder {
            path = path.toAbsolutePath().normalize();
        }

        @Override
        public String label() {
            return path.toString();
        }

        @Override
        public boolean exists() {
            return Files.isDirectory(path);
        }

        @Override
        public String encode() {
            return "folder:" + path;
        }
    }

    /** The source {@link #encode()} wrote, or null for a line it did not write. */
    static ModelSource parse(String line) {
        if (line.startsWith("sample:") && line.length() > 7) {
            return new Sample(line.substring(7));
        }
        if (line.startsWith("folder:") && line.length() > 7) {
            return new Folder(Path.of(line.substring(7)));
        }
        return null;
    }
}
