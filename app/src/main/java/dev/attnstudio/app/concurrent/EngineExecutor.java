package dev.attnstudio.app.concurrent;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Where engine work runs. Every DJL call of the app (loading, tokenizing, stepping) goes through one of these,
 * so the model and its stepper are only ever touched by a single thread, in submission order.
 *
 * <p>Callbacks come back on the thread the UI lives on: the JavaFX application thread for
 * {@link FxEngineExecutor}, the caller's own thread for {@link DirectEngineExecutor} (unit tests). Work must
 * return plain Java data (records, arrays), never native objects.
 */
public interface EngineExecutor extends AutoCloseable {

    /**
     * Queues {@code work}; exactly one of the callbacks is called with its outcome.
     *
     * @param work      runs on the engine thread
     * @param onSuccess receives the result on the UI thread
     * @param onFailure receives what {@code work} threw on the UI thread
     */
    <T> void submit(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure);

    /** Queues work whose outcome nobody waits for (releasing native memory); failures are logged. */
    void execute(Runnable work);

    /** Whether the calling thread is the engine thread. */
    boolean isEngineThread();

    /** Lets queued work finish, then stops; later submissions are dropped. Does not wait. */
    @Override
    void close();
}
