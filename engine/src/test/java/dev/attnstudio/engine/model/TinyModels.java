package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;

import java.util.Map;

/** Small random GPT-2 models for tests. */
public final class TinyModels {

    /** 2 layers, 4 heads of 8, vocab 97, 64 positions, gelu_new. */
    public static final ModelConfig CONFIG = new ModelConfig(2, 4, 32, 64, 97, 1e-5, ModelConfig.Activation.GELU_NEW);

    private TinyModels() {
    }

    /** Weights with std 0.3, large enough that attention and logits are far from uniform. */
    public static Map<String, SafeTensors.Tensor> tensors(long seed) {
        return RandomGpt2.tensors(CONFIG, seed, 0.3f);
    }

    public static LoadedModel load(Map<String, SafeTensors.Tensor> tensors) {
        return LoadedModel.of("tiny-random", CONFIG, tensors, null, DjlRuntime.DeviceChoice.CPU);
    }
}
