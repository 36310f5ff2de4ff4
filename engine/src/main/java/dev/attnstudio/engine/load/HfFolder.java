package dev.attnstudio.engine.load;

import dev.attnstudio.engine.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What every Hugging Face-style folder the trainer writes has in common, whatever the model family. */
final class HfFolder {

    /** Writes a family's config.json. */
    @FunctionalInterface
    interface ConfigWriter {
        void write(Path configJson) throws IOException;
    }

    private HfFolder() {
    }

    /**
     * Writes config.json, model.safetensors ({@code format: pt} plus {@code metadata} in its header) and, when
     * given, tokenizer.json.
     */
    static Path write(Path folder, ConfigWriter config, Map<String, SafeTensors.Tensor> tensors, String tokenizerJson,
                      Map<String, String> metadata) throws IOException {
        Files.createDirectories(folder);
        config.write(folder.resolve("config.json"));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, meta);
        if (tokenizerJson != null) {
            Files.writeString(folder.resolve("tokenizer.json"), tokenizerJson);
        }
        return folder;
    }
}
