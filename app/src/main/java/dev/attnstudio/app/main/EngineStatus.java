package dev.attnstudio.app.main;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * What the status bar shows of the engine: whether work the user waits for is under way, whether a model is
 * ready, and the last message. Set on the UI thread by the parts of {@link MainViewModel}.
 */
public final class EngineStatus {

    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(this, "ready", false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", -1);
    private final ReadOnlyObjectWrapper<Status> message = new ReadOnlyObjectWrapper<>(this, "message", Status.info("Starting"));

    /** Whether engine work the user waits for (loading, stepping) is under way. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Whether a model is open and its tokenizer and stepper are ready. */
    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    /** How far the work under way is, 0 to 1, or -1 when that is not known (the bar then just moves). */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** The status bar's message: what happened last. */
    public ReadOnlyObjectProperty<Status> messageProperty() {
        return message.getReadOnlyProperty();
    }

    public boolean isBusy() {
        return busy.get();
    }

    public boolean isReady() {
        return ready.get();
    }

    /** Shows a message in the status bar (e.g. how an export went). */
    public void show(Status status) {
        message.set(status);
    }

    void setBusy(boolean now) {
        busy.set(now);
    }

    void setProgress(double now) {
        progress.set(now);
    }

    void setReady(boolean now) {
        ready.set(now);
    }
}
