package dev.attnstudio.app.main;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomT5;
import dev.attnstudio.engine.model.T5Model;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.load.T5Folder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a random T5 (2 + 2 layers, 4 heads, byte-level tokenizer) as a Hugging Face folder, for tests that open an
 * encoder-decoder folder as a user would (the trained sample, reverse-t5, is a bundled sample, not a folder).
 */
public final class RandomT5Folder {

    static final ModelConfig CONFIG = new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 48, 64, 256, 0, 1e-6,
            ModelConfig.Activation.RELU, new ModelConfig.T5(8, 2, 8, 16, false, false, 0));

    private RandomT5Folder() {
    }

    /** Writes the folder and returns it. */
    static Path write(Path folder) throws IOException {
        try (LoadedModel m = LoadedModel.of("random-t5", CONFIG, RandomT5.tensors(CONFIG, 5, 0.2f), null,
                DjlRuntime.DeviceChoice.CPU)) {
            T5Folder.write(folder, (T5Model) m.model(), ByteLevelVocab.tokenizerJson(), Map.of("note", "random weights"));
        }
        return folder;
    }
}
