package dev.attnstudio.samples;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.runtime.DjlRuntime;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model comes from: a bundled sample by name, or a path on disk (a Hugging Face folder, a folder holding an
 * ONNX encoder export, or a {@code .onnx} file). The one opener the app and the command line share.
 */
public sealed interface ModelSource {

    /** What menus and messages call it: the sample's name, or the path. */
    String label();

    /** Whether it can still be opened (a folder may have been moved or deleted since). */
    boolean exists();

    /** One line that {@link #parse} reads back: {@code sample:NAME} or {@code folder:PATH}. */
    String encode();

    /** Loads the model (weights, config, tokenizer) onto a device. */
    LoadedModel open(DjlRuntime.DeviceChoice device);

    /**
     * What the model can do, when that is known without reading its weights (a Hugging Face folder's config.json), so
     * a command can be refused before a long load; empty otherwise.
     */
    default Optional<Capabilities> capabilitiesBeforeLoading() {
        return Optional.empty();
    }

    /** A bundled sample (see {@link SampleModels}). */
    record Sample(String name) implements ModelSource {
        @Override
        public String label() {
            return name;
        }

        @Override
        public boolean exists() {
            return SampleModels.find(name).isPresent();
        }

        @Override
        public String encode() {
            return "sample:" + name;
        }

        @Override
        public LoadedModel open(DjlRuntime.DeviceChoice device) {
            return SampleModels.open(name, device);
        }
    }

    /**
     * A model on disk: a Hugging Face folder (config.json, model.safetensors), a folder with an ONNX encoder export, or a
     * {@code .onnx} file.
     *
     * @param tokenizer a tokenizer.json for a {@code .onnx} file, or null to use the one next to it (if any)
     */
    record OnDisk(Path path, Path tokenizer) implements ModelSource {
        public OnDisk {
            path = path.toAbsolutePath().normalize();
        }

        public OnDisk(Path path) {
            this(path, null);
        }

        @Override
        public String label() {
            return path.toString();
        }

        @Override
        public boolean exists() {
            return Files.isDirectory(path) || Files.isRegularFile(path);
        }

        @Override
        public String encode() {
            return "folder:" + path;
        }

        @Override
        public Optional<Capabilities> capabilitiesBeforeLoading() {
            Path config = path.resolve("config.json");
            return Files.isDirectory(path) && Files.isRegularFile(config)
                    ? Optional.of(LoadedModel.capabilities(ModelConfig.read(config))) : Optional.empty();
        }

        @Override
        public LoadedModel open(DjlRuntime.DeviceChoice device) {
            if (tokenizer != null && ModelFolder.isOnnx(path)) {
                return ModelFolder.openOnnx(path, tokenizer, device);
            }
            return ModelFolder.open(path, device);
        }
    }

    /** The source {@link #encode()} wrote, or null for a line it did not write. */
    static ModelSource parse(String line) {
        if (line.startsWith("sample:") && line.length() > 7) {
            return new Sample(line.substring(7));
        }
        if (line.startsWith("folder:") && line.length() > 7) {
            return new OnDisk(Path.of(line.substring(7)));
        }
        return null;
    }

    /**
     * What a user typed (a command line's {@code --model}): an existing folder or {@code .onnx} file, else a bundled
     * sample's name.
     *
     * @throws IllegalArgumentException naming what was looked for, with the bundled samples
     */
    static ModelSource locate(String spec) {
        Path path = null;
        try {
            path = Path.of(spec);
        } catch (InvalidPathException e) {
            // not a path; maybe a sample name
        }
        if (path != null && Files.isDirectory(path)) {
            return new OnDisk(path);
        }
        if (path != null && Files.isRegularFile(path)) {
            if (!ModelFolder.isOnnx(path)) {
                throw new IllegalArgumentException(path + " is a file but not .onnx; give a .onnx file or the folder that "
                        + "holds config.json and model.safetensors");
            }
            return new OnDisk(path);
        }
        if (SampleModels.find(spec).isPresent()) {
            return new Sample(spec);
        }
        if (path != null && (spec.contains("/") || spec.contains(path.getFileSystem().getSeparator())
                || ModelFolder.isOnnx(path))) {
            throw new IllegalArgumentException("no model folder or .onnx file at " + path.toAbsolutePath().normalize());
        }
        throw new IllegalArgumentException("'" + spec + "' is not a model folder, a .onnx file or a bundled sample "
                + "(bundled: " + String.join(", ", SampleModels.catalog().stream().map(SampleModels.Sample::name).toList())
                + ")");
    }
}
