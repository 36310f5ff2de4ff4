package dev.attnstudio.lessons.run;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.format.ModelRef;
import dev.attnstudio.samples.SampleModels;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Models opened once and shared by every page that names them (the checker runs many pages on a few samples). Not
 * thread-safe: used from the thread that runs the pages. Closing it closes every model.
 */
public final class ModelPool implements AutoCloseable {

    private final Map<String, LoadedModel> open = new LinkedHashMap<>();
    private final DjlRuntime.DeviceChoice device;

    public ModelPool(DjlRuntime.DeviceChoice device) {
        this.device = device;
    }

    /** The model, opened on first use. */
    public LoadedModel get(ModelRef ref) {
        String key = key(ref);
        LoadedModel m = open.get(key);
        if (m == null) {
            m = ref instanceof ModelRef.Sample s ? SampleModels.open(s.name(), device)
                    : LoadedModel.open(((ModelRef.Folder) ref).path(), device);
            open.put(key, m);
        }
        return m;
    }

    private static String key(ModelRef ref) {
        return ref instanceof ModelRef.Sample s ? "sample:" + s.name() : "folder:" + ((ModelRef.Folder) ref).path();
    }

    /** How many models are open. */
    public int size() {
        return open.size();
    }

    @Override
    public void close() {
        open.values().forEach(LoadedModel::close);
        open.clear();
    }
}
