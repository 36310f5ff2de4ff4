package dev.attnstudio.app.main;

import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Separator;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

import java.util.List;

/** The toolbar: open a folder, the Run commands, the interventions, and at the right end a busy indicator and Stop. */
final class MainToolBar extends ToolBar {

    /**
     * @param run the Run commands, Stop last
     */
    MainToolBar(MainViewModel vm, Command openFolder, List<Command> run) {
        setId("toolBar");
        getItems().addAll(openFolder.button(), new Separator());
        for (Command c : run) {
            if (c.id().equals("stopButton")) {
                continue;
            }
            getItems().add(c.button());
            if (c.id().equals("stepOverButton")) {
                getItems().add(new Separator());
            }
        }
        getItems().addAll(new Separator(), new InterventionMenus(vm).button());
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        ProgressIndicator progress = new ProgressIndicator();
        progress.setId("busyIndicator");
        progress.setPrefSize(20, 20);
        progress.setMaxSize(20, 20);
        progress.visibleProperty().bind(vm.status().busyProperty());
        progress.setTooltip(new Tooltip("The engine is working; the window stays usable. Esc stops a run."));
        Command stop = run.get(run.size() - 1);
        getItems().addAll(spring, progress, stop.button());
    }
}
