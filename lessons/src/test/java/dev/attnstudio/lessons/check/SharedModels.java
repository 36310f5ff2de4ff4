package dev.attnstudio.lessons.check;

import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.run.ModelPool;

/** One pool of opened samples for every test of the JVM: each sample is opened once, and freed when the JVM exits. */
public final class SharedModels {

    private static ModelPool pool;

    private SharedModels() {
    }

    public static synchronized ModelPool pool() {
        if (pool == null) {
            pool = new ModelPool(DjlRuntime.DeviceChoice.CPU);
        }
        return pool;
    }
}
