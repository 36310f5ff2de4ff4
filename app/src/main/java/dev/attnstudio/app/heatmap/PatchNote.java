package dev.attnstudio.app.heatmap;

import dev.attnstudio.app.theme.Styles;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;

import java.util.List;

/** A note above a view's map saying which of the values it shows an intervention replaced; hidden when none was. */
public final class PatchNote extends Label {

    public PatchNote(String id) {
        setId(id);
        getStyleClass().add(Styles.PATCH_NOTE);
        setWrapText(true);
        setMaxWidth(Double.MAX_VALUE);
        setTooltip(new Tooltip("An intervention (Interventions menu) replaced these values; the map shows what the "
                + "pass computed under it"));
        managedProperty().bind(visibleProperty());
        show(List.of());
    }

    /** One line per patched hook; none hides the note. */
    public void show(List<String> patches) {
        List<String> lines = HiddenPatches.shown(patches);
        setText(lines.isEmpty() ? "" : "Patched: " + String.join("\n", lines));
        setVisible(!lines.isEmpty());
    }
}
