package dev.attnstudio.app.main;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableValue;
import javafx.scene.control.Button;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;

/**
 * One user command described once, from which both its menu item and its toolbar button are made, so text,
 * shortcut and enablement cannot disagree.
 *
 * @param id       node id of the button ({@code stepButton}), for tests and styling
 * @param text     the label, which may change (e.g. "Generate 20 tokens" follows the count)
 * @param key      the accelerator, or null
 * @param disabled when the command is unavailable
 */
record Command(String id, ObservableValue<String> text, String help, KeyCombination key, Runnable action,
               ObservableBooleanValue disabled) {

    /** A command whose label does not change. */
    Command(String id, String text, String help, KeyCombination key, Runnable action, ObservableBooleanValue disabled) {
        this(id, new ReadOnlyStringWrapper(text).getReadOnlyProperty(), help, key, action, disabled);
    }

    MenuItem menuItem() {
        MenuItem item = new MenuItem();
        item.textProperty().bind(text);
        item.setId(id.replace("Button", "Item"));
        if (key != null) {
            item.setAccelerator(key);
        }
        item.setOnAction(e -> action.run());
        item.disableProperty().bind(disabled);
        return item;
    }

    Button button() {
        Button b = new Button();
        b.textProperty().bind(text);
        b.setId(id);
        b.setFocusTraversable(false);
        b.setTooltip(new Tooltip(key == null ? help : help + "  (" + key.getDisplayText() + ")"));
        b.setOnAction(e -> action.run());
        b.disableProperty().bind(disabled);
        return b;
    }
}
