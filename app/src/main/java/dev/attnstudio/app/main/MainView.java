package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.heatmap.HeatmapView;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.tokens.TokenStrip;
import dev.attnstudio.samples.SampleModels;
import javafx.application.Platform;
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
import javafx.scene.control.SplitPane;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
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

    /** Height of one row of token chips, in pixels. */
    private static final double TOKEN_ROW = 42;

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
        root.getStyleClass().add(Styles.MAIN_VIEW);
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
        breakpoint.setPrefColumnCount(26);
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
        box.getStyleClass().addAll(Styles.PANEL, Styles.STEPS_PANEL);
        box.setPrefWidth(370);
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
        SplitPane split = new SplitPane(currentStepPanel(), heatmapPanel());
        split.setId("centreSplit");
        split.getStyleClass().add(Styles.CENTRE_SPLIT);
        split.setDividerPositions(0.39);
        SplitPane.setResizableWithParent(split.getItems().get(0), false);
        VBox.setVgrow(split, Priority.ALWAYS);
        VBox centre = new VBox(8, promptPanel(), split);
        centre.setPadding(new Insets(8, 8, 8, 8));
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
        HBox.setHgrow(prompt, Priority.ALWAYS);

        Label count = new Label();
        count.getStyleClass().add(Styles.MUTED);
        count.setMinWidth(Region.USE_PREF_SIZE);
        count.textProperty().bind(Bindings.createStringBinding(() -> {
            int n = vm.tokens().size();
            return n == 1 ? "1 token" : n + " tokens";
        }, vm.tokens()));
        HBox row = new HBox(10, title, prompt, count);
        row.setAlignment(Pos.CENTER_LEFT);

        TokenStrip strip = new TokenStrip(vm.tokens());
        ScrollPane tokens = new ScrollPane(strip);
        tokens.setId("tokenStrip");
        tokens.getStyleClass().add(Styles.TOKEN_SCROLL);
        tokens.setFitToWidth(true);
        tokens.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        // As tall as the chips need, up to three rows; longer prompts scroll.
        // The strip learns its height during a layout pass; resize the viewport in the next pulse, not inside it.
        strip.heightProperty().addListener((obs, old, h) -> Platform.runLater(() ->
                tokens.setPrefViewportHeight(Math.max(TOKEN_ROW, Math.min(3 * TOKEN_ROW + 8, Math.ceil(strip.getHeight()) + 1)))));
        tokens.setPrefViewportHeight(TOKEN_ROW);

        VBox box = new VBox(6, row, tokens);
        box.getStyleClass().add(Styles.PANEL);
        prompt.sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                Platform.runLater(prompt::requestFocus); // typing goes to the prompt from the start
            }
        });
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
        Label meaning = value("currentStepMeaning", null);
        math.setWrapText(true);
        inputs.setWrapText(true);
        meaning.setWrapText(true);

        Runnable show = () -> {
            StepDetails s = vm.currentStepProperty().get();
            name.setText(s != null ? s.name() : vm.isReady() ? "(before the first step)" : "(no model yet)");
            unit.setText(s == null ? "" : s.unit() + "   \u00b7   step " + (s.index() + 1) + " of " + s.total());
            shape.setText(s == null ? "" : s.shapeText());
            math.setText(s != null ? s.math() : vm.isReady() ? "Press F10 to compute the first step, F5 to run to the breakpoint." : "");
            inputs.setText(s == null ? "" : String.join("\n", s.inputs()));
            meaning.setText(s == null ? "" : s.meaning());
        };
        vm.currentStepProperty().addListener((obs, old, s) -> show.run());
        vm.readyProperty().addListener((obs, old, r) -> show.run());
        show.run();

        VBox fields = new VBox(2);
        String[] keyNames = {"Name", "Unit", "Shape", "Computes", "Inputs", "Holds"};
        Label[] valueLabels = {name, unit, shape, math, inputs, meaning};
        for (int i = 0; i < keyNames.length; i++) {
            Label key = new Label(keyNames[i]);
            key.getStyleClass().add(Styles.FIELD_LABEL);
            key.setLabelFor(valueLabels[i]);
            VBox.setMargin(key, new Insets(i == 0 ? 0 : 6, 0, 0, 0));
            fields.getChildren().addAll(key, valueLabels[i]);
        }
        VBox box = new VBox(8, title, fields);
        box.getStyleClass().addAll(Styles.PANEL, Styles.DETAILS_PANEL);
        box.setMinWidth(240);
        box.setPrefWidth(350);
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
        legend.setMinWidth(0);
        title.setMinWidth(Region.USE_PREF_SIZE);
        headLabel.setMinWidth(Region.USE_PREF_SIZE);
        headSpinner.setMinWidth(Region.USE_PREF_SIZE);
        HBox header = new HBox(8, title, spring, headLabel, headSpinner);
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
                ? (vm.heatmapProperty().get() == null ? "" : "Rows: queries.  Columns: keys.  Hover a cell for its value.")
                : heatmap.hoverTextProperty().get(), heatmap.hoverTextProperty(), vm.heatmapProperty()));

        hover.setMinWidth(0);
        VBox box = new VBox(4, header, stack, legend, hover);
        box.getStyleClass().addAll(Styles.PANEL, Styles.HEATMAP_PANEL);
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
            setPrefWidth(0); // never wider than the list: no horizontal scroll bar, long names end in an ellipsis
            name.setMinWidth(0);
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
