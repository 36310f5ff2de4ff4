package dev.attnstudio.app.main;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;

/** Opens a model; called on the engine thread. */
@FunctionalInterface
public interface ModelOpener {

    LoadedModel open(ModelSource source);

    /** Bundled samples by name and folders through {@link ModelFolder}, on the given device. */
    static ModelOpener standard(DjlRuntime.DeviceChoice device) {
        return source -> source instanceof ModelSource.Folder f ? ModelFolder.open(f.path(), device)
                : SampleModels.open(source.label(), device);
    }

    /** {@link #standard} on the best device available. */
    static ModelOpener samples() {
        return standard(DjlRuntime.DeviceChoice.AUTO);
    }
}
