package dev.attnstudio.app.diff;

import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.engine.diagnose.diff.CheckpointDiff;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.concurrent.Worker;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Diff view: the model the window shows against a second checkpoint of its sample or a model folder, head by
 * head: the engine's JS distance per head as a grid, and a clicked head's pattern under both, side by side. The
 * comparison runs off the FX thread ({@link DiffJob}) with a progress bar and Cancel; a second model of another
 * architecture is refused with the engine's message.
 */
public final class DiffPanel extends VBox {

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "attn-diff");
        t.setDaemon(true);
        return t;
    });

    private final ObjectProperty<DiffInput> input = new SimpleObjectProperty<>(this, "input");
    private final ReadOnlyObjectWrapper<DiffResult> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ComboBox<Integer> steps = new ComboBox<>();
    private final Button folder = new Button("Model folder…");
    private final Button compare = new Button("_Compare"); // Alt+C
    private final Button cancel = new Button("Cancel");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label status = new Label();
    private final HeadScoreGrid grid = new HeadScoreGrid();
    private final Label headText = new Label();
    private final AttentionMapView mapA;
    private final AttentionMapView mapB;
    private DiffJob job;
    private File chosenFolder;

    public DiffPanel(AttentionSettings settings) {
        getStyleClass().add(Styles.PANEL);
        setSpacing(8);
        Label title = new Label("Checkpoint diff");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        steps.setId("diffStepBox");
        steps.setPromptText("checkpoint step");
        steps.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Integer s) {
                return s == null ? "" : "step " + s;
            }

            @Override
            public Integer fromString(String s) {
                return null;
            }
        });
        steps.setTooltip(new Tooltip("A training checkpoint of this sample to compare the shown model with"));
        folder.setTooltip(new Tooltip("Compare with a model folder of the same architecture"));
        compare.setTooltip(new Tooltip("Compare every head on this prompt (Alt+C)"));
        cancel.setTooltip(new Tooltip("Stop the comparison"));
        progress.setTooltip(new Tooltip("Comparing …"));
        folder.setId("diffFolderButton");
        compare.setId("diffCompareButton");
        cancel.setId("diffCancelButton");
        progress.setId("diffProgress");
        status.setId("diffStatus");
        status.setWrapText(true);
        status.setMinHeight(Region.USE_PREF_SIZE); // wraps instead of cutting the text short
        headText.setId("diffHeadText");
        headText.setWrapText(true);
        headText.setMinHeight(Region.USE_PREF_SIZE); // wraps instead of cutting the text short
        Label with = new Label("Compare with:");
        with.setMinWidth(Region.USE_PREF_SIZE);
        FlowPane controls = new FlowPane(8, 6, with, steps, folder, compare, cancel, progress);
        cancel.setDisable(true);
        progress.setVisible(false);
        folder.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("A model folder of the same architecture");
            File f = chooser.showDialog(getScene() == null ? null : getScene().getWindow());
            if (f != null) {
                chosenFolder = f;
                steps.getSelectionModel().clearSelection();
                start(new DiffJob.Other(null, f.toPath()));
            }
        });
        compare.setOnAction(e -> compareSelected());
        cancel.setOnAction(e -> {
            if (job != null) {
                job.cancel(true);
            }
        });
        mapA = new AttentionMapView(settings, false);
        mapB = new AttentionMapView(settings, false);
        mapA.setAxisLabels(true);
        mapB.setAxisLabels(true);
        mapA.setId("diffMapA");
        mapB.setId("diffMapB");
        HBox maps = new HBox(12, mapA, mapB);
        HBox.setHgrow(mapA, Priority.ALWAYS);
        HBox.setHgrow(mapB, Priority.ALWAYS);
        maps.setMinHeight(320);
        maps.setPrefHeight(420);
        VBox body = new VBox(8, grid, headText, maps);
        ScrollPane scroll = new ScrollPane(body);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(title, controls, status, scroll);
        input.addListener((obs, old, now) -> inputChanged(old, now));
        grid.selectedProperty().addListener((obs, old, now) -> showHead());
        inputChanged(null, null);
    }

    public ObjectProperty<DiffInput> inputProperty() {
        return input;
    }

    public ReadOnlyObjectProperty<DiffResult> resultProperty() {
        return result.getReadOnlyProperty();
    }

    public HeadScoreGrid grid() {
        return grid;
    }

    /** Compares with the checkpoint step chosen in the box. */
    public void compareSelected() {
        Integer step = steps.getValue();
        if (step != null) {
            start(new DiffJob.Other(step, null));
        } else if (chosenFolder != null) {
            start(new DiffJob.Other(null, chosenFolder.toPath()));
        } else {
            status.setText("Choose a checkpoint step or a model folder first.");
        }
    }

    /** Compares with the model in {@code folder}, as Model folder… does after its dialog. */
    public void compareWithFolder(java.nio.file.Path folder) {
        chosenFolder = folder.toFile();
        steps.getSelectionModel().clearSelection();
        start(new DiffJob.Other(null, folder));
    }

    /** Chooses a checkpoint step in the box (for tests and scripts). */
    public void selectStep(int step) {
        steps.setValue(step);
    }

    private void inputChanged(DiffInput old, DiffInput now) {
        boolean sameModel = old != null && now != null && old.loaded() == now.loaded();
        if (!sameModel) {
            steps.getItems().setAll(now == null ? List.of() : now.steps());
            if (!steps.getItems().isEmpty()) {
                steps.setValue(steps.getItems().get(0));
            }
            result.set(null);
            grid.show(List.of(), new double[0][0], 1, null);
            mapA.setMatrix(null);
            mapB.setMatrix(null);
            headText.setText("");
        }
        steps.setDisable(steps.getItems().isEmpty());
        compare.setDisable(now == null || job != null);
        folder.setDisable(now == null || job != null);
        if (job == null && result.get() == null) {
            status.setText(now == null ? "Run a pass first: the diff compares the models on its prompt."
                    : now.steps().isEmpty() ? now.loaded().name() + " ships no checkpoints: compare with a model folder "
                    + "of the same architecture." : "Pick a training checkpoint of " + now.loaded().name()
                    + " (or a model folder) and press Compare: every head's pattern is compared on this prompt.");
        }
    }

    private void start(DiffJob.Other other) {
        DiffInput in = input.get();
        if (in == null || job != null) {
            return;
        }
        if (other.step() != null && in.sample() == null) {
            status.setText(in.loaded().name() + " is not a bundled sample: it has no checkpoints.");
            return;
        }
        job = new DiffJob(in, other);
        progress.setVisible(true);
        progress.progressProperty().bind(job.progressProperty());
        status.textProperty().bind(job.messageProperty());
        status.pseudoClassStateChanged(Styles.ERROR, false);
        cancel.setDisable(false);
        compare.setDisable(true);
        folder.setDisable(true);
        job.stateProperty().addListener((obs, was, state) -> finished(state));
        WORKER.submit(job);
    }

    private void finished(Worker.State state) {
        if (state != Worker.State.SUCCEEDED && state != Worker.State.FAILED && state != Worker.State.CANCELLED) {
            return;
        }
        DiffJob done = job;
        job = null;
        status.textProperty().unbind();
        progress.progressProperty().unbind();
        progress.setVisible(false);
        cancel.setDisable(true);
        compare.setDisable(input.get() == null);
        folder.setDisable(input.get() == null);
        if (state == Worker.State.CANCELLED) {
            status.setText("Cancelled.");
        } else if (state == Worker.State.FAILED) {
            Throwable e = done.getException();
            status.setText("Cannot compare: " + (e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage()));
            status.pseudoClassStateChanged(Styles.ERROR, true);
        } else {
            show(done.getValue());
        }
    }

    private void show(DiffResult r) {
        result.set(r);
        List<CheckpointDiff.HeadDiff> heads = r.diff().heads();
        int nh = r.patternsA().length == 0 ? 0 : r.patternsA()[0].length;
        double[][] js = new double[r.rows().size()][nh];
        String[][] tips = new String[r.rows().size()][nh];
        double max = 0;
        int bestRow = 0;
        int bestHead = 0;
        for (int row = 0; row < js.length; row++) {
            for (int h = 0; h < nh; h++) {
                CheckpointDiff.HeadDiff d = r.head(row, h);
                js[row][h] = d.js();
                tips[row][h] = tip(d);
                if (d.js() > max) {
                    max = d.js();
                    bestRow = row;
                    bestHead = h;
                }
            }
        }
        status.setText(String.format(Locale.ROOT, "%s against %s: JS distance of every head's rows (nats; dark = "
                + "changed most, max %.3f); mean KL of the outputs %.4f nats per token. Click a head for both maps.",
                r.nameA(), r.nameB(), max, r.diff().meanKl()));
        grid.show(r.rows(), js, Math.max(max, 1e-9), tips);
        grid.selectedProperty().set(null);
        grid.selectedProperty().set(new HeadScoreGrid.Cell(bestRow, bestHead));
        assert heads.size() == js.length * nh;
    }

    private static String tip(CheckpointDiff.HeadDiff d) {
        return String.format(Locale.ROOT, "JS %.4f nats%nentropy %.3f → %.3f%ninduction %.3f → %.3f%nprevious-token Δ %+.3f",
                d.js(), d.entropyA(), d.entropyB(), d.inductionA(), d.inductionB(), d.previousTokenDelta());
    }

    private void showHead() {
        DiffResult r = result.get();
        HeadScoreGrid.Cell cell = grid.selectedProperty().get();
        if (r == null || cell == null) {
            return;
        }
        int[] shape = r.shapes()[cell.row()];
        List<String> rows = labels(shape[0]);
        List<String> cols = labels(shape[1]);
        String where = r.rows().get(cell.row()) + " H" + cell.head();
        String hook = r.sites().get(cell.row()).equals("self") ? "blocks." + r.layers().get(cell.row()) + ".attn.hook_pattern"
                : r.rows().get(cell.row());
        mapA.setMatrix(AttentionMatrix.of(hook, "", AttentionMatrix.Kind.WEIGHTS, shape[0], shape[1],
                r.patternsA()[cell.row()][cell.head()], rows, cols));
        mapB.setMatrix(AttentionMatrix.of(hook, "", AttentionMatrix.Kind.WEIGHTS, shape[0], shape[1],
                r.patternsB()[cell.row()][cell.head()], rows, cols));
        mapA.titleProperty().set(where + " · " + r.nameA());
        mapB.titleProperty().set(where + " · " + r.nameB());
        CheckpointDiff.HeadDiff d = r.head(cell.row(), cell.head());
        headText.setText(String.format(Locale.ROOT, "%s: JS %.4f nats; entropy %.3f → %.3f; induction score %.3f → %.3f",
                where, d.js(), d.entropyA(), d.entropyB(), d.inductionA(), d.inductionB()));
    }

    private List<String> labels(int n) {
        DiffInput in = input.get();
        if (in != null && in.labels().size() == n) {
            return in.labels();
        }
        List<String> numbers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            numbers.add(String.valueOf(i));
        }
        return numbers;
    }
}
