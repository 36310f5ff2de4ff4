package dev.attnstudio.app.main;

import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.ExportDialogs;
import dev.attnstudio.app.export.ExportService;
import dev.attnstudio.app.export.TensorFormat;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewSpec;
import javafx.stage.Window;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * File > Export: the shown view as PNG (at a scale factor) or SVG, as its {@link ViewExport} says, and the current
 * step's tensor as .npy, .csv or .json. Asks where with a {@link FileAsker} (default name
 * {@code model_hook_layer_head.ext}), never replaces a file without asking, and reports in the status bar. Snapshots
 * are taken on the FX thread; encoding and writing run on the {@link ExportService}'s thread, the tensor is copied on
 * the engine thread.
 */
final class Exporter implements AutoCloseable {

    /** The PNG scale factors offered. */
    static final List<Integer> SCALES = List.of(1, 2, 3, 4);

    private final MainViewModel vm;
    private final ViewTabs tabs;
    private final AttentionSettings settings;
    private final Supplier<Window> owner;
    private final ExportService service = new ExportService();
    private FileAsker files = FileAsker.chooser();

    Exporter(MainViewModel vm, ViewTabs tabs, AttentionSettings settings, Supplier<Window> owner) {
        this.vm = vm;
        this.tabs = tabs;
        this.settings = settings;
        this.owner = owner;
    }

    void setFileAsker(FileAsker asker) {
        files = asker;
    }

    /**
     * The shown view as a PNG at {@code scale} pixels per point, with its caption: its figure (the maps drawn again at
     * that scale, no controls) where it has one, else a picture of the view.
     */
    void png(int scale) {
        ViewSpec view = tabs.shownProperty().get();
        ViewExport how = tabs.built(view).export();
        Path target = files.ask(owner.get(), "Export " + view.title() + " as PNG", defaultName(view, how, "png"), List.of("png"));
        if (target != null) {
            Path file = withExtension(target, "png");
            run(file, overwrite -> how.figure() != null
                    ? service.png(how.figure().render(scale), how.picture(), scale, how.figure().caption(base()), file, overwrite)
                    : service.png(how.picture(), scale, caption(how), file, overwrite));
        }
    }

    /**
     * The shown view as SVG: its map as vector cells where it has one, else its figure (or picture) embedded at 2x with
     * a vector caption.
     */
    void svg() {
        ViewSpec view = tabs.shownProperty().get();
        ViewExport how = tabs.built(view).export();
        Path target = files.ask(owner.get(), "Export " + view.title() + " as SVG", defaultName(view, how, "svg"), List.of("svg"));
        if (target == null) {
            return;
        }
        Path file = withExtension(target, "svg");
        Heatmap map = how.currentMap();
        if (map != null) {
            Caption caption = how.figure() != null ? how.figure().caption(base())
                    : Caption.forHeatmap(model(), prompt(), map).withColourScale(colourScale());
            run(file, overwrite -> service.heatmapSvg(map, caption, file, overwrite));
        } else if (how.figure() != null) {
            run(file, overwrite -> service.svg(how.figure().render(2), how.picture(), 2, how.figure().caption(base()), file, overwrite));
        } else {
            run(file, overwrite -> service.svg(how.picture(), 2, caption(how), file, overwrite));
        }
    }

    /** The tensor of the step under the cursor, with its hook name, in the format the chosen extension names. */
    void tensor() {
        vm.stepping().readCurrentTensor(tensor -> {
            if (tensor == null) {
                vm.status().show(Status.error("No step under the cursor: step into the pass first (F10)."));
                return;
            }
            List<String> formats = Arrays.stream(TensorFormat.values()).map(f -> f.extension).toList();
            Path target = files.ask(owner.get(), "Export " + tensor.name(), fileName(tensor.name(), -1, -1, "npy"), formats);
            if (target != null) {
                Path file = formats.stream().anyMatch(e -> target.toString().endsWith("." + e)) ? target
                        : withExtension(target, "npy");
                run(file, overwrite -> service.tensor(tensor, file, overwrite));
            }
        }, failure -> vm.status().show(Status.error("Could not read the tensor: " + failure.getMessage())));
    }

    private void run(Path file, Function<Boolean, CompletableFuture<Path>> export) {
        vm.status().show(Status.info("Exporting " + file.getFileName() + "\u2026"));
        try {
            ExportDialogs.exportAsking(file, export, path -> ExportDialogs.confirmOverwrite(owner.get(), path),
                    path -> vm.status().show(Status.info("Exported " + path)),
                    error -> vm.status().show(Status.error("Could not export " + file.getFileName() + ": " + error.getMessage())));
        } catch (RuntimeException e) { // a snapshot of a view that cannot be drawn
            vm.status().show(Status.error("Could not export " + file.getFileName() + ": " + e.getMessage()));
        }
    }

    /** The caption of a picture (a view without a figure): model, prompt, the selected layer and the step or map. */
    private Caption caption(ViewExport how) {
        Caption c = base().withLayer(vm.selection().layerProperty().get());
        String hook = hook(how);
        return hook.isEmpty() ? c : c.withStage(hook);
    }

    /** The model and the prompt, or each prompt of a batch. */
    private Caption base() {
        return Caption.of(model(), prompt());
    }

    /** The prompt as the caption prints it: a batch's prompts one per line, else the text on one line. */
    private String prompt() {
        String text = vm.prompt().textProperty().get();
        text = text == null ? "" : text.strip();
        return vm.prompt().batchModeProperty().get() ? text : text.replace('\n', ' ');
    }

    private String colourScale() {
        return settings.getColorMode().label + ", " + settings.getPooling().label + " pooling";
    }

    /** The hook the view is about: its map's, else the step under the cursor's. */
    private String hook(ViewExport how) {
        Heatmap map = how.currentMap();
        if (map != null) {
            return map.name();
        }
        StepDetails step = vm.stepping().currentStepProperty().get();
        return step == null ? "" : step.name();
    }

    private String defaultName(ViewSpec view, ViewExport how, String extension) {
        String hook = hook(how);
        return fileName(hook.isEmpty() ? view.camelId() : hook, vm.selection().layerProperty().get(),
                how.headInName() ? vm.selection().headProperty().get() : -1, extension);
    }

    /** {@code model_hook_layerL_headH.ext}, with characters that file systems dislike replaced. */
    private String fileName(String hook, int layer, int head, String extension) {
        StringBuilder name = new StringBuilder(model()).append('_').append(hook);
        if (layer >= 0 && !hook.contains("blocks.")) {
            name.append("_layer").append(layer);
        }
        if (head >= 0) {
            name.append("_head").append(head);
        }
        return name.toString().replaceAll("[^A-Za-z0-9._-]", "_") + "." + extension;
    }

    private String model() {
        ModelInfo info = vm.session().modelInfoProperty().get();
        return info == null ? "model" : info.name();
    }

    private static Path withExtension(Path file, String extension) {
        String name = file.getFileName().toString();
        return name.toLowerCase(Locale.ROOT).endsWith("." + extension) ? file : file.resolveSibling(name + "." + extension);
    }

    @Override
    public void close() {
        service.close();
    }
}
