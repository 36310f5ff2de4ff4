package dev.attnstudio.app.main;

import ai.djl.Device;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;

/**
 * What the status bar says about the open model.
 *
 * @param device     where its tensors live, e.g. {@code cpu} or {@code gpu 0}
 * @param loadMillis time to build it on the device
 */
public record ModelInfo(String name, String architecture, int layers, int heads, int dModel, int positions,
                        int vocabSize, String device, long loadMillis) {

    static ModelInfo of(LoadedModel model, String architecture) {
        ModelConfig c = model.config();
        Device d = model.device();
        String device = d.isGpu() ? "gpu " + d.getDeviceId() : d.getDeviceType();
        return new ModelInfo(model.name(), architecture, c.nLayer(), c.nHead(), c.dModel(), c.nPositions(),
                c.vocabSize(), device, model.loadMillis());
    }
}
