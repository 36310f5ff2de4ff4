package dev.attnstudio.engine.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The one place that starts DJL. It forces the offline switches before the engine loads: this program
 * never opens a network connection (no model downloads, no start-up telemetry).
 */
public final class DjlRuntime {

    /** Where tensors live. {@code AUTO} takes the first GPU DJL can see, else the CPU. */
    public enum DeviceChoice {
        AUTO, CPU, GPU;

        public static DeviceChoice parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown device '" + s + "' (use auto, cpu or gpu)");
            }
        }
    }

    /** The configured intra-op thread count; 0 until first read from the engine. */
    private static volatile int threads;

    private DjlRuntime() {
    }

    /** Sets the offline and no-telemetry switches unless the caller set them, then loads the PyTorch engine. */
    public static synchronized Engine engine() {
        forceOffline();
        return Engine.getEngine("PyTorch");
    }

    /** Sets {@code ai.djl.offline} and {@code OPT_OUT_TRACKING}; a no-op where they are already set. */
    public static void forceOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /**
     * Threads PyTorch splits one operation over (a matrix product, a softmax): its intra-op thread count. Loads the
     * engine. PyTorch's own default is the machine's physical cores, which under a container's CPU limit can be more
     * than the process may use; oversubscribed, its threads wait on each other at every operation.
     */
    public static int intraOpThreads() {
        int n = threads;
        if (n == 0) {
            engine();
            n = JniUtils.getNumThreads();
            threads = n;
        }
        return n;
    }

    /** Sets the intra-op thread count for the rest of the process (see {@link #intraOpThreads()}). */
    public static void setIntraOpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        engine();
        JniUtils.setNumThreads(threads);
        DjlRuntime.threads = threads;
    }

    /**
     * Runs {@code work} with PyTorch's intra-op threads at {@code n}, then puts back the count it found. The setting is
     * the process's, so work on another thread meanwhile runs with it too (its speed changes; FastPathTest finds the
     * values the same on one thread as on all). {@link #intraOpThreads()} keeps reporting the configured count.
     */
    public static <T> T withIntraOpThreads(int n, Supplier<T> work) {
        intraOpThreads(); // loads the engine and notes the configured count first
        int before = JniUtils.getNumThreads();
        if (before == n) {
            return work.get();
        }
        JniUtils.setNumThreads(n);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /**
     * Asks for as many intra-op threads as this JVM may use ({@code Runtime.availableProcessors()}, which respects a
     * container's CPU limit) when the engine starts, unless {@code -Dai.djl.pytorch.num_threads} says otherwise. Call
     * before the engine loads (the app does, first thing); afterwards use {@link #setIntraOpThreads}.
     */
    public static void useAvailableCores() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
        }
    }

    /** Resolves a device choice against what the engine sees. */
    public static Device device(DeviceChoice choice) {
        Engine engine = engine();
        return switch (choice) {
            case CPU -> Device.cpu();
            case GPU -> {
                if (engine.getGpuCount() == 0) {
                    throw new IllegalStateException("no GPU is visible to DJL's PyTorch engine; use --device cpu");
                }
                yield Device.gpu();
            }
            case AUTO -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        };
    }
}
