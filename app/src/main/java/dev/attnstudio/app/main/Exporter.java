package dev.attnstudio.app.main;

import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.AttentionSettings;
import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.ExportDialogs;
import dev.attnstudio.app.export.ExportService;
import dev.attnstudio.app.export.TensorFormat;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.engine.step.TensorData;
import javafx.scene.Node;
import javafx.stage.Window;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * File > Export: the shown view as PNG (at a scale factor) or SVG, and the current step's tensor as .npy, .csv or
 * .json. Asks where with a {@link FileAsker} (default name {@code model_hook_layer_head.ext}), never replaces a file
 * without asking, and reports in the status bar. Snapshots are taken on the FX thread; encoding and writing run on
 * the {@link ExportService}'s thread, the tensor is copied on the engine thread.
 */
final class Exporter implements AutoCloseable {

    /** The PNG scale factors offered. */
    static final List<Integer> SCALES = List.of(1, 2, 3, 4);

    private final MainViewModel vm;
    private final TabViews views;
    private final Supplier<ViewTab> shown;
    private final Supplier<Window> owner;
    private final ExportService service = new ExportService();
    private FileAsker files = FileAsker.chooser();

    Exporter(MainViewModel vm, TabViews views, Supplier<ViewTab> shown, Supplier<Window> owner) {
        this.vm = vm;
        this.views = views;
        this.shown = shown;
        this.owner = owner;
    }

    void setFileAsker(FileAsker asker) {
        files = asker;
    }

    /** The shown view as a PNG at {@code scale} pixels per point, with its caption. */
    void png(int scale) {
        ViewTab tab = shown.get();
        Node node = views.view(tab);
        Path target = files.ask(owner.get(), "Export " + tab.title + " as PNG", defaultName(tab, "png"), List.of("png"));
        if (target != null) {
            Path file = withExtension(target, "png");
            run(file, overwrite -> service.png(node, scale, caption(tab), file, overwrite));
        }
    }

    /** The shown view as SVG: the Head tab's map as vector cells, any other view as a picture with a vector caption. */
    void svg() {
        ViewTab tab = shown.get();
        Path target = files.ask(owner.get(), "Export " + tab.title + " as SVG", defaultName(tab, "svg"), List.of("svg"));
        if (target == null) {
            return;
        }
        Path file = withExtension(target, "svg");
        AttentionMatrix map = tab == ViewTab.HEAD ? views.head.map().getMatrix() : null;
        if (map != null) {
            Heatmap heatmap = heatmap(map, views.head.getData().head(), views.head.getData().heads());
            Caption caption = Caption.forHeatmap(model(), vm.promptProperty().get(), heatmap)
                    .withColourScale(colourScale(views.settings()));
            run(file, overwrite -> service.heatmapSvg(heatmap, caption, file, overwrite));
        } else {
            run(file, overwrite -> service.svg(views.view(tab), 2, caption(tab), file, overwrite));
        }
    }

    /** The tensor of the step under the cursor, with its hook name, in the format the chosen extension names. */
    void tensor() {
        vm.readCurrentTensor(tensor -> {
            if (tensor == null) {
                vm.showStatus(Status.error("No step under the cursor: step into the pass first (F10)."));
                return;
            }
            List<String> formats = Arrays.stream(TensorFormat.values()).map(f -> f.extension).toList();
            Path target = files.ask(owner.get(), "Export " + tensor.name(), fileName(tensor.name(), -1, -1, "npy"), formats);
            if (target != null) {
                Path file = formats.stream().anyMatch(e -> target.toString().endsWith("." + e)) ? target
                        : withExtension(target, "npy");
                run(file, overwrite -> service.tensor(tensor, file, overwrite));
            }
        }, failure -> vm.showStatus(Status.error("Could not read the tensor: " + failure.getMessage())));
    }

    private void run(Path file, Function<Boolean, CompletableFuture<Path>> export) {
        vm.showStatus(Status.info("Exporting " + file.getFileName() + "\u2026"));
        try {
            ExportDialogs.exportAsking(file, export, path -> ExportDialogs.confirmOverwrite(owner.get(), path),
                    path -> vm.showStatus(Status.info("Exported " + path)),
                    error -> vm.showStatus(Status.error("Could not export " + file.getFileName() + ": " + error.getMessage())));
        } catch (RuntimeException e) { // a snapshot of a view that cannot be drawn
            vm.showStatus(Status.error("Could not export " + file.getFileName() + ": " + e.getMessage()));
        }
    }

    private Caption caption(ViewTab tab) {
        Caption c = Caption.of(model(), vm.promptProperty().get()).withLayer(vm.layerProperty().get());
        if (tab != ViewTab.MASK && tab != ViewTab.KV_CACHE && tab != ViewTab.PIPELINE && tab != ViewTab.INSPECTOR
                && tab != ViewTab.GENERATION && tab != ViewTab.ENTROPY) {
            c = c.withHead(vm.headProperty().get()).withColourScale(colourScale(views.settings()));
        }
        String hook = hook(tab);
        return hook.isEmpty() ? c : c.withStage(hook);
    }

    private static String colourScale(AttentionSettings s) {
        return s.getColorMode().label + ", " + s.getPooling().label + " pooling";
    }

    /** The hook the shown view is about: the Head tab's map, else the step under the cursor. */
    private String hook(ViewTab tab) {
        AttentionMatrix map = tab == ViewTab.HEAD ? views.head.map().getMatrix() : null;
        if (map != null) {
            return map.hook();
        }
        StepDetails step = vm.currentStepProperty().get();
        return step == null ? "" : step.name();
    }

    private String defaultName(ViewTab tab, String extension) {
        boolean perHead = tab == ViewTab.HEAD || tab == ViewTab.STAGES || tab == ViewTab.HEAD_VIEW;
        String hook = hook(tab);
        return fileName(hook.isEmpty() ? tab.id().replace("Tab", "") : hook, vm.layerProperty().get(),
                perHead ? vm.headProperty().get() : -1, extension);
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
        ModelInfo info = vm.modelInfoProperty().get();
        return info == null ? "model" : info.name();
    }

    private static Path withExtension(Path file, String extension) {
        String name = file.getFileName().toString();
        return name.toLowerCase(Locale.ROOT).endsWith("." + extension) ? file : file.resolveSibling(name + "." + extension);
    }

    private static Heatmap heatmap(AttentionMatrix m, int head, int heads) {
        return Heatmap.of(m.hook(), head, heads, m.rows(), m.cols(), m.values(), m.rowLabels(), m.colLabels());
    }

    @Override
    public void close() {
        service.close();
    }
}
