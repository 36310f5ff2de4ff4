package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.HiddenPatches;
import dev.attnstudio.app.theme.Styles;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;

import java.util.Locale;

/** A step of the pass: its index and hook name, styled by whether it is computed or under the cursor. */
final class StepCell extends ListCell<StepRow> {

    private final Label index = new Label();
    private final Label name = new Label();
    private final Label mark = new Label("\u270e");
    private final Label nonFinite = new Label();
    private final HBox box = new HBox(8, index, name, mark, nonFinite);
    private final Tooltip tip = new Tooltip();
    private final Text measure = new Text();
    private StepRow row;

    StepCell() {
        getStyleClass().add(Styles.STEP_CELL);
        setPrefWidth(0); // never wider than the list: no horizontal scroll bar, long names on two lines
        name.setMinWidth(0);
        name.setWrapText(true);
        name.setMinHeight(Region.USE_PREF_SIZE);
        name.setMaxWidth(Double.MAX_VALUE); // the label's width is the room there is, whatever its text
        HBox.setHgrow(name, Priority.ALWAYS);
        name.widthProperty().addListener((obs, old, w) -> fitName());
        name.fontProperty().addListener((obs, old, f) -> fitName());
        index.getStyleClass().add(Styles.STEP_INDEX);
        index.setMinWidth(Region.USE_PREF_SIZE);
        name.getStyleClass().add(Styles.HOOK_NAME);
        mark.getStyleClass().add(Styles.PATCH_MARK);
        mark.setMinWidth(Region.USE_PREF_SIZE);
        mark.managedProperty().bind(mark.visibleProperty());
        nonFinite.getStyleClass().add(Styles.NON_FINITE_MARK);
        nonFinite.setMinWidth(Region.USE_PREF_SIZE);
        nonFinite.managedProperty().bind(nonFinite.visibleProperty());
        box.setAlignment(Pos.CENTER_LEFT);
    }

    /** The whole name when it fits the list's width, else broken after its dots: nothing of it is cut off. */
    private void fitName() {
        if (row == null || name.getWidth() <= 0) {
            return;
        }
        measure.setFont(name.getFont());
        double room = name.getWidth() - name.snappedLeftInset() - name.snappedRightInset() - 1;
        name.setText(DottedNames.wrap(row.name(), room, text -> {
            measure.setText(text);
            return measure.getLayoutBounds().getWidth();
        }));
    }

    @Override
    protected void updateItem(StepRow row, boolean empty) {
        super.updateItem(row, empty);
        boolean has = !empty && row != null;
        this.row = has ? row : null;
        pseudoClassStateChanged(Styles.COMPUTED, has && row.computed());
        pseudoClassStateChanged(Styles.CURRENT, has && row.state() == StepRow.State.CURRENT);
        pseudoClassStateChanged(Styles.UNIT_START, has && row.unitStart() && row.index() > 0);
        pseudoClassStateChanged(Styles.PATCHED, has && row.patched());
        if (!has) {
            setGraphic(null);
            setText(null);
            setTooltip(null);
            return;
        }
        index.setText(String.format(Locale.ROOT, "%3d", row.index() + 1));
        name.setText(row.name());
        mark.setVisible(row.patched());
        nonFinite.setText(row.nonFinite() == null ? "" : "\u26a0 " + row.nonFinite());
        nonFinite.setVisible(row.nonFinite() != null);
        fitName();
        setText(null);
        setGraphic(box);
        tip.setText(row.name() + "\n" + row.unit() + "  \u00b7  " + switch (row.state()) {
            case PENDING -> "not computed yet";
            case COMPUTED -> "computed";
            case CURRENT -> "under the cursor";
        } + (row.patched() ? "\npatched by: " + String.join("; ", HiddenPatches.shown(row.patches())) : "")
                + (row.nonFinite() == null ? "" : "\nthe first value of this pass that is not finite (" + row.nonFinite()
                + "): every step that reads it inherits it"));
        setTooltip(tip);
    }
}
