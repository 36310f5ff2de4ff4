package dev.attnstudio.app.main;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.model.WeightSource;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;

/** Opens a model; called on the engine thread. */
@FunctionalInterface
public interface ModelOpener {

    LoadedModel open(ModelSource source);

    /**
     * As {@link #open(ModelSource)}, telling {@code progress} after each tensor loaded where the opener can (a Hugging
     * Face folder on disk); {@code progress} may stop the load by throwing, and what was loaded is then freed.
     */
    default LoadedModel open(ModelSource source, WeightSource.Progress progress) {
        return open(source);
    }

    /** Bundled samples and models on disk, as {@link ModelSource#open} opens them, on the given device. */
    static ModelOpener standard(DjlRuntime.DeviceChoice device) {
        return new ModelOpener() {
            @Override
            public LoadedModel open(ModelSource source) {
                return source.open(device);
            }

            @Override
            public LoadedModel open(ModelSource source, WeightSource.Progress progress) {
                if (source instanceof ModelSource.OnDisk disk && !ModelFolder.isOnnx(disk.path())) {
                    return ModelFolder.open(disk.path(), device, progress); // as OnDisk.open, with progress
                }
                return source.open(device);
            }
        };
    }

    /** {@link #standard} on the best device available. */
    static ModelOpener samples() {
        return standard(DjlRuntime.DeviceChoice.AUTO);
    }
}
