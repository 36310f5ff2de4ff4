package dev.attnstudio.app.main;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;

/** Opens a model; called on the engine thread. */
@FunctionalInterface
public interface ModelOpener {

    LoadedModel open(ModelSource source);

    /** Bundled samples and models on disk, as {@link ModelSource#open} opens them, on the given device. */
    static ModelOpener standard(DjlRuntime.DeviceChoice device) {
        return source -> source.open(device);
    }

    /** {@link #standard} on the best device available. */
    static ModelOpener samples() {
        return standard(DjlRuntime.DeviceChoice.AUTO);
    }
}
