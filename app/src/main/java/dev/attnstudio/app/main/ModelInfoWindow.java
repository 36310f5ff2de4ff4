package dev.attnstudio.app.main;

import dev.attnstudio.app.modelinfo.ModelInfoPanel;
import dev.attnstudio.samples.ModelSource;
import javafx.beans.binding.Bindings;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.stage.Stage;

import java.util.Locale;

/**
 * Help ▸ Model info: a window beside the main one with the open model's card, which follows the model as another is
 * opened, in the main window's theme and zoom. Links of the card are copied (the app opens no browser and no
 * connection), and the status bar says so.
 */
final class ModelInfoWindow {

    private final MainViewModel vm;
    private final Parent owner;
    private final ModelInfoPanel panel;
    private Stage stage;

    ModelInfoWindow(MainViewModel vm, Parent owner) {
        this.vm = vm;
        this.owner = owner;
        panel = new ModelInfoPanel(this::copyLink);
        vm.session().modelInfoProperty().addListener((obs, old, info) -> panel.show(content(info)));
        panel.show(content(vm.session().modelInfoProperty().get()));
    }

    /** Shows the window (made on first use), in front. */
    void show() {
        if (stage == null) {
            stage = new Stage();
            Scene scene = new Scene(panel, 760, 680);
            stage.setScene(scene);
            if (owner.getScene() != null) {
                stage.initOwner(owner.getScene().getWindow());
                Bindings.bindContent(scene.getStylesheets(), owner.getScene().getStylesheets());
            }
            panel.styleProperty().bind(owner.styleProperty()); // the zoom
            stage.titleProperty().bind(Bindings.createStringBinding(() -> "Model info \u2014 " + title(),
                    vm.session().modelInfoProperty()));
            scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
                if (e.getCode() == KeyCode.ESCAPE) {
                    stage.hide();
                }
            });
        }
        stage.show();
        stage.toFront();
    }

    /** The panel, for tests. */
    ModelInfoPanel panel() {
        return panel;
    }

    private String title() {
        ModelInfo info = vm.session().modelInfoProperty().get();
        return info == null ? "no model" : info.name();
    }

    private void copyLink(String destination) {
        ClipboardContent content = new ClipboardContent();
        content.putString(destination);
        Clipboard.getSystemClipboard().setContent(content);
        vm.status().show(Status.info("Copied the link " + destination + " (the app opens no browser)."));
    }

    static ModelInfoPanel.Content content(ModelInfo info) {
        if (info == null) {
            return ModelInfoPanel.Content.NONE;
        }
        String from = info.source() instanceof ModelSource.Sample ? "bundled sample" : "opened from " + info.source().label();
        String facts = String.format(Locale.ROOT, "%s \u00b7 %d layers \u00d7 %d heads \u00b7 d_model %d \u00b7 %d positions "
                        + "\u00b7 vocabulary %,d \u00b7 %s \u00b7 %s, loaded in %d ms", info.architecture(), info.layers(), info.heads(),
                info.dModel(), info.positions(), info.vocabSize(), from, info.device().toUpperCase(Locale.ROOT), info.loadMillis());
        return new ModelInfoPanel.Content(info.name(), info.description(), facts, info.card());
    }
}
