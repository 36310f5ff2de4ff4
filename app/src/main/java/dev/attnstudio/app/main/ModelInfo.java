package dev.attnstudio.app.main;

import ai.djl.Device;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;

import java.util.Locale;

/**
 * What the status bar says about the open model.
 *
 * @param architecture the engine's family in lower case: {@code gpt2}, {@code bert}, {@code llama}
 * @param encoder      whether it reads its whole input at once (BERT: sentence pairs, padded batches) rather
 *                     than generating left to right
 * @param device       where its tensors live, e.g. {@code cpu} or {@code gpu 0}
 * @param loadMillis   the whole open, measured around it: reading files, importing ONNX, building on the device
 * @param source       where it was opened from
 */
public record ModelInfo(String name, String architecture, boolean encoder, int layers, int heads, int dModel,
                        int positions, int vocabSize, String device, long loadMillis, ModelSource source) {

    static ModelInfo of(LoadedModel model, ModelSource source, long loadMillis) {
        ModelConfig c = model.config();
        Device d = model.device();
        String device = d.isGpu() ? "gpu " + d.getDeviceId() : d.getDeviceType();
        return new ModelInfo(model.name(), c.architecture().name().toLowerCase(Locale.ROOT), !c.causal(), c.nLayer(),
                c.nHead(), c.dModel(), c.nPositions(), c.vocabSize(), device, loadMillis, source);
    }
}
