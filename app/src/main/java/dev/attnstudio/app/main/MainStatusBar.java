package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import org.controlsfx.control.StatusBar;

import java.util.Locale;

/**
 * The status bar: the last message (a moving bar while the engine works; while a model loads, the share of its bytes
 * loaded and a Cancel button), what the mouse hovers in the view, the open model, its geometry and device, and the
 * cursor's position in the pass.
 */
final class MainStatusBar extends StatusBar {

    /**
     * @param hover what the mouse is over in the shown view
     */
    MainStatusBar(MainViewModel vm, ObservableValue<String> hover) {
        setId("statusBar");
        EngineStatus status = vm.status();
        // one line: a quoted continuation's line breaks shown as \u21b5, as the token strip shows them
        textProperty().bind(Bindings.createStringBinding(() -> status.messageProperty().get().text().replace("\n", "\u21b5"),
                status.messageProperty()));
        status.messageProperty().addListener((obs, old, s) -> pseudoClassStateChanged(Styles.ERROR, s.error()));
        progressProperty().bind(Bindings.when(status.busyProperty()).then(status.progressProperty()).otherwise(0.0));
        skinProperty().addListener((obs, old, skin) -> wrapMessage());
        Tooltip whole = new Tooltip(); // the last message whole, should the bar be too narrow for it
        whole.textProperty().bind(Bindings.concat(textProperty(), "\n(what happened last; a bar moves while the engine works)"));
        whole.setWrapText(true);
        whole.setMaxWidth(480);
        setTooltip(whole);

        Label model = item("statusModel", "The open model and its architecture");
        Label geometry = item("statusGeometry", "Blocks \u00d7 attention heads per block, and the residual stream width");
        Label device = item("statusDevice", "Where the model runs, and how long opening it took (files, import, upload)");
        Label position = item("statusPosition", "The step under the cursor and the steps in the pass");
        position.textProperty().bind(vm.stepping().positionText());
        vm.session().modelInfoProperty().addListener((obs, old, info) -> {
            model.setText(info == null ? "no model" : vm.session().recordedProperty().get()
                    ? "recorded trace: " + info.name() + "  (" + info.architecture() + ")"
                    : info.name() + "  (" + info.architecture() + ")");
            geometry.setText(info == null ? "" : info.layers() + " layers \u00d7 " + info.heads() + " heads  \u00b7  d_model "
                    + info.dModel());
            device.setText(info == null ? "" : info.device().toUpperCase(Locale.ROOT)
                    + (info.threads() > 0 ? "  \u00b7  " + info.threads() + (info.threads() == 1 ? " thread" : " threads") : "")
                    + "  \u00b7  loaded in " + info.loadMillis() + " ms");
        });
        model.setText("no model");
        Label hovered = new Label();
        hovered.setId("statusHover");
        hovered.getStyleClass().addAll(Styles.STATUS_ITEM, Styles.HOOK_NAME);
        hovered.setMinWidth(0);
        hovered.setMaxWidth(420);
        hovered.setTooltip(new Tooltip("What the mouse is over in the view: query, key, weight and scores"));
        hovered.textProperty().bind(hover);
        Button cancel = new Button("Cancel");
        cancel.setId("cancelLoadButton");
        cancel.setTooltip(new Tooltip("Stop opening the model (Esc): what was loaded is freed, the model before stays open"));
        cancel.visibleProperty().bind(vm.session().loadingProperty());
        cancel.managedProperty().bind(cancel.visibleProperty());
        cancel.setOnAction(e -> vm.session().cancelOpen());
        getRightItems().addAll(cancel, hovered, new Separator(Orientation.VERTICAL), model, new Separator(Orientation.VERTICAL),
                geometry, new Separator(Orientation.VERTICAL), device, new Separator(Orientation.VERTICAL), position);
    }

    /** The message label of the bar's skin wraps onto a second line rather than losing its end. */
    private void wrapMessage() {
        for (javafx.scene.Node n : lookupAll(".label")) {
            if (n instanceof Label l && l.getParent() instanceof javafx.scene.layout.GridPane) {
                l.setWrapText(true);
                l.setMinWidth(0);
                l.setMinHeight(Region.USE_PREF_SIZE);
            }
        }
    }

    private static Label item(String id, String help) {
        Label l = new Label();
        l.setId(id);
        l.getStyleClass().add(Styles.STATUS_ITEM);
        l.setMinWidth(Region.USE_PREF_SIZE);
        l.setTooltip(new Tooltip(help));
        return l;
    }
}
