package dev.attnstudio.app.main;

import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.OnnxBertImport;
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
 * Opens a model folder the user picked, of either kind the engine reads:
 * <ul>
 *   <li>a Hugging Face folder: {@code config.json} and {@code model.safetensors} (GPT-2, BERT or LLaMA), with an
 *       optional {@code tokenizer.json} ({@link LoadedModel#open});</li>
 *   <li>an ONNX encoder export (BERT family, as sentence-transformers publish them): a {@code .onnx} file in the
 *       folder or its {@code onnx/} subfolder ({@code model.onnx} preferred), and a {@code tokenizer.json} in the
 *       folder or next to the file ({@link OnnxBertImport}).</li>
 * </ul>
 * Anything else is refused with a message that names what the folder lacks and what is supported.
 */
public final class ModelFolder {

    static final String SUPPORTED = "Supported: a Hugging Face folder with config.json and model.safetensors "
            + "(GPT-2, BERT, LLaMA; tokenizer.json to type text), or a BERT encoder exported to ONNX "
            + "(model.onnx and tokenizer.json, in the folder or its onnx/ subfolder).";

    private ModelFolder() {
    }

    public static LoadedModel open(Path folder, DjlRuntime.DeviceChoice device) {
        if (!Files.isDirectory(folder)) {
            throw new ModelFormatException(folder, "is not a folder. " + SUPPORTED);
        }
        boolean config = Files.isRegularFile(folder.resolve("config.json"));
        boolean safetensors = Files.isRegularFile(folder.resolve("model.safetensors"));
        if (config && safetensors) {
            return LoadedModel.open(folder, device);
        }
        Optional<Path> onnx = onnxFile(folder);
        if (onnx.isPresent()) {
            return openOnnx(folder, onnx.get(), device);
        }
        throw new ModelFormatException(folder, "is not a model folder Attention Studio can open: " + missing(folder, config, safetensors)
                + " " + SUPPORTED);
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

    private static LoadedModel openOnnx(Path folder, Path onnx, DjlRuntime.DeviceChoice device) {
        Path tokenizerFile = Stream.of(folder.resolve("tokenizer.json"), onnx.resolveSibling("tokenizer.json"))
                .filter(Files::isRegularFile).findFirst().orElseThrow(() -> new ModelFormatException(folder,
                        "has " + folder.relativize(onnx) + " but no tokenizer.json (in the folder or next to the .onnx "
                                + "file): without it the app cannot turn text into tokens"));
        OnnxBertImport.Imported imported = OnnxBertImport.read(OnnxGraph.read(onnx), onnx);
        Tokenizer tokenizer = Tokenizer.open(tokenizerFile);
        try {
            return LoadedModel.of(folder.getFileName().toString(), imported.config(), imported.tensors(), tokenizer, device);
        } catch (RuntimeException e) {
            tokenizer.close(); // the model owns it only once built
            throw e;
        }
    }

    private static List<String> files(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
