package dev.attnstudio.app.diagnostics;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The strip above a diagnostic view while its computation runs (a progress bar, the phase and a Stop button) or after
 * it was stopped (a Compute again button); hidden otherwise.
 */
public final class WorkBar extends VBox {

    /**
     * @param idPrefix the view's camel-case id: the buttons are {@code <prefix>Stop} and {@code <prefix>Resume}
     * @param refresh  rebuilds the view's feed
     */
    public WorkBar(LongWork work, String idPrefix, Runnable refresh) {
        ProgressBar bar = new ProgressBar();
        bar.progressProperty().bind(work.progressProperty());
        bar.setPrefWidth(160);
        bar.setMinWidth(80);
        bar.setTooltip(new Tooltip("How far the computation is"));
        Label phase = new Label();
        phase.textProperty().bind(work.phaseProperty());
        phase.setWrapText(true);
        phase.setMinHeight(Region.USE_PREF_SIZE);
        HBox.setHgrow(phase, Priority.ALWAYS);
        Button stop = new Button("Stop");
        stop.setId(idPrefix + "Stop");
        stop.setOnAction(e -> work.stop());
        stop.setMinWidth(Region.USE_PREF_SIZE);
        stop.setTooltip(new Tooltip("Stop the computation at its next step; the view then waits for Compute again"));
        HBox runningRow = new HBox(8, bar, phase, stop);
        runningRow.setAlignment(Pos.CENTER_LEFT);
        show(runningRow, work.runningProperty().get());
        work.runningProperty().addListener((obs, old, now) -> show(runningRow, now));

        Label stoppedText = new Label("Stopped before it finished; nothing is shown until it runs again.");
        stoppedText.setWrapText(true);
        stoppedText.setMinHeight(Region.USE_PREF_SIZE);
        HBox.setHgrow(stoppedText, Priority.ALWAYS);
        Button resume = new Button("Compute again");
        resume.setId(idPrefix + "Resume");
        resume.setOnAction(e -> work.resume(refresh));
        resume.setMinWidth(Region.USE_PREF_SIZE);
        resume.setTooltip(new Tooltip("Run the stopped computation again"));
        HBox stoppedRow = new HBox(8, stoppedText, resume);
        stoppedRow.setAlignment(Pos.CENTER_LEFT);
        show(stoppedRow, work.stoppedProperty().get());
        work.stoppedProperty().addListener((obs, old, now) -> show(stoppedRow, now));

        getChildren().addAll(runningRow, stoppedRow);
        setPadding(new Insets(4, 8, 0, 8));
        managedProperty().bind(runningRow.managedProperty().or(stoppedRow.managedProperty()));
        visibleProperty().bind(managedProperty());
    }

    /** The view with the bar above it. */
    public static VBox around(Node view, WorkBar bar) {
        VBox box = new VBox(bar, view);
        VBox.setVgrow(view, Priority.ALWAYS);
        return box;
    }

    private static void show(Node row, boolean on) {
        row.setVisible(on);
        row.setManaged(on);
    }
}
