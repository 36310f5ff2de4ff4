package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;

/**
 * The breakpoint list: hook names or patterns, each with a tick to enable it; a field to add one (Enter) and a
 * button (or Delete) to remove the selected one. F5 runs to the first step after the cursor any enabled one matches.
 */
final class BreakpointsPanel extends VBox {

    BreakpointsPanel(MainViewModel vm) {
        super(6);
        getStyleClass().addAll(Styles.PANEL, Styles.BREAKPOINTS_PANEL);
        Label title = new Label("Breakpoints");
        title.getStyleClass().add(Styles.PANEL_TITLE);

        ListView<Breakpoint> list = new ListView<>(vm.breakpoints().list());
        list.setId("breakpointList");
        list.setCellFactory(v -> new BreakpointCell());
        list.setPlaceholder(new Label("No breakpoints: F5 runs to the end"));
        list.setPrefHeight(120);
        list.setTooltip(new Tooltip("F5 stops at the first step after the cursor that a ticked pattern matches. "
                + "Delete removes the selected one."));
        VBox.setVgrow(list, Priority.ALWAYS);

        TextField field = new TextField();
        field.setId("breakpointField");
        field.getStyleClass().add(Styles.HOOK_NAME);
        field.setPromptText("blocks.2.attn.hook_z");
        field.setTooltip(new Tooltip("A hook name or pattern: * matches within one part of the name, ** across parts. "
                + "Enter adds it."));
        HBox.setHgrow(field, Priority.ALWAYS);
        Button add = new Button("Add");
        add.setId("addBreakpointButton");
        add.setTooltip(new Tooltip("Add the pattern to the list, enabled"));
        add.disableProperty().bind(field.textProperty().isEmpty());
        Button remove = new Button("Remove");
        remove.setId("removeBreakpointButton");
        remove.setTooltip(new Tooltip("Remove the selected breakpoint  (Delete)"));
        remove.disableProperty().bind(list.getSelectionModel().selectedItemProperty().isNull());

        Runnable addIt = () -> {
            if (vm.breakpoints().add(field.getText()) != null) {
                field.clear();
            }
        };
        field.setOnAction(e -> addIt.run());
        add.setOnAction(e -> addIt.run());
        remove.setOnAction(e -> vm.breakpoints().remove(list.getSelectionModel().getSelectedItem()));
        list.setOnKeyPressed(e -> {
            if ((e.getCode() == KeyCode.DELETE || e.getCode() == KeyCode.BACK_SPACE)
                    && list.getSelectionModel().getSelectedItem() != null) {
                vm.breakpoints().remove(list.getSelectionModel().getSelectedItem());
                e.consume();
            }
        });
        HBox row = new HBox(6, field, add, remove);
        row.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(title, list, row);
    }

    /**
     * A tick bound to the breakpoint's enabled flag, and its pattern: whole when it fits the list's width, else broken
     * after its dots ({@code decoder.blocks.*.} / {@code cross_attn.hook_pattern}), never scrolled sideways.
     */
    private static final class BreakpointCell extends ListCell<Breakpoint> {
        /** Room the check box's box and its gap take before the text. */
        private static final double BOX = 30;
        private final CheckBox tick = new CheckBox();
        private final Text measure = new Text();
        private Breakpoint bound;

        BreakpointCell() {
            setPrefWidth(0); // never wider than the list
            tick.setMinHeight(Region.USE_PREF_SIZE);
            widthProperty().addListener((obs, old, w) -> fit());
            tick.fontProperty().addListener((obs, old, f) -> fit());
            tick.getStyleClass().add(Styles.HOOK_NAME);
            tick.setMnemonicParsing(false); // hook names are full of underscores
            tick.setTooltip(new Tooltip("Ticked: F5 stops here. Unticked: kept, but ignored"));
        }

        @Override
        protected void updateItem(Breakpoint b, boolean empty) {
            super.updateItem(b, empty);
            if (bound != null) {
                tick.selectedProperty().unbindBidirectional(bound.enabledProperty());
                bound = null;
            }
            setText(null);
            if (empty || b == null) {
                setGraphic(null);
                return;
            }
            bound = b;
            tick.setText(b.pattern());
            tick.selectedProperty().bindBidirectional(b.enabledProperty());
            setGraphic(tick);
            fit();
        }

        private void fit() {
            if (bound == null || getWidth() <= 0) {
                return;
            }
            measure.setFont(tick.getFont());
            double room = getWidth() - snappedLeftInset() - snappedRightInset() - BOX;
            tick.setText(DottedNames.wrap(bound.pattern(), room, text -> {
                measure.setText(text);
                return measure.getLayoutBounds().getWidth();
            }));
        }
    }
}
