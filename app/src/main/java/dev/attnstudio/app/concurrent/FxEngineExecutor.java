package dev.attnstudio.app.concurrent;

import javafx.application.Platform;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The app's engine thread: one named thread, fed by a queue, whose results are handed to the JavaFX
 * application thread with {@link Platform#runLater}. The FX thread never waits for it.
 *
 * <p>The thread is not a daemon: after {@link #close()} the JVM lives until queued work (closing the model,
 * which frees native memory) has run, then exits.
 */
public final class FxEngineExecutor implements EngineExecutor {

    private static final System.Logger LOG = System.getLogger(FxEngineExecutor.class.getName());

    private final ExecutorService executor;
    private volatile Thread engineThread;

    public FxEngineExecutor() {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "attention-studio-engine");
            engineThread = t;
            return t;
        });
    }

    @Override
    public <T> void submit(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        try {
            executor.execute(() -> {
                T result;
                try {
                    result = work.call();
                } catch (Throwable e) { // an engine failure (even a linkage error) must reach the UI, not kill the thread
                    Platform.runLater(() -> onFailure.accept(e));
                    return;
                }
                Platform.runLater(() -> onSuccess.accept(result));
            });
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "engine closed; dropped a task");
        }
    }

    @Override
    public void execute(Runnable work) {
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "engine task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "engine closed; dropped a task");
        }
    }

    @Override
    public boolean isEngineThread() {
        return Thread.currentThread() == engineThread;
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
