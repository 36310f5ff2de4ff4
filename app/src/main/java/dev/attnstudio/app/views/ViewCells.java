package dev.attnstudio.app.views;

import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableValue;

import java.util.function.Consumer;

/** How a view with a cell cursor follows {@link ViewHost#cellProperty()}. */
public final class ViewCells {

    private ViewCells() {
    }

    /**
     * Points at the shared cell when it is set, and again when the view's data next changes (the data for the layer
     * and head the pointing view selected arrives after it); later data leaves the cursor to the user.
     *
     * @param pointAt moves the view's cell cursor to the cell, when the cell is on its map
     */
    public static void follow(ObjectProperty<ViewCell> cell, ObservableValue<?> data, Consumer<ViewCell> pointAt) {
        boolean[] pending = {false};
        cell.addListener((obs, old, now) -> {
            if (now != null) {
                pending[0] = true;
                pointAt.accept(now);
            }
        });
        data.addListener((obs, old, now) -> {
            if (pending[0] && now != null && cell.get() != null) {
                pending[0] = false;
                pointAt.accept(cell.get());
            }
        });
    }
}
