package dev.attnstudio.app.diagnostics;

import dev.attnstudio.engine.diagnose.Work;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;

import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * A diagnostic computed on the engine thread by a view's feed, as the view sees it: whether it is running, how far it
 * is and in which phase (observable, updated on the FX thread), and a stop that the computation obeys at its next
 * {@link Work#step}. After a stop the view waits: its feed computes nothing until {@link #resume} (the prompt may be
 * what made it slow).
 */
public final class LongWork {

    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper stopped = new ReadOnlyBooleanWrapper(this, "stopped");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", -1);
    private final ReadOnlyStringWrapper phase = new ReadOnlyStringWrapper(this, "phase", "");
    private volatile boolean stopAsked;
    private volatile boolean stoppedNow;

    /** What the computation is told before each unit of work. */
    private final Work work = (name, done, total) -> {
        if (stopAsked) {
            stopAsked = false;
            throw new CancellationException("stopped at " + name);
        }
        String text = total > 1 ? name + " (" + (done + 1) + " of " + total + ")" : name;
        double p = total > 1 ? (double) done / total : -1;
        fx(() -> {
            phase.set(text);
            progress.set(p);
        });
    };

    /** Whether the computation is under way. */
    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Whether it was stopped and the view waits for {@link #resume}. */
    public ReadOnlyBooleanProperty stoppedProperty() {
        return stopped.getReadOnlyProperty();
    }

    /** 0 to 1, or -1 when not known. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** What it is doing, e.g. "ablating heads (3 of 8)". */
    public ReadOnlyStringProperty phaseProperty() {
        return phase.getReadOnlyProperty();
    }

    /**
     * What a view shows instead of its content: {@code running} while it computes, that it was stopped, why it failed
     * ({@code failedPrefix} + the feed's error), else {@code idle}.
     */
    public StringBinding placeholder(String running, ObservableValue<String> error, String failedPrefix, String idle) {
        return Bindings.createStringBinding(() -> this.running.get() ? running
                        : stopped.get() ? "Stopped before it finished: Compute again (above) runs it again."
                        : error.getValue() != null ? failedPrefix + error.getValue() : idle,
                this.running, stopped, error);
    }

    /** FX thread: asks the running computation to stop at its next step. */
    public void stop() {
        stopAsked = true; // (a new run starts without it)
    }

    /** FX thread: computes again after a stop ({@code refresh} rebuilds the view's feed). */
    public void resume(Runnable refresh) {
        stoppedNow = false;
        stopped.set(false);
        refresh.run();
    }

    /** Engine thread: whether the view waits after a stop (its feed should compute nothing). */
    public boolean isStopped() {
        return stoppedNow;
    }

    /**
     * Engine thread: runs {@code body} with a {@link Work} that reports its progress and stops it when asked (the
     * {@link CancellationException} goes on to the feed, which reports it).
     *
     * @param what the first phase's name
     */
    public <T> T run(String what, Function<Work, T> body) {
        stopAsked = false;
        fx(() -> {
            running.set(true);
            progress.set(-1);
            phase.set(what);
        });
        try {
            return body.apply(work);
        } catch (CancellationException e) {
            stoppedNow = true;
            fx(() -> stopped.set(true));
            throw e;
        } finally {
            fx(() -> running.set(false));
        }
    }

    private static void fx(Runnable r) {
        if (Platform.isFxApplicationThread()) {
            r.run();
        } else {
            Platform.runLater(r);
        }
    }
}
