package dev.attnstudio.app.concurrent;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs work and its callbacks at once on the calling thread. For unit tests of view models: every command
 * has finished, callbacks included, when the call returns. Not for the app: it would block the FX thread.
 */
public final class DirectEngineExecutor implements EngineExecutor {

    private boolean closed;

    @Override
    public <T> void submit(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        if (closed) {
            return;
        }
        T result;
        try {
            result = work.call();
        } catch (Exception e) {
            onFailure.accept(e);
            return;
        }
        onSuccess.accept(result);
    }

    @Override
    public void execute(Runnable work) {
        if (!closed) {
            work.run();
        }
    }

    @Override
    public boolean isEngineThread() {
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
