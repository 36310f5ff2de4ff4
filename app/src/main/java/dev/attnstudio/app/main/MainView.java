package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.samples.SampleModels;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.stage.DirectoryChooser;
import org.controlsfx.control.StatusBar;

import java.io.File;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The main window's scene graph, laid out like an IDE: menus and toolbar on top; three resizable panes (the steps
 * of the pass | prompt, tokens and the tabbed views | the current step and the breakpoints); the status bar
 * below. It only binds controls to {@link MainViewModel} and forwards user actions to it.
 *
 * <p>Views built elsewhere go into their tab with {@link #setView}; {@link #activateWhileShown} makes a view's
 * feed run only while its tab is selected.
 */
public final class MainView {

    /** Font size at zoom 1, in pixels; every size in app.css is in em, relative to it. */
    public static final double BASE_FONT_PX = 13;

    private final MainViewModel vm;
    private final Runnable quit;
    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    private final Map<ViewTab, Tab> tabByView = new EnumMap<>(ViewTab.class);
    private final MenuBar menuBar;
    private final PromptPanel promptPanel;
    private final TabViews views;
    private final Exporter exporter;
    private final Label hover = new Label();
    private final ReadOnlyObjectWrapper<ViewTab> shownView = new ReadOnlyObjectWrapper<>(this, "shownView", ViewTab.HEAD);

    /**
     * @param quit what File > Quit does (the application exits through its own lifecycle)
     */
    public MainView(MainViewModel vm, Runnable quit) {
        this.vm = vm;
        this.quit = quit;
        views = new TabViews(vm);
        exporter = new Exporter(vm, views, this::shownView, () -> root.getScene() == null ? null : root.getScene().getWindow());
        List<Command> run = commands();
        promptPanel = new PromptPanel(vm);
        root.getStyleClass().add(Styles.MAIN_VIEW);
        menuBar = menuBar(run);
        root.setTop(new VBox(menuBar, toolBar(run)));
        root.setCenter(panes());
        root.setBottom(statusBar());
        views.install(this);
        root.styleProperty().bind(Bindings.createStringBinding(() -> String.format(Locale.ROOT, "-fx-font-size: %.1fpx;",
                BASE_FONT_PX * vm.zoomProperty().get()), vm.zoomProperty()));
        root.sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                themeScene(scene);
            }
        });
        vm.themeProperty().addListener((obs, old, theme) -> {
            if (root.getScene() != null) {
                root.getScene().getStylesheets().setAll(theme.stylesheets());
            }
        });
        vm.loadFailureProperty().addListener((obs, old, message) -> {
            if (message != null) {
                Alert alert = new Alert(Alert.AlertType.ERROR, message);
                alert.setHeaderText("The model could not be opened");
                show(alert);
            }
        });
    }

    public Parent root() {
        return root;
    }

    /** Puts a view into its tab, replacing the one there before. */
    public void setView(ViewTab view, Node content) {
        tabByView.get(view).setContent(content);
    }

    /** The tab of a view. */
    public Tab tab(ViewTab view) {
        return tabByView.get(view);
    }

    /** Selects a view's tab. */
    public void select(ViewTab view) {
        tabs.getSelectionModel().select(tabByView.get(view));
    }

    /** The view in the selected tab. */
    public ViewTab shownView() {
        return shownView.get();
    }

    /** The view in the selected tab, as it changes. */
    public ReadOnlyObjectProperty<ViewTab> shownViewProperty() {
        return shownView.getReadOnlyProperty();
    }

    /** Replaces the save dialog of File > Export (tests). */
    public void setFileAsker(FileAsker asker) {
        exporter.setFileAsker(asker);
    }

    /** Stops the export thread once queued exports are written. */
    public void close() {
        exporter.close();
    }

    /** Runs a view's feed only while its tab is selected: hidden views cost no engine time. */
    public void activateWhileShown(ViewTab view, ViewFeed<?> feed) {
        feed.activeProperty().bind(tabByView.get(view).selectedProperty());
    }

    // ---- layout ---------------------------------------------------------------------------------------------

    private Node panes() {
        VBox centre = new VBox(8, promptPanel, new SelectionBar(vm, views.settings()), viewTabs());
        centre.getStyleClass().add(Styles.CENTRE);
        SplitPane side = new SplitPane(new StepDetailsPanel(vm), new BreakpointsPanel(vm));
        side.setId("sideSplit");
        side.getStyleClass().add(Styles.SIDE_SPLIT);
        side.setOrientation(Orientation.VERTICAL);
        side.setDividerPositions(0.62);
        SplitPane split = new SplitPane(stepList(), centre, side);
        split.setId("mainSplit");
        split.getStyleClass().add(Styles.CENTRE_SPLIT);
        split.setDividerPositions(0.2, 0.79);
        SplitPane.setResizableWithParent(split.getItems().get(0), false);
        SplitPane.setResizableWithParent(side, false);
        return split;
    }

    private Node viewTabs() {
        tabs.setId("viewTabs");
        tabs.getStyleClass().add(Styles.VIEW_TABS);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        for (ViewTab view : ViewTab.values()) {
            Tab tab = new Tab(view.title, views.view(view));
            tab.setId(view.id());
            tab.setTooltip(new Tooltip(view.help + "  (Alt+" + view.digit().getName() + ")"));
            tabByView.put(view, tab);
            tabs.getTabs().add(tab);
        }
        tabs.getSelectionModel().select(tabByView.get(ViewTab.HEAD));
        tabs.getSelectionModel().selectedItemProperty().addListener((obs, old, tab) -> tabByView.forEach((view, t) -> {
            if (t == tab) {
                shownView.set(view);
            }
        }));
        VBox.setVgrow(tabs, Priority.ALWAYS);
        return tabs;
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
        list.setTooltip(new Tooltip("Every step of the forward pass by hook name: grey = not computed yet, "
                + "highlighted = under the cursor"));
        VBox.setVgrow(list, Priority.ALWAYS);
        vm.currentIndexProperty().addListener((obs, old, now) -> follow(list, now.intValue()));
        vm.steps().addListener((ListChangeListener<StepRow>) c -> follow(list, vm.currentIndexProperty().get()));

        VBox box = new VBox(6, title, list);
        box.getStyleClass().addAll(Styles.PANEL, Styles.STEPS_PANEL);
        box.setMinWidth(180);
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

    // ---- commands, menus, toolbar ---------------------------------------------------------------------------

    private List<Command> commands() {
        ObservableBooleanValue forward = vm.stepDisabled();
        return List.of(
                new Command("stepButton", "Step", "Compute the next step",
                        new KeyCodeCombination(KeyCode.F10), vm::step, forward),
                new Command("stepBackButton", "Step back", "Move back one step; nothing is recomputed",
                        new KeyCodeCombination(KeyCode.F10, KeyCombination.SHIFT_DOWN), vm::stepBack, vm.stepBackDisabled()),
                new Command("stepOverButton", "Step over block", "Run to the end of the current block",
                        new KeyCodeCombination(KeyCode.F11), vm::stepOver, forward),
                new Command("runToBreakpointButton", "Run to breakpoint",
                        "Run until a step matches an enabled breakpoint (see the breakpoint list)",
                        new KeyCodeCombination(KeyCode.F5), vm::runToBreakpoint, forward),
                new Command("runToEndButton", "Run to end", "Compute every remaining step",
                        new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN), vm::runToEnd, forward),
                new Command("generateButton", "Generate", "Sample one more token with the Generation tab's settings "
                        + "and step into the pass that reads it", new KeyCodeCombination(KeyCode.G, KeyCombination.SHORTCUT_DOWN),
                        () -> vm.generate(views.sampling()), vm.stepDisabled().or(vm.encoderProperty())),
                new Command("stopButton", "Stop", "Stop a running command after its current step",
                        new KeyCodeCombination(KeyCode.ESCAPE), vm::cancel, vm.busyProperty().not()));
    }

    private Command openFolderCommand() {
        return new Command("openFolderButton", "Open model folder\u2026",
                "Open a Hugging Face folder (config.json, model.safetensors, tokenizer.json) or an ONNX encoder folder",
                new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN), this::chooseFolder, vm.busyProperty());
    }

    private MenuBar menuBar(List<Command> run) {
        Menu samples = new Menu("Open sample");
        samples.setId("openSampleMenu");
        for (SampleModels.Sample sample : SampleModels.catalog()) {
            MenuItem item = new MenuItem(sample.name() + "  (" + sample.architecture() + ")");
            item.setId("sample-" + sample.name());
            item.setOnAction(e -> vm.openSample(sample.name()));
            item.disableProperty().bind(vm.busyProperty());
            samples.getItems().add(item);
        }
        Menu recent = new Menu("Recent models");
        recent.setId("recentMenu");
        Runnable fillRecent = () -> {
            recent.getItems().clear();
            for (ModelSource source : vm.recentModels()) {
                MenuItem item = new MenuItem(source.label());
                item.setMnemonicParsing(false);
                item.setOnAction(e -> vm.openRecent(source));
                item.disableProperty().bind(vm.busyProperty());
                recent.getItems().add(item);
            }
            if (recent.getItems().isEmpty()) {
                MenuItem none = new MenuItem("(none yet)");
                none.setDisable(true);
                recent.getItems().add(none);
            }
        };
        vm.recentModels().addListener((ListChangeListener<ModelSource>) c -> fillRecent.run());
        fillRecent.run();

        Menu png = new Menu("Export view as PNG");
        png.setId("exportPngMenu");
        for (int scale : Exporter.SCALES) {
            png.getItems().add(item("exportPng" + scale + "xItem", scale + "\u00d7 (" + scale + " pixels per point)\u2026",
                    scale == 2 ? new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN) : null, () -> exporter.png(scale)));
        }
        Menu export = new Menu("Export");
        export.setId("exportMenu");
        export.getItems().addAll(png,
                item("exportSvgItem", "Export view as SVG\u2026", null, exporter::svg),
                item("exportTensorItem", "Export tensor as .npy / .csv / .json\u2026",
                        new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), exporter::tensor));
        export.disableProperty().bind(vm.readyProperty().not());

        MenuItem quitItem = item("quitItem", "Quit", new KeyCodeCombination(KeyCode.Q, KeyCombination.SHORTCUT_DOWN), quit);
        Menu file = new Menu("File", null, samples, openFolderCommand().menuItem(), recent, new SeparatorMenuItem(),
                export, new SeparatorMenuItem(), quitItem);

        ToggleGroup themes = new ToggleGroup();
        Menu view = new Menu("View");
        for (Theme theme : Theme.values()) {
            RadioMenuItem item = new RadioMenuItem(theme.title + " theme");
            item.setId(theme.name().toLowerCase(Locale.ROOT) + "ThemeItem");
            item.setToggleGroup(themes);
            item.setAccelerator(new KeyCodeCombination(theme == Theme.LIGHT ? KeyCode.L : KeyCode.D,
                    KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN));
            item.setSelected(vm.themeProperty().get() == theme);
            item.setOnAction(e -> vm.themeProperty().set(theme));
            vm.themeProperty().addListener((obs, old, now) -> item.setSelected(now == theme));
            view.getItems().add(item);
        }
        view.getItems().addAll(new SeparatorMenuItem(),
                item("zoomInItem", "Zoom in", new KeyCodeCombination(KeyCode.EQUALS, KeyCombination.SHORTCUT_DOWN), vm::zoomIn),
                item("zoomOutItem", "Zoom out", new KeyCodeCombination(KeyCode.MINUS, KeyCombination.SHORTCUT_DOWN), vm::zoomOut),
                item("zoomResetItem", "Actual size", new KeyCodeCombination(KeyCode.DIGIT0, KeyCombination.SHORTCUT_DOWN),
                        vm::resetZoom),
                new SeparatorMenuItem());
        for (ViewTab tab : ViewTab.values()) {
            view.getItems().add(item(tab.id().replace("Tab", "Item"), tab.title,
                    new KeyCodeCombination(tab.digit(), KeyCombination.ALT_DOWN), () -> select(tab)));
        }

        CheckMenuItem batch = new CheckMenuItem("Batch of prompts");
        batch.setId("batchModeItem");
        batch.setAccelerator(new KeyCodeCombination(KeyCode.B, KeyCombination.SHORTCUT_DOWN));
        batch.selectedProperty().bindBidirectional(vm.batchModeProperty());
        batch.disableProperty().bind(vm.encoderProperty().not());
        MenuItem pairItem = item("pairItem", "Edit sentence B",
                new KeyCodeCombination(KeyCode.B, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), promptPanel::focusPair);
        pairItem.disableProperty().bind(vm.encoderProperty().not());
        Menu promptMenu = new Menu("Prompt", null,
                item("promptItem", "Edit prompt", new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN),
                        promptPanel::focusPrompt), pairItem, batch);

        Menu runMenu = new Menu("Run");
        for (Command c : run) {
            if (c.id().equals("stopButton")) {
                runMenu.getItems().add(new SeparatorMenuItem());
            }
            runMenu.getItems().add(c.menuItem());
        }

        Menu help = new Menu("Help", null,
                item("shortcutsItem", "Keyboard shortcuts", new KeyCodeCombination(KeyCode.F1), this::showShortcuts),
                item("aboutItem", "About", null, this::about));
        MenuBar bar = new MenuBar(file, view, promptMenu, runMenu, help);
        bar.setId("menuBar");
        return bar;
    }

    private static MenuItem item(String id, String text, KeyCombination key, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setId(id);
        item.setAccelerator(key);
        item.setOnAction(e -> action.run());
        return item;
    }

    private ToolBar toolBar(List<Command> run) {
        ToolBar bar = new ToolBar();
        bar.setId("toolBar");
        bar.getItems().addAll(openFolderCommand().button(), new Separator());
        for (Command c : run) {
            if (c.id().equals("stopButton")) {
                continue;
            }
            bar.getItems().add(c.button());
            if (c.id().equals("stepOverButton")) {
                bar.getItems().add(new Separator());
            }
        }
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        ProgressIndicator progress = new ProgressIndicator();
        progress.setId("busyIndicator");
        progress.setPrefSize(20, 20);
        progress.setMaxSize(20, 20);
        progress.visibleProperty().bind(vm.busyProperty());
        progress.setTooltip(new Tooltip("The engine is working; the window stays usable. Esc stops a run."));
        Command stop = run.get(run.size() - 1);
        bar.getItems().addAll(spring, progress, stop.button());
        return bar;
    }

    private void chooseFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open model folder");
        vm.recentModels().stream().filter(s -> s instanceof ModelSource.Folder).findFirst()
                .map(s -> ((ModelSource.Folder) s).path().getParent()).filter(p -> p != null && p.toFile().isDirectory())
                .ifPresent(p -> chooser.setInitialDirectory(p.toFile()));
        File folder = chooser.showDialog(root.getScene().getWindow());
        if (folder != null) {
            vm.openFolder(folder.toPath());
        }
    }

    // ---- status bar -----------------------------------------------------------------------------------------

    private Node statusBar() {
        StatusBar bar = new StatusBar();
        bar.setId("statusBar");
        bar.textProperty().bind(Bindings.createStringBinding(() -> vm.statusProperty().get().text(), vm.statusProperty()));
        vm.statusProperty().addListener((obs, old, s) -> bar.pseudoClassStateChanged(Styles.ERROR, s.error()));
        bar.progressProperty().bind(Bindings.when(vm.busyProperty()).then(-1.0).otherwise(0.0));
        bar.setTooltip(new Tooltip("What happened last; a bar moves while the engine works"));

        Label model = statusItem("statusModel", "The open model and its architecture");
        Label geometry = statusItem("statusGeometry", "Blocks \u00d7 attention heads per block, and the residual stream width");
        Label device = statusItem("statusDevice", "Where the model runs, and how long opening it took (files, import, upload)");
        Label position = statusItem("statusPosition", "The step under the cursor and the steps in the pass");
        position.textProperty().bind(vm.positionText());
        vm.modelInfoProperty().addListener((obs, old, info) -> {
            model.setText(info == null ? "no model" : info.name() + "  (" + info.architecture() + ")");
            geometry.setText(info == null ? "" : info.layers() + " layers \u00d7 " + info.heads() + " heads  \u00b7  d_model "
                    + info.dModel());
            device.setText(info == null ? "" : info.device().toUpperCase(Locale.ROOT) + "  \u00b7  loaded in "
                    + info.loadMillis() + " ms");
        });
        model.setText("no model");
        hover.setId("statusHover");
        hover.getStyleClass().addAll(Styles.STATUS_ITEM, Styles.HOOK_NAME);
        hover.setMinWidth(0);
        hover.setMaxWidth(420);
        hover.setTooltip(new Tooltip("What the mouse is over in the view: query, key, weight and scores"));
        hover.textProperty().bind(views.hoverProperty());
        bar.getRightItems().addAll(hover, new Separator(Orientation.VERTICAL), model, new Separator(Orientation.VERTICAL), geometry,
                new Separator(Orientation.VERTICAL), device, new Separator(Orientation.VERTICAL), position);
        return bar;
    }

    private static Label statusItem(String id, String help) {
        Label l = new Label();
        l.setId(id);
        l.getStyleClass().add(Styles.STATUS_ITEM);
        l.setMinWidth(Region.USE_PREF_SIZE);
        l.setTooltip(new Tooltip(help));
        return l;
    }

    // ---- theme and dialogs ----------------------------------------------------------------------------------

    private void themeScene(Scene scene) {
        scene.getStylesheets().setAll(vm.themeProperty().get().stylesheets());
        // The keypad's + and - zoom too.
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.ADD, KeyCombination.SHORTCUT_DOWN), vm::zoomIn);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.PLUS, KeyCombination.SHORTCUT_DOWN), vm::zoomIn);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.SUBTRACT, KeyCombination.SHORTCUT_DOWN), vm::zoomOut);
    }

    /** Shows a dialog over the window, in the window's theme and zoom. */
    private void show(Dialog<?> dialog) {
        Scene scene = root.getScene();
        if (scene != null) {
            dialog.initOwner(scene.getWindow());
            dialog.getDialogPane().getStylesheets().setAll(scene.getStylesheets());
        }
        dialog.getDialogPane().setStyle(root.getStyle());
        dialog.getDialogPane().setMinHeight(Region.USE_PREF_SIZE);
        dialog.show();
    }

    /** Help > Keyboard shortcuts: every menu command that has one, read from the menus so it cannot drift. */
    private void showShortcuts() {
        GridPane grid = new GridPane();
        grid.setId("shortcutTable");
        grid.getStyleClass().add(Styles.SHORTCUT_TABLE);
        grid.setHgap(24);
        grid.setVgap(4);
        int row = 0;
        for (Menu menu : menuBar.getMenus()) {
            List<MenuItem> items = new ArrayList<>();
            collect(menu.getItems(), items);
            if (items.isEmpty()) {
                continue;
            }
            Label heading = new Label(menu.getText());
            heading.getStyleClass().add(Styles.PANEL_TITLE);
            grid.add(heading, 0, row++, 2, 1);
            for (MenuItem item : items) {
                Label key = new Label(item.getAccelerator().getDisplayText());
                key.getStyleClass().add(Styles.HOOK_NAME);
                grid.add(new Label(item.getText()), 0, row);
                grid.add(key, 1, row++);
            }
        }
        grid.add(new Label("Add a breakpoint (in its field)"), 0, row);
        grid.add(new Label("Enter"), 1, row++);
        grid.add(new Label("Remove the selected breakpoint"), 0, row);
        grid.add(new Label("Delete"), 1, row);
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.setTitle("Keyboard shortcuts");
        alert.setHeaderText("Keyboard shortcuts");
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(420);
        alert.getDialogPane().setContent(scroll);
        show(alert);
    }

    private static void collect(List<MenuItem> items, List<MenuItem> out) {
        for (MenuItem item : items) {
            if (item instanceof Menu sub) {
                collect(sub.getItems(), out);
            } else if (item.getAccelerator() != null) {
                out.add(item);
            }
        }
    }

    private void about() {
        SampleModels.Sample sample = SampleModels.defaultSample();
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.setTitle("About Attention Studio");
        alert.setHeaderText("Attention Studio");
        alert.setContentText("A debugger for the forward pass of a transformer: step through every named "
                + "intermediate, stop at breakpoints, step back without recomputing, and look at the attention.\n\n"
                + "Bundled sample " + sample.name() + ": " + sample.card() + "\n\nRuns offline on DJL / PyTorch.");
        show(alert);
    }

    /** A step of the pass: its index and hook name, styled by whether it is computed or under the cursor. */
    private static final class StepCell extends ListCell<StepRow> {
        private final Label index = new Label();
        private final Label name = new Label();
        private final HBox box = new HBox(8, index, name);
        private final Tooltip tip = new Tooltip();
        private final Text measure = new Text();
        private StepRow row;

        StepCell() {
            getStyleClass().add(Styles.STEP_CELL);
            setPrefWidth(0); // never wider than the list: no horizontal scroll bar, long names elided in the middle
            name.setMinWidth(0);
            name.setMaxWidth(Double.MAX_VALUE); // the label's width is the room there is, whatever its text
            HBox.setHgrow(name, Priority.ALWAYS);
            name.widthProperty().addListener((obs, old, w) -> fitName());
            name.fontProperty().addListener((obs, old, f) -> fitName());
            index.getStyleClass().add(Styles.STEP_INDEX);
            index.setMinWidth(Region.USE_PREF_SIZE);
            name.getStyleClass().add(Styles.HOOK_NAME);
            box.setAlignment(Pos.CENTER_LEFT);
        }

        /** The name, or its middle elided so that the distinctive tail stays (the full name is in the tooltip). */
        private void fitName() {
            if (row == null || name.getWidth() <= 0) {
                return;
            }
            measure.setFont(name.getFont());
            double room = name.getWidth() - name.snappedLeftInset() - name.snappedRightInset() - 1;
            name.setText(StepNameElision.fit(row.name(), row.unit(), room, text -> {
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
            if (!has) {
                setGraphic(null);
                setText(null);
                setTooltip(null);
                return;
            }
            index.setText(String.format(Locale.ROOT, "%3d", row.index() + 1));
            name.setText(row.name());
            fitName();
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
