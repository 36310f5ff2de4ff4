package dev.attnstudio.engine.load;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.Checkpoint;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.model.WeightSource;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Opens a model from disk, of either kind the engine reads:
 * <ul>
 *   <li>a Hugging Face folder: {@code config.json} and {@code model.safetensors} (or
 *       {@code model.safetensors.index.json} with its shards) of a supported family, with an
 *       optional {@code tokenizer.json} ({@link LoadedModel#open});</li>
 *   <li>a BERT encoder exported to ONNX (as sentence-transformers publish them): a {@code .onnx} file, or a folder
 *       holding one (or an {@code onnx/} subfolder holding one; {@code model.onnx} preferred) with a
 *       {@code tokenizer.json} ({@link OnnxBertImport}).</li>
 * </ul>
 * Anything else is refused with a message that names what is missing and what is supported.
 */
public final class ModelFolder {

    /** The families a Hugging Face folder may hold: "gpt2 (GPT-2 decoder), bert (BERT encoder), ...". */
    public static final String FAMILIES = ModelConfig.Architecture.supported();

    /** What can be opened, for messages and dialogs. */
    public static final String SUPPORTED = "Supported: a Hugging Face folder with config.json and model.safetensors"
            + " (or model.safetensors.index.json with its shards) ("
            + FAMILIES + "; tokenizer.json to type text), or a BERT encoder exported to ONNX (model.onnx and "
            + "tokenizer.json, in the folder or its onnx/ subfolder).";

    private ModelFolder() {
    }

    /** Opens a Hugging Face folder, a folder holding an ONNX export and its tokenizer, or a {@code .onnx} file. */
    public static LoadedModel open(Path path, DjlRuntime.DeviceChoice device) {
        return open(path, device, null);
    }

    /**
     * As {@link #open(Path, DjlRuntime.DeviceChoice)}, telling {@code progress} (may be null) after each tensor of a
     * Hugging Face folder, which may stop the load by throwing (see {@link LoadedModel#open(Path,
     * DjlRuntime.DeviceChoice, WeightSource.Progress)}). An ONNX import reports nothing.
     */
    public static LoadedModel open(Path path, DjlRuntime.DeviceChoice device, WeightSource.Progress progress) {
        if (Files.isRegularFile(path) && isOnnx(path)) {
            Path sibling = path.resolveSibling("tokenizer.json");
            return openOnnx(path, Files.isRegularFile(sibling) ? sibling : null, device);
        }
        if (!Files.isDirectory(path)) {
            throw new ModelFormatException(path, (Files.exists(path) ? "is neither a folder nor a .onnx file. "
                    : "does not exist. ") + SUPPORTED);
        }
        boolean config = Files.isRegularFile(path.resolve("config.json"));
        boolean safetensors = Checkpoint.isIn(path);
        if (config && safetensors) {
            return LoadedModel.open(path, device, progress);
        }
        Optional<Path> onnx = onnxFile(path);
        if (onnx.isPresent()) {
            Path tokenizer = Stream.of(path.resolve("tokenizer.json"), onnx.get().resolveSibling("tokenizer.json"))
                    .filter(Files::isRegularFile).findFirst().orElseThrow(() -> new ModelFormatException(path,
                            "has " + path.relativize(onnx.get()) + " but no tokenizer.json (in the folder or next to the "
                                    + ".onnx file): without it the app cannot turn text into tokens"));
            return openOnnx(onnx.get(), tokenizer, device, path.getFileName().toString());
        }
        throw new ModelFormatException(path, "is not a model folder Attention Studio can open: " + missing(path, config,
                safetensors) + " " + SUPPORTED);
    }

    /** An ONNX export of a BERT encoder; {@code tokenizer} may be null (then only token ids can be given). */
    public static LoadedModel openOnnx(Path onnx, Path tokenizer, DjlRuntime.DeviceChoice device) {
        return openOnnx(onnx, tokenizer, device, onnx.getFileName().toString());
    }

    private static LoadedModel openOnnx(Path onnx, Path tokenizerFile, DjlRuntime.DeviceChoice device, String name) {
        OnnxBertImport.Imported imported = OnnxBertImport.read(OnnxGraph.read(onnx), onnx);
        Tokenizer tokenizer = tokenizerFile == null ? null : Tokenizer.open(tokenizerFile);
        try {
            return LoadedModel.of(name, imported.config(), imported.tensors(), tokenizer, device);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close(); // the model owns it only once built
            }
            throw e;
        }
    }

    /** Whether a path names a {@code .onnx} file. */
    public static boolean isOnnx(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /** What is missing, and what is there instead when it is a format the engine does not read. */
    private static String missing(Path folder, boolean config, boolean safetensors) {
        String lacks = !config && !safetensors ? "it has no config.json, no model.safetensors and no .onnx file."
                : !config ? "it has model.safetensors but no config.json." : "it has config.json but no model.safetensors.";
        List<String> other = files(folder).stream().filter(f -> f.endsWith(".bin") || f.endsWith(".pt")
                || f.endsWith(".pth") || f.endsWith(".gguf") || f.endsWith(".h5") || f.endsWith(".ckpt")).toList();
        if (!other.isEmpty()) {
            lacks += " Its weights (" + String.join(", ", other) + ") are in a format the engine does not read; "
                    + "save them as model.safetensors.";
        }
        return lacks;
    }

    private static Optional<Path> onnxFile(Path folder) {
        for (Path dir : List.of(folder, folder.resolve("onnx"))) {
            if (Files.isRegularFile(dir.resolve("model.onnx"))) {
                return Optional.of(dir.resolve("model.onnx"));
            }
            if (Files.isDirectory(dir)) {
                Optional<Path> any = files(dir).stream().filter(f -> f.toLowerCase(Locale.ROOT).endsWith(".onnx"))
                        .sorted().findFirst().map(dir::resolve);
                if (any.isPresent()) {
                    return any;
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> files(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
