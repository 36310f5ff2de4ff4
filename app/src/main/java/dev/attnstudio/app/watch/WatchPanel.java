package dev.attnstudio.app.watch;

import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.lessons.probe.EngineContext;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debugger-style watch expressions: tensor expressions over the hooks of the pass under the cursor (the engine's
 * evaluator, as in the course's compute exercises), evaluated again after every step. An expression that cannot be
 * evaluated shows its error with a caret under the place.
 */
public final class WatchPanel extends VBox {

    private final MainViewModel vm;
    private final ObservableList<Watches.Result> rows = FXCollections.observableArrayList();
    private final List<String> expressions = new ArrayList<>();
    private final ListView<Watches.Result> list = new ListView<>(rows);
    private boolean queued;

    public WatchPanel(MainViewModel vm) {
        super(6);
        this.vm = vm;
        setId("watchPanel");
        getStyleClass().addAll(Styles.PANEL, Styles.DETAILS_PANEL);
        Label title = new Label("Watch");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        TextField input = new TextField();
        input.setId("watchInput");
        input.setPromptText("e.g. blocks.0.attn.hook_pattern[0, 0, 3]");
        input.setTooltip(new Tooltip("A tensor expression over hook names: + - * / ** @, indexing, softmax, sum, mean, "
                + "max, argmax, sqrt, d_head, d_model, seq. Evaluated again after every step."));
        Button add = new Button("Add");
        add.setId("watchAdd");
        add.setTooltip(new Tooltip("Watch this expression (Enter in the field does the same)"));
        Runnable adding = () -> {
            String e = input.getText().strip();
            if (!e.isEmpty()) {
                expressions.add(e);
                input.clear();
                evaluate();
            }
        };
        add.setOnAction(e -> adding.run());
        input.setOnAction(e -> adding.run());
        HBox.setHgrow(input, Priority.ALWAYS);
        HBox entry = new HBox(4, input, add);
        list.setId("watchList");
        list.setTooltip(new Tooltip("Each watch is evaluated again after every step; \u2715 removes it"));
        Label empty = new Label("Type an expression above and press Enter.");
        empty.setWrapText(true); // the panel is narrow
        empty.setPadding(new javafx.geometry.Insets(0, 6, 0, 6));
        list.setPlaceholder(empty);
        list.setCellFactory(v -> new WatchCell());
        VBox.setVgrow(list, Priority.ALWAYS);
        getChildren().addAll(title, entry, list);
        vm.stepping().currentIndexProperty().addListener((obs, old, now) -> evaluate());
        vm.stepping().executedProperty().addListener((obs, old, now) -> evaluate());
        vm.stepping().groupProperty().addListener((obs, old, now) -> evaluate());
    }

    /** The watched expressions, in order. */
    public List<String> expressions() {
        return List.copyOf(expressions);
    }

    /** Adds a watch and evaluates it. */
    public void add(String expression) {
        expressions.add(expression);
        evaluate();
    }

    private void remove(String expression) {
        expressions.remove(expression);
        evaluate();
    }

    /** Evaluates every watch on the engine thread (coalesced while one is queued). */
    private void evaluate() {
        if (queued) {
            return;
        }
        if (expressions.isEmpty()) {
            rows.clear();
            return;
        }
        queued = true;
        List<String> now = List.copyOf(expressions);
        vm.onEngine((model, stepper) -> {
            EngineContext ctx = new EngineContext(model, stepper, Map.of());
            return Watches.evaluate(now, stepper.groups().isEmpty() ? null : ctx.scope());
        }, results -> {
            queued = false;
            rows.setAll(results == null ? Watches.evaluate(now, null) : results);
            if (!now.equals(expressions)) {
                evaluate();
            }
        }, failure -> {
            queued = false;
            rows.setAll(now.stream().map(e -> new Watches.Result(e, Failures.message(failure), true)).toList());
        });
    }

    private final class WatchCell extends ListCell<Watches.Result> {
        @Override
        protected void updateItem(Watches.Result r, boolean empty) {
            super.updateItem(r, empty);
            if (empty || r == null) {
                setGraphic(null);
                setText(null);
                return;
            }
            Label expr = new Label(r.expression());
            expr.getStyleClass().add(Styles.HOOK_NAME);
            Label value = new Label(r.text());
            value.setWrapText(true);
            value.getStyleClass().add(r.error() ? "watch-error" : "watch-value");
            value.setStyle(r.error() ? "-fx-text-fill: -as-error; -fx-font-family: monospace;" : "-fx-font-family: monospace;");
            Button remove = new Button("\u2715");
            remove.setTooltip(new Tooltip("Remove this watch"));
            remove.setOnAction(e -> WatchPanel.this.remove(r.expression()));
            Region gap = new Region();
            HBox.setHgrow(gap, Priority.ALWAYS);
            HBox top = new HBox(4, expr, gap, remove);
            top.setAlignment(Pos.CENTER_LEFT);
            VBox box = new VBox(2, top, value);
            box.setMaxWidth(Double.MAX_VALUE);
            box.prefWidthProperty().bind(list.widthProperty().subtract(24));
            setGraphic(box);
            setText(null);
        }
    }
}
