package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.app.views.ViewSpec;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.SplitPane;
import javafx.scene.effect.BoxBlur;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.control.Tab;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.io.File;
import java.util.List;
import java.util.Locale;

/**
 * The main window's scene graph, laid out like an IDE: menus and toolbar on top; three resizable panes (the steps
 * of the pass | prompt, tokens and the tabbed views | the current step and the breakpoints); the status bar
 * below. It only binds controls to {@link MainViewModel} and forwards user actions to it; the views in the tabs
 * are the ones a {@link ViewRegistry} declares.
 */
public final class MainView {

    /** Font size at zoom 1, in pixels; every size in app.css is in em, relative to it. */
    public static final double BASE_FONT_PX = 13;

    private final MainViewModel vm;
    private final BorderPane root = new BorderPane();
    private final AttentionSettings settings = new AttentionSettings();
    private final ViewTabs tabs;
    private final Exporter exporter;
    private final PromptPanel promptPanel;
    private final ModelInfoWindow modelInfo;
    private final MenuBar menuBar;
    private final StackPane viewsStack;
    private final Label concealNote = new Label("Answer the question first: the views appear once you commit.");
    private SplitPane mainSplit;
    private SplitPane side;
    private Node docked;

    /**
     * @param views the views of the tabs, in order
     * @param quit  what File > Quit does (the application exits through its own lifecycle)
     */
    public MainView(MainViewModel vm, ViewRegistry views, Runnable quit) {
        this.vm = vm;
        tabs = new ViewTabs(vm, views, settings);
        exporter = new Exporter(vm, tabs, settings, this::window);
        exporter.setFileAsker(FileAsker.chooser(vm.preferences().folders()));
        promptPanel = new PromptPanel(vm);
        WindowDialogs dialogs = new WindowDialogs(root);
        List<Command> run = RunCommands.of(vm);
        Command openFolder = RunCommands.openFolder(vm, this::chooseFolder);
        root.getStyleClass().add(Styles.MAIN_VIEW);
        modelInfo = new ModelInfoWindow(vm, root);
        menuBar = WindowMenus.build(vm, tabs, exporter, promptPanel, openFolder, run, dialogs, modelInfo::show, quit);
        concealNote.setId("concealNote");
        concealNote.getStyleClass().add(Styles.CONCEAL_NOTE);
        concealNote.setWrapText(true);
        concealNote.setVisible(false);
        viewsStack = new StackPane(tabs.pane(), concealNote);
        VBox.setVgrow(viewsStack, Priority.ALWAYS);
        root.setTop(new VBox(menuBar, new MainToolBar(vm, openFolder, run)));
        root.setCenter(panes());
        root.setBottom(new MainStatusBar(vm, tabs.hoverProperty()));
        PreferencesViewModel prefs = vm.preferences();
        root.styleProperty().bind(Bindings.createStringBinding(() -> String.format(Locale.ROOT, "-fx-font-size: %.1fpx;",
                BASE_FONT_PX * prefs.zoomProperty().get()), prefs.zoomProperty()));
        root.sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                themeScene(scene);
            }
        });
        prefs.themeProperty().addListener((obs, old, theme) -> {
            if (root.getScene() != null) {
                root.getScene().getStylesheets().setAll(theme.stylesheets());
            }
        });
        vm.session().loadFailureProperty().addListener((obs, old, message) -> {
            if (message != null) {
                dialogs.loadFailed(message);
            }
        });
        vm.stepping().failureProperty().addListener((obs, old, message) -> {
            if (message != null) {
                dialogs.passFailed(message);
            }
        });
    }

    public Parent root() {
        return root;
    }

    /** The registered views, in tab order. */
    public ViewRegistry views() {
        return tabs.registry();
    }

    /** The tab of the view registered as {@code viewId}. */
    public Tab tab(String viewId) {
        return tabs.tab(viewId);
    }

    /** Selects the tab of the view registered as {@code viewId}. */
    public void select(String viewId) {
        tabs.select(viewId);
    }

    /** The view in the selected tab, as it changes. */
    public ReadOnlyObjectProperty<ViewSpec> shownViewProperty() {
        return tabs.shownProperty();
    }

    /** Replaces the save dialog of File > Export (tests). */
    public void setFileAsker(FileAsker asker) {
        exporter.setFileAsker(asker);
    }

    /** Stops the export thread once queued exports are written. */
    public void close() {
        exporter.close();
    }

    /** A menu of the menu bar by its title ("File", "Help"), for items added beside the window's own. */
    public Menu menu(String title) {
        return menuBar.getMenus().stream().filter(m -> title.equals(m.getText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no menu " + title));
    }

    /**
     * Shows a panel in place of the step details and breakpoints on the right (the lesson panel), or with null puts
     * them back.
     */
    public void dock(Node panel) {
        Node next = panel == null ? side : panel;
        if (docked == next || (panel == null && docked == null)) {
            return;
        }
        double[] dividers = mainSplit.getDividerPositions();
        mainSplit.getItems().set(2, next);
        SplitPane.setResizableWithParent(next, false);
        mainSplit.setDividerPositions(dividers[0], panel == null ? 0.79 : 0.6);
        docked = panel;
    }

    /** The panel shown by {@link #dock}, or null. */
    public Node docked() {
        return docked;
    }

    /** Shows a strip below the toolbar (an offer, a notice); it removes itself by leaving its parent. */
    public void showBanner(Node banner) {
        ((VBox) root.getTop()).getChildren().add(banner);
    }

    /** Adds a pane below the step details and breakpoints (the Watch panel). */
    public void addSidePane(Node pane) {
        side.getItems().add(pane);
        side.setDividerPositions(0.45, 0.7);
    }

    /** Blurs the views and lets no click through, with a note, until a prediction is committed ({@code false}). */
    public void concealViews(boolean concealed) {
        // blurred and faded so far that no pattern can be read off it; a box blur is cheap to draw without a GPU
        tabs.pane().setEffect(concealed ? new BoxBlur(48, 48, 2) : null);
        tabs.pane().setOpacity(concealed ? 0.15 : 1);
        tabs.pane().setMouseTransparent(concealed);
        concealNote.setVisible(concealed);
    }

    /** Whether the views are concealed. */
    public boolean viewsConcealed() {
        return concealNote.isVisible();
    }

    private Node panes() {
        VBox centre = new VBox(8, promptPanel, new SelectionBar(vm, settings), viewsStack);
        centre.getStyleClass().add(Styles.CENTRE);
        side = new SplitPane(new StepDetailsPanel(vm), new BreakpointsPanel(vm));
        side.setId("sideSplit");
        side.getStyleClass().add(Styles.SIDE_SPLIT);
        side.setOrientation(Orientation.VERTICAL);
        side.setDividerPositions(0.62);
        SplitPane split = new SplitPane(new StepListPanel(vm.stepping(), vm.status()), centre, side);
        mainSplit = split;
        split.setId("mainSplit");
        split.getStyleClass().add(Styles.CENTRE_SPLIT);
        split.setDividerPositions(0.22, 0.79); // the steps list: most hook names on one line at 1280 px
        SplitPane.setResizableWithParent(split.getItems().get(0), false);
        SplitPane.setResizableWithParent(side, false);
        return split;
    }

    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    /** File > Open model folder: a folder dialog in the last folder chosen (its parent: the model's siblings show). */
    private void chooseFolder() {
        DialogFolders folders = vm.preferences().folders();
        File folder = FileAsker.folderChooser("Open model folder", folders).showDialog(window());
        if (folder != null) {
            folders.remember(folder.toPath().getParent() != null ? folder.toPath().getParent() : folder.toPath());
            vm.session().openFolder(folder.toPath());
        }
    }

    /**
     * A showing tooltip gets every key first (the window hands keys to its popups) and hides itself on Esc, consuming
     * it: with the pointer resting on a control, Esc would hide the tooltip and never reach the filter that stops a run
     * (seen in GenerationWindowTest under load, when the prompt's tooltip had time to appear). Tooltips leave Esc to the
     * window; they still hide when the pointer moves.
     */
    private static void leaveEscapeToTheWindow() {
        if (tooltipsLeaveEscape) {
            return;
        }
        tooltipsLeaveEscape = true;
        Window.getWindows().addListener((javafx.collections.ListChangeListener<Window>) change -> {
            while (change.next()) {
                for (Window w : change.getAddedSubList()) {
                    if (w instanceof javafx.scene.control.Tooltip tooltip) {
                        tooltip.setHideOnEscape(false);
                    }
                }
            }
        });
    }

    /** Set once the tooltip listener is on the (application-wide) list of windows. FX thread. */
    private static boolean tooltipsLeaveEscape;

    private void themeScene(Scene scene) {
        PreferencesViewModel prefs = vm.preferences();
        scene.getStylesheets().setAll(prefs.themeProperty().get().stylesheets());
        // The keypad's + and - zoom too.
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.ADD, KeyCombination.SHORTCUT_DOWN), prefs::zoomIn);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.PLUS, KeyCombination.SHORTCUT_DOWN), prefs::zoomIn);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.SUBTRACT, KeyCombination.SHORTCUT_DOWN), prefs::zoomOut);
        // Esc stops the engine's work wherever the focus is: a text field (the prompt, a spinner, a watch) would
        // otherwise take the key before the Run menu's accelerator sees it. Idle, Esc is left to the focused control.
        leaveEscapeToTheWindow();
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE && !e.isShortcutDown() && !e.isShiftDown() && !e.isAltDown()
                    && vm.status().isBusy()) {
                vm.stepping().cancel();
                e.consume();
            }
        });
    }
}
