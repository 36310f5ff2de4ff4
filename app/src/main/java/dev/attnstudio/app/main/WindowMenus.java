package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;
import javafx.collections.ListChangeListener;
import javafx.scene.Node;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The menu bar: File (samples, folders, recent models, recorded traces, export, quit), View (theme, zoom, one item per registered
 * view with its key), Prompt, Run, Interventions and Help.
 */
final class WindowMenus {

    private final MainViewModel vm;
    private final MenuBar bar = new MenuBar();

    private WindowMenus(MainViewModel vm) {
        this.vm = vm;
    }

    /**
     * @param openFolder File > Open model folder
     * @param run        the Run commands, Stop last
     * @param modelInfo  Help > Model info
     */
    static MenuBar build(MainViewModel vm, ViewTabs tabs, Exporter exporter, PromptPanel prompt, Command openFolder,
                         List<Command> run, WindowDialogs dialogs, Runnable modelInfo, Runnable quit) {
        WindowMenus m = new WindowMenus(vm);
        MenuBar bar = m.bar;
        bar.setId("menuBar");
        Menu help = new Menu("Help", null,
                item("shortcutsItem", "Keyboard shortcuts", new KeyCodeCombination(KeyCode.F1), () -> dialogs.shortcuts(bar)),
                item("modelInfoItem", "Model info", new KeyCodeCombination(KeyCode.I, KeyCombination.SHORTCUT_DOWN), modelInfo),
                item("aboutItem", "About Attention Studio", null, dialogs::about));
        bar.getMenus().addAll(m.file(openFolder, exporter, quit), m.view(tabs), m.prompt(prompt), run(run),
                new InterventionMenus(vm).menu(), help);
        return bar;
    }

    private Menu file(Command openFolder, Exporter exporter, Runnable quit) {
        MenuItem quitItem = item("quitItem", "Quit", new KeyCodeCombination(KeyCode.Q, KeyCombination.SHORTCUT_DOWN), quit);
        MenuItem openTrace = item("openTraceItem", "Open trace\u2026",
                new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), this::chooseTrace);
        openTrace.disableProperty().bind(vm.status().busyProperty());
        MenuItem saveBundle = item("saveBundleItem", "Save pass as bundle\u2026",
                new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), this::chooseBundle);
        saveBundle.disableProperty().bind(vm.status().readyProperty().not().or(vm.status().busyProperty())
                .or(vm.session().recordedProperty()));
        return new Menu("File", null, samples(), openFolder.menuItem(), recent(), openTrace, saveBundle,
                new SeparatorMenuItem(),
                export(exporter), new SeparatorMenuItem(), quitItem);
    }

    /**
     * File > Open trace: a .npz bundle, or a bundle folder by its manifest.json, opened with no model (see
     * {@link SessionViewModel#openTrace}).
     */
    private void chooseTrace() {
        DialogFolders folders = vm.preferences().folders();
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open trace (a .npz bundle, or a bundle folder's manifest.json)");
        chooser.getExtensionFilters().addAll(
                new FileChooser.ExtensionFilter("Trace bundles (*.npz, manifest.json)", "*.npz", "manifest.json"),
                new FileChooser.ExtensionFilter("All files", "*"));
        Path start = folders.start();
        if (start != null) {
            chooser.setInitialDirectory(start.toFile());
        }
        File file = chooser.showOpenDialog(bar.getScene() == null ? null : bar.getScene().getWindow());
        if (file != null) {
            Path chosen = file.toPath();
            Path bundle = chosen.getFileName().toString().equals("manifest.json") ? chosen.getParent() : chosen;
            if (bundle.getParent() != null) {
                folders.remember(bundle.getParent());
            }
            vm.session().openTrace(bundle);
        }
    }

    /** File > Save pass as bundle: a .npz the app (and numpy.load) opens without the model. */
    private void chooseBundle() {
        DialogFolders folders = vm.preferences().folders();
        File file = FileAsker.saveChooser("Save pass as bundle", "trace.npz", List.of("npz"), folders)
                .showSaveDialog(bar.getScene() == null ? null : bar.getScene().getWindow());
        if (file != null) {
            Path out = file.toPath().getFileName().toString().endsWith(".npz") ? file.toPath()
                    : file.toPath().resolveSibling(file.toPath().getFileName() + ".npz");
            if (out.getParent() != null) {
                folders.remember(out.getParent());
            }
            vm.session().saveBundle(out);
        }
    }

    private Menu samples() {
        Menu samples = new Menu("Open sample");
        samples.setId("openSampleMenu");
        for (SampleModels.Sample sample : SampleModels.catalog()) {
            MenuItem item = new MenuItem(null, sampleLabel(sample));
            item.setId("sample-" + sample.name());
            item.setOnAction(e -> vm.session().openSample(sample.name()));
            item.disableProperty().bind(vm.status().busyProperty());
            samples.getItems().add(item);
        }
        return samples;
    }

    /**
     * A sample's name and family over its one-line description. (Labels in a menu item's graphic take the item's
     * colours when it is highlighted; the description is set apart by size and opacity, not by a colour of its own.)
     */
    private static Node sampleLabel(SampleModels.Sample sample) {
        Label name = new Label(sample.name() + "  (" + sample.architecture() + ")");
        name.setMnemonicParsing(false);
        name.setStyle("-fx-font-weight: bold;");
        Label description = new Label(sample.description());
        description.setId("sampleDescription-" + sample.name());
        description.setMnemonicParsing(false);
        description.setStyle("-fx-font-size: 0.92em; -fx-opacity: 0.8;");
        return new VBox(1, name, description);
    }

    private Menu recent() {
        Menu recent = new Menu("Recent models");
        recent.setId("recentMenu");
        Runnable fill = () -> {
            recent.getItems().clear();
            for (ModelSource source : vm.session().recentModels()) {
                MenuItem item = new MenuItem(source.label());
                item.setMnemonicParsing(false);
                item.setOnAction(e -> vm.session().openRecent(source));
                item.disableProperty().bind(vm.status().busyProperty());
                recent.getItems().add(item);
            }
            if (recent.getItems().isEmpty()) {
                MenuItem none = new MenuItem("(none yet)");
                none.setDisable(true);
                recent.getItems().add(none);
            }
        };
        vm.session().recentModels().addListener((ListChangeListener<ModelSource>) c -> fill.run());
        fill.run();
        return recent;
    }

    private Menu export(Exporter exporter) {
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
        export.disableProperty().bind(vm.status().readyProperty().not());
        return export;
    }

    private Menu view(ViewTabs tabs) {
        PreferencesViewModel prefs = vm.preferences();
        ToggleGroup themes = new ToggleGroup();
        Menu view = new Menu("View");
        for (Theme theme : Theme.values()) {
            RadioMenuItem item = new RadioMenuItem(theme.title + " theme");
            item.setId(theme.name().toLowerCase(Locale.ROOT) + "ThemeItem");
            item.setToggleGroup(themes);
            item.setAccelerator(new KeyCodeCombination(theme == Theme.LIGHT ? KeyCode.L : KeyCode.D,
                    KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN));
            item.setSelected(prefs.themeProperty().get() == theme);
            item.setOnAction(e -> prefs.themeProperty().set(theme));
            prefs.themeProperty().addListener((obs, old, now) -> item.setSelected(now == theme));
            view.getItems().add(item);
        }
        view.getItems().addAll(new SeparatorMenuItem(),
                item("zoomInItem", "Zoom in", new KeyCodeCombination(KeyCode.EQUALS, KeyCombination.SHORTCUT_DOWN), prefs::zoomIn),
                item("zoomOutItem", "Zoom out", new KeyCodeCombination(KeyCode.MINUS, KeyCombination.SHORTCUT_DOWN), prefs::zoomOut),
                item("zoomResetItem", "Actual size", new KeyCodeCombination(KeyCode.DIGIT0, KeyCombination.SHORTCUT_DOWN),
                        prefs::resetZoom),
                new SeparatorMenuItem());
        for (ViewSpec v : tabs.registry().all()) {
            view.getItems().add(item(v.menuItemId(), v.title(), tabs.key(v).map(k -> k.combination()).orElse(null),
                    () -> tabs.select(v.id())));
        }
        return view;
    }

    private Menu prompt(PromptPanel prompt) {
        CheckMenuItem batch = new CheckMenuItem("Batch of prompts");
        batch.setId("batchModeItem");
        batch.setAccelerator(new KeyCodeCombination(KeyCode.B, KeyCombination.SHORTCUT_DOWN));
        batch.selectedProperty().bindBidirectional(vm.prompt().batchModeProperty());
        batch.disableProperty().bind(vm.session().batchesProperty().not());
        MenuItem pairItem = item("pairItem", "Edit sentence B",
                new KeyCodeCombination(KeyCode.B, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), prompt::focusPair);
        pairItem.disableProperty().bind(vm.session().pairsProperty().not());
        return new Menu("Prompt", null,
                item("promptItem", "Edit prompt", new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN),
                        prompt::focusPrompt), pairItem, batch);
    }

    private static Menu run(List<Command> run) {
        Menu menu = new Menu("Run");
        for (Command c : run) {
            if (c.id().equals("stopButton")) {
                menu.getItems().add(new SeparatorMenuItem());
            }
            menu.getItems().add(c.menuItem());
        }
        return menu;
    }

    private static MenuItem item(String id, String text, KeyCombination key, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setId(id);
        item.setAccelerator(key);
        item.setOnAction(e -> action.run());
        return item;
    }
}
