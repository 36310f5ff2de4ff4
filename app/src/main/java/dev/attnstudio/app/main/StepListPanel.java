package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The steps of the pass by hook name, left of the views; the step under the cursor stays selected and in view. */
final class StepListPanel extends VBox {

    /**
     * @param status its last error says why there is no pass (an empty prompt, one too long for the model)
     */
    StepListPanel(SteppingViewModel stepping, EngineStatus status) {
        super(6);
        Label title = new Label("Steps of the pass");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        ListView<StepRow> list = new ListView<>(stepping.steps());
        list.setId("stepList");
        list.getStyleClass().add(Styles.STEP_LIST);
        list.setCellFactory(v -> new StepCell());
        Label placeholder = new Label();
        placeholder.setId("stepListPlaceholder");
        placeholder.setWrapText(true);
        placeholder.getStyleClass().add(Styles.MUTED);
        placeholder.textProperty().bind(Bindings.createStringBinding(() -> {
            Status s = status.messageProperty().get();
            return !status.isReady() ? "No model yet" : s != null && s.error() ? "No pass: " + s.text() : "No pass yet";
        }, status.messageProperty(), status.readyProperty()));
        list.setPlaceholder(placeholder);
        list.setFocusTraversable(false);
        list.setTooltip(new Tooltip("Every step of the forward pass by hook name: grey = not computed yet, "
                + "highlighted = under the cursor"));
        VBox.setVgrow(list, Priority.ALWAYS);
        stepping.currentIndexProperty().addListener((obs, old, now) -> follow(list, now.intValue()));
        stepping.steps().addListener((ListChangeListener<StepRow>) c -> follow(list, stepping.currentIndexProperty().get()));

        getChildren().addAll(title, list);
        getStyleClass().addAll(Styles.PANEL, Styles.STEPS_PANEL);
        setMinWidth(180);
    }

    /** Selects the step under the cursor and scrolls so it stays in view with a little context above it. */
    private static void follow(ListView<StepRow> list, int index) {
        if (index < 0 || index >= list.getItems().size()) {
            list.getSelectionModel().clearSelection();
            if (list.getItems().isEmpty() || index < 0) {
                list.scrollTo(0);
            }
            return;
        }
        list.getSelectionModel().select(index);
        list.scrollTo(Math.max(0, index - 6));
    }
}
