package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.heatmap.HeatmapView;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.tokens.TokenStrip;
import dev.attnstudio.samples.SampleModels;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.controlsfx.control.StatusBar;

import java.util.List;
import java.util.Locale;

/**
 * The main window's scene graph: menus and toolbar, the steps of the pass on the left, prompt, tokens, current
 * step and heatmap in the centre, the status bar below. It only binds controls to {@link MainViewModel} and
 * forwards user actions to it; it holds no state of its own.
 */
public final class MainView {

    private final MainViewModel vm;
    private final Runnable quit;
    private final BorderPane root = new BorderPane();
    /** Kept so the spinner's bidirectional binding to the view model is not collected. */
    private ObjectProperty<Integer> headAsObject;

    /**
     * @param quit what File > Quit does (the application exits through its own lifecycle)
     */
    public MainView(MainViewModel vm, Runnable quit) {
        this.vm = vm;
        this.quit = quit;
        List<Command> run = commands();
        root.getStyleClass().add("main-view");
        root.setTop(new VBox(menuBar(run), toolBar(run)));
        root.setLeft(stepList());
        root.setCenter(centre());
        root.setBottom(statusBar());
        vm.loadFailureProperty().addListener((obs, old, message) -> {
            if (message != null) {
                Alert alert = new Alert(Alert.AlertType.ERROR, message);
                alert.setHeaderText("The model could not be opened");
                alert.initOwner(root.getScene() == null ? null : root.getScene().getWindow());
                alert.show();
            }
        });
    }

    public Parent root() {
        return root;
    }

    private List<Command> commands() {
        ObservableBooleanValue forward = vm.stepDisabled();
        return List.of(
                new Command("stepButton", "Step", "Compute the next step",
                        new KeyCodeCombination(KeyCode.F10), vm::step, forward),
                new Command("stepBackButton", "Step back", "Move back one step; nothing is recomputed",
                        new KeyCodeCombination(KeyCode.F10, KeyCombination.SHIFT_DOWN), vm::stepBack, vm.stepBackDisabled()),
                new Command("stepOverButton", "Step over block", "Run to the end of the current block",
                        new KeyCodeCombination(KeyCode.F11), vm::stepOver, forward),
                new Command("runToBreakpointButton", "Run to breakpoint", "Run until a step matches the breakpoint",
                        new KeyCodeCombination(KeyCode.F5), vm::runToBreakpoint, forward),
                new Command("runToEndButton", "Run to end", "Compute every remaining step",
                        new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN), vm::runToEnd, forward),
                new Command("stopButton", "Stop", "Stop a running command after its current step",
                        new KeyCodeCombination(KeyCode.ESCAPE), vm::cancel, vm.busyProperty().not()));
    }

    private MenuBar menuBar(List<Command> run) {
        Menu open = new Menu("Open sample");
        for (SampleModels.Sample sample : SampleModels.catalog()) {
            MenuItem item = new MenuItem(sample.name());
            item.setOnAction(e -> vm.openSample(sample.name()));
            item.disableProperty().bind(vm.busyProperty());
            open.getItems().add(item);
        }
        MenuItem quitItem = new MenuItem("Quit");
        quitItem.setAccelerator(new KeyCodeCombination(KeyCode.Q, KeyCombination.SHORTCUT_DOWN));
        quitItem.setOnAction(e -> quit.run());
        Menu file = new Menu("File", null, open, new SeparatorMenuItem(), quitItem);

        Menu runMenu = new Menu("Run");
        for (Command c : run) {
            if (c.id().equals("stopButton")) {
                runMenu.getItems().add(new SeparatorMenuItem());
            }
            runMenu.getItems().add(c.menuItem());
        }

        MenuItem about = new MenuItem("About");
        about.setOnAction(e -> about());
        return new MenuBar(file, runMenu, new Menu("Help", null, about));
    }

    private ToolBar toolBar(List<Command> run) {
        ToolBar bar = new ToolBar();
        for (Command c : run) {
            if (c.id().equals("stopButton")) {
                continue;
            }
            bar.getItems().add(c.button());
            if (c.id().equals("stepOverButton")) {
                bar.getItems().add(new Separator());
            }
        }
        Label bpLabel = new Label("Breakpoint");
        bpLabel.getStyleClass().add(Styles.FIELD_LABEL);
        TextField breakpoint = new TextField();
        breakpoint.setId("breakpoint");
        breakpoint.getStyleClass().add(Styles.HOOK_NAME);
        breakpoint.setPrefColumnCount(22);
        breakpoint.textProperty().bindBidirectional(vm.breakpointProperty());
        breakpoint.setTooltip(new Tooltip("Hook-name pattern: * matches within one part, ** across parts"));
        breakpoint.setOnAction(e -> vm.runToBreakpoint());
        bpLabel.setLabelFor(breakpoint);

        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        ProgressIndicator progress = new ProgressIndicator();
        progress.setId("busyIndicator");
        progress.setPrefSize(20, 20);
        progress.setMaxSize(20, 20);
        progress.visibleProperty().bind(vm.busyProperty());
        Command stop = run.get(run.size() - 1);
        bar.getItems().addAll(new Separator(), bpLabel, breakpoint, spring, progress, stop.button());
        return bar;
    }

    private Node stepList() {
        Label title = new Label("Steps of the pass");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        ListView<StepRow> list = new ListView<>(vm.steps());
        list.setId("stepList");
        list.getStyleClass().add(Styles.STEP_LIST);
        list.setCellFactory(v -> new StepCell());
        list.setPlaceholder(new Label("No pass yet"));
        list.setFocusTraversable(false);
        VBox.setVgrow(list, Priority.ALWAYS);
        vm.currentIndexProperty().addListener((obs, old, now) -> follow(list, now.intValue()));
        vm.steps().addListener((javafx.collections.ListChangeListener<StepRow>) c -> follow(list, vm.currentIndexProperty().get()));

        VBox box = new VBox(6, title, list);
        box.getStyleClass().addAll(Styles.PANEL, "steps-panel");
        box.setPrefWidth(340);
        return box;
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

    private Node centre() {
        VBox centre = new VBox(10, promptPanel(), currentStepPanel(), heatmapPanel());
        centre.setPadding(new Insets(10, 10, 10, 4));
        return centre;
    }

    private Node promptPanel() {
        Label title = new Label("Prompt");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        TextField prompt = new TextField();
        prompt.setId("prompt");
        prompt.setPromptText("Type a prompt");
        prompt.textProperty().bindBidirectional(vm.promptProperty());
        title.setLabelFor(prompt);

        Label count = new Label();
        count.getStyleClass().add(Styles.MUTED);
        count.textProperty().bind(Bindings.createStringBinding(() -> {
            int n = vm.tokens().size();
            return n == 1 ? "1 token" : n + " tokens";
        }, vm.tokens()));
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        HBox header = new HBox(8, title, spring, count);
        header.setAlignment(Pos.BASELINE_LEFT);

        TokenStrip strip = new TokenStrip(vm.tokens());
        ScrollPane tokens = new ScrollPane(strip);
        tokens.setId("tokenStrip");
        tokens.getStyleClass().add("token-scroll");
        tokens.setFitToWidth(true);
        tokens.setPrefViewportHeight(48);
        tokens.setMaxHeight(112);
        tokens.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);

        VBox box = new VBox(6, header, prompt, tokens);
        box.getStyleClass().add(Styles.PANEL);
        return box;
    }

    private Node currentStepPanel() {
        Label title = new Label("Current step");
        title.getStyleClass().add(Styles.PANEL_TITLE);

        Label name = value("currentStepName", Styles.HOOK_NAME);
        Label unit = value("currentStepUnit", null);
        Label shape = value("currentStepShape", Styles.HOOK_NAME);
        Label math = value("currentStepMath", Styles.MATH);
        Label inputs = value("currentStepInputs", Styles.HOOK_NAME);
        math.setWrapText(true);
        inputs.setWrapText(true);

        vm.currentStepProperty().addListener((obs, old, s) -> {
            name.setText(s == null ? "(before the first step: press F10 to step, F5 to run to the breakpoint)" : s.name());
            name.pseudoClassStateChanged(Styles.ERROR, false);
            unit.setText(s == null ? "" : s.unit() + "   \u00b7   step " + (s.index() + 1) + " of " + s.total());
            shape.setText(s == null ? "" : s.shapeText());
            math.setText(s == null ? "" : s.math());
            inputs.setText(s == null ? "" : s.inputsText());
        });
        name.setText("(loading the model\u2026)");

        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(4);
        ColumnConstraints keys = new ColumnConstraints();
        keys.setMinWidth(Region.USE_PREF_SIZE);
        ColumnConstraints values = new ColumnConstraints();
        values.setHgrow(Priority.ALWAYS);
        values.setFillWidth(true);
        grid.getColumnConstraints().addAll(keys, values);
        String[] keyNames = {"Name", "Unit", "Shape", "Computes", "Inputs"};
        Label[] valueLabels = {name, unit, shape, math, inputs};
        for (int i = 0; i < keyNames.length; i++) {
            Label key = new Label(keyNames[i]);
            key.getStyleClass().add(Styles.FIELD_LABEL);
            key.setLabelFor(valueLabels[i]);
            grid.addRow(i, key, valueLabels[i]);
        }
        VBox box = new VBox(6, title, grid);
        box.getStyleClass().add(Styles.PANEL);
        return box;
    }

    private static Label value(String id, String styleClass) {
        Label l = new Label();
        l.setId(id);
        l.setMaxWidth(Double.MAX_VALUE);
        if (styleClass != null) {
            l.getStyleClass().add(styleClass);
        }
        return l;
    }

    private Node heatmapPanel() {
        Label title = new Label("Attention");
        title.getStyleClass().add(Styles.PANEL_TITLE);

        Spinner<Integer> headSpinner = new Spinner<>();
        headSpinner.setId("headSpinner");
        SpinnerValueFactory.IntegerSpinnerValueFactory heads = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
        headSpinner.setValueFactory(heads);
        headSpinner.setPrefWidth(76);
        headSpinner.setEditable(true);
        vm.modelInfoProperty().addListener((obs, old, info) -> heads.setMax(info == null ? 0 : info.heads() - 1));
        headAsObject = vm.headProperty().asObject();
        heads.valueProperty().bindBidirectional(headAsObject);
        headSpinner.disableProperty().bind(vm.heatmapProperty().isNull());
        Label headLabel = new Label("Head");
        headLabel.getStyleClass().add(Styles.FIELD_LABEL);
        headLabel.setLabelFor(headSpinner);

        Label legend = new Label();
        legend.setId("heatmapLegend");
        legend.getStyleClass().add(Styles.MUTED);
        legend.textProperty().bind(Bindings.createStringBinding(() -> legend(vm.heatmapProperty().get()), vm.heatmapProperty()));
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        HBox header = new HBox(8, title, spring, legend, headLabel, headSpinner);
        header.setAlignment(Pos.CENTER_LEFT);

        HeatmapView heatmap = new HeatmapView();
        heatmap.setId("heatmap");
        heatmap.heatmapProperty().bind(vm.heatmapProperty());
        heatmap.visibleProperty().bind(vm.heatmapProperty().isNotNull());

        Label placeholder = new Label("No attention matrix at this step. The heatmap appears at the score, mask and pattern "
                + "steps: press F5 to run to the breakpoint " + MainViewModel.DEFAULT_BREAKPOINT + ".");
        placeholder.getStyleClass().add(Styles.HEATMAP_PLACEHOLDER);
        placeholder.setWrapText(true);
        placeholder.visibleProperty().bind(vm.heatmapProperty().isNull());
        StackPane stack = new StackPane(placeholder, heatmap);
        StackPane.setAlignment(placeholder, Pos.CENTER);
        StackPane.setAlignment(heatmap, Pos.TOP_LEFT);
        VBox.setVgrow(stack, Priority.ALWAYS);

        Label hover = new Label();
        hover.setId("heatmapHover");
        hover.getStyleClass().addAll(Styles.MUTED, Styles.HOOK_NAME);
        hover.textProperty().bind(Bindings.createStringBinding(() -> heatmap.hoverTextProperty().get().isEmpty()
                ? (vm.heatmapProperty().get() == null ? "" : "Rows are queries, columns keys. Hover a cell for its value.")
                : heatmap.hoverTextProperty().get(), heatmap.hoverTextProperty(), vm.heatmapProperty()));

        VBox box = new VBox(6, header, stack, hover);
        box.getStyleClass().addAll(Styles.PANEL, "heatmap-panel");
        VBox.setVgrow(box, Priority.ALWAYS);
        return box;
    }

    private static String legend(Heatmap map) {
        if (map == null) {
            return "";
        }
        String range = map.name().contains("hook_pattern") ? "0 to 1"
                : String.format(Locale.ROOT, "%.3g to %.3g", map.low(), map.high());
        String heads = map.heads() == 1 ? "shared by all heads" : "head " + map.head() + " of " + map.heads();
        String masked = map.masked() > 0 ? "  \u00b7  hatched = masked (-inf)" : "";
        return map.rows() + " \u00d7 " + map.cols() + "  \u00b7  " + heads + "  \u00b7  colour " + range + masked;
    }

    private Node statusBar() {
        StatusBar bar = new StatusBar();
        bar.setId("statusBar");
        bar.textProperty().bind(Bindings.createStringBinding(() -> vm.statusProperty().get().text(), vm.statusProperty()));
        vm.statusProperty().addListener((obs, old, s) -> bar.pseudoClassStateChanged(Styles.ERROR, s.error()));
        bar.progressProperty().bind(Bindings.when(vm.busyProperty()).then(-1.0).otherwise(0.0));

        Label model = statusItem("statusModel");
        Label geometry = statusItem("statusGeometry");
        Label device = statusItem("statusDevice");
        Label position = statusItem("statusPosition");
        position.textProperty().bind(vm.positionText());
        vm.modelInfoProperty().addListener((obs, old, info) -> {
            model.setText(info == null ? "no model" : info.name() + "  (" + info.architecture() + ")");
            geometry.setText(info == null ? "" : info.layers() + " layers \u00d7 " + info.heads() + " heads  \u00b7  d_model "
                    + info.dModel());
            device.setText(info == null ? "" : info.device() + "  \u00b7  loaded in " + info.loadMillis() + " ms");
        });
        model.setText("no model");
        bar.getRightItems().addAll(model, new Separator(javafx.geometry.Orientation.VERTICAL), geometry,
                new Separator(javafx.geometry.Orientation.VERTICAL), device,
                new Separator(javafx.geometry.Orientation.VERTICAL), position);
        return bar;
    }

    private static Label statusItem(String id) {
        Label l = new Label();
        l.setId(id);
        l.getStyleClass().add(Styles.STATUS_ITEM);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    private void about() {
        SampleModels.Sample sample = SampleModels.defaultSample();
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.initOwner(root.getScene().getWindow());
        alert.setTitle("About Attention Studio");
        alert.setHeaderText("Attention Studio");
        alert.setContentText("A debugger for the forward pass of a transformer: step through every named "
                + "intermediate, stop at breakpoints, step back without recomputing, and look at the attention.\n\n"
                + "Bundled sample " + sample.name() + ": " + sample.card() + "\n\nRuns offline on DJL / PyTorch.");
        alert.getDialogPane().setMinHeight(Region.USE_PREF_SIZE);
        alert.show();
    }

    /** A step of the pass: its index and hook name, styled by whether it is computed or under the cursor. */
    private static final class StepCell extends ListCell<StepRow> {
        private final Label index = new Label();
        private final Label name = new Label();
        private final HBox box = new HBox(8, index, name);
        private final Tooltip tip = new Tooltip();

        StepCell() {
            getStyleClass().add(Styles.STEP_CELL);
            index.getStyleClass().add(Styles.STEP_INDEX);
            index.setMinWidth(Region.USE_PREF_SIZE);
            name.getStyleClass().add(Styles.HOOK_NAME);
            box.setAlignment(Pos.CENTER_LEFT);
        }

        @Override
        protected void updateItem(StepRow row, boolean empty) {
            super.updateItem(row, empty);
            boolean has = !empty && row != null;
            pseudoClassStateChanged(Styles.COMPUTED, has && row.computed());
            pseudoClassStateChanged(Styles.CURRENT, has && row.state() == StepRow.State.CURRENT);
            pseudoClassStateChanged(Styles.UNIT_START, has && row.unitStart() && row.index() > 0);
            if (!has) {
                setGraphic(null);
                setText(null);
                setTooltip(null);
                return;
            }
            index.setText(String.format(Locale.ROOT, "%3d", row.index() + 1));
            name.setText(row.name());
            setText(null);
            setGraphic(box);
            tip.setText(row.name() + "\n" + row.unit() + "  \u00b7  " + switch (row.state()) {
                case PENDING -> "not computed yet";
                case COMPUTED -> "computed";
                case CURRENT -> "under the cursor";
            });
            setTooltip(tip);
        }
    }
}
