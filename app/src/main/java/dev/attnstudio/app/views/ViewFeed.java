package dev.attnstudio.app.views;

import dev.attnstudio.engine.step.Stepper;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;

/**
 * The data one view draws, rebuilt on the engine thread after every command and handed to the view on the FX
 * thread. A view binds its data property to {@link #dataProperty()}; the window makes the feed {@link #activeProperty()
 * active} only while the view is on screen, so a hidden view costs no engine time.
 *
 * <p>Made by {@link ViewFeeds#add} (a view asks its {@link ViewHost#feed host}).
 *
 * @param <T> the view's immutable plain-data record
 */
public final class ViewFeed<T> {

    /**
     * Builds a view's data from the engine; runs on the engine thread, only while a pass is ready (the prompt
     * tokenized and accepted). Reads public engine API only and returns plain data (no NDArrays), or null when
     * there is nothing to show at the cursor.
     */
    @FunctionalInterface
    public interface Factory<T> {
        T build(Stepper stepper, ViewContext context);
    }

    private final String name;
    private final Factory<T> factory;
    private final ReadOnlyObjectWrapper<T> data = new ReadOnlyObjectWrapper<>(this, "data");
    private final ReadOnlyObjectWrapper<String> error = new ReadOnlyObjectWrapper<>(this, "error");
    private final BooleanProperty active = new SimpleBooleanProperty(this, "active", true);
    /** {@link #active}, readable by the engine thread. */
    private volatile boolean activeNow = true;

    ViewFeed(String name, Factory<T> factory) {
        this.name = name;
        this.factory = factory;
        active.addListener((obs, old, now) -> activeNow = now);
    }

    public String name() {
        return name;
    }

    /** The newest data, or null (no model, no pass, or nothing at the cursor). */
    public ReadOnlyObjectProperty<T> dataProperty() {
        return data.getReadOnlyProperty();
    }

    /** Why the factory failed at the last update, or null. */
    public ReadOnlyObjectProperty<String> errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** Whether the feed is rebuilt after each command; an inactive feed keeps its last data. */
    public BooleanProperty activeProperty() {
        return active;
    }

    // engine thread
    boolean isActiveNow() {
        return activeNow;
    }

    Factory<T> factory() {
        return factory;
    }

    // FX thread
    @SuppressWarnings("unchecked")
    void apply(Object value, String failure) {
        data.set((T) value);
        error.set(failure);
    }
}
