package dev.attnstudio.app.timeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.diff.DiffInput;
import dev.attnstudio.app.diff.HeadScoreGrid;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.samples.SampleModels;
import dev.attnstudio.samples.train.Timeline;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.concurrent.Worker;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Timeline view, for samples that ship training checkpoints: a scrubber over the checkpoints; at each step the
 * engine replays the report card ({@link TimelineJob}): every head's induction score as a grid, the selected head's
 * numbers and pattern on the window's prompt, and the training loss under it with the step marked. Each step is
 * computed once off the FX thread; dragging on cancels a step still computing.
 */
public final class TimelinePanel extends VBox {

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "attn-timeline");
        t.setDaemon(true);
        return t;
    });

    private final ObjectProperty<DiffInput> input = new SimpleObjectProperty<>(this, "input");
    private final ReadOnlyObjectWrapper<TimelinePoint> point = new ReadOnlyObjectWrapper<>(this, "point");
    private final Map<Integer, TimelinePoint> cache = new HashMap<>();
    private final Slider slider = new Slider(0, 1, 0);
    private final Label stepLabel = new Label();
    private final Label status = new Label();
    private final ProgressIndicator busy = new ProgressIndicator();
    private final HeadScoreGrid grid = new HeadScoreGrid();
    private final Label headText = new Label();
    private final AttentionMapView map;
    private final LossCurve loss = new LossCurve();
    private List<Integer> steps = List.of();
    private TimelineJob job;
    private int wanted = -1;

    public TimelinePanel(AttentionSettings settings) {
        getStyleClass().add(Styles.PANEL);
        setSpacing(8);
        Label title = new Label("Training timeline");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        slider.setId("timelineSlider");
        slider.setMajorTickUnit(1);
        slider.setMinorTickCount(0);
        slider.setSnapToTicks(true);
        slider.setBlockIncrement(1);
        stepLabel.setId("timelineStep");
        stepLabel.setMinWidth(Region.USE_PREF_SIZE);
        status.setId("timelineStatus");
        status.setWrapText(true);
        status.setMinHeight(Region.USE_PREF_SIZE); // wraps instead of cutting the text short
        headText.setId("timelineHeadText");
        headText.setWrapText(true);
        headText.setMinHeight(Region.USE_PREF_SIZE); // wraps instead of cutting the text short
        busy.setMaxSize(22, 22);
        busy.setTooltip(new Tooltip("Replaying this checkpoint …"));
        slider.setTooltip(new Tooltip("Drag to a training step: its checkpoint's report card is computed on this prompt"));
        busy.setVisible(false);
        HBox scrub = new HBox(10, stepLabel, slider, busy);
        HBox.setHgrow(slider, Priority.ALWAYS);
        loss.setId("timelineLoss");
        map = new AttentionMapView(settings, false);
        map.setId("timelineMap");
        map.setAxisLabels(true);
        map.setMinHeight(300);
        map.setPrefHeight(380);
        VBox body = new VBox(8, grid, headText, map);
        ScrollPane scroll = new ScrollPane(body);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(title, status, scrub, loss, scroll);
        slider.valueProperty().addListener((obs, old, now) -> scrubbed());
        grid.selectedProperty().addListener((obs, old, now) -> showHead());
        input.addListener((obs, old, now) -> {
            if (old == null || now == null || old.loaded() != now.loaded()
                    || !java.util.Arrays.deepEquals(old.batch().ids(), now.batch().ids())) {
                reset(now);
            }
        });
        reset(null);
    }

    public ObjectProperty<DiffInput> inputProperty() {
        return input;
    }

    /** The checkpoint shown: its step, card and patterns (null while none is). */
    public ReadOnlyObjectProperty<TimelinePoint> pointProperty() {
        return point.getReadOnlyProperty();
    }

    public HeadScoreGrid grid() {
        return grid;
    }

    /** The checkpoint steps the scrubber runs over. */
    public List<Integer> steps() {
        return steps;
    }

    /** Moves the scrubber to the checkpoint of {@code step}. */
    public void scrubTo(int step) {
        int i = steps.indexOf(step);
        if (i < 0) {
            throw new IllegalArgumentException("no checkpoint at step " + step + " (steps: " + steps + ")");
        }
        slider.setValue(i);
        scrubbed();
    }

    private void reset(DiffInput in) {
        cache.clear();
        point.set(null);
        wanted = -1;
        steps = in == null ? List.of() : in.steps();
        slider.setDisable(steps.isEmpty());
        slider.setMax(Math.max(1, steps.size() - 1));
        grid.show(List.of(), new double[0][0], 1, null);
        map.setMatrix(null);
        headText.setText("");
        loss.setLoss(null);
        loss.setMarker(-1);
        if (in == null) {
            status.setText("Run a pass first: the timeline replays the checkpoints on its prompt.");
        } else if (steps.isEmpty()) {
            status.setText(in.loaded().name() + " ships no training checkpoints; induction-2l and induction-2l-collapsed do.");
        } else {
            status.setText("Drag to a step: the report card of that checkpoint is computed on this prompt (induction "
                    + "score per head below; click a head for its numbers and pattern).");
            readLoss(in.sample());
            slider.setValue(steps.size() - 1);
            scrubbed();
        }
        stepLabel.setText(steps.isEmpty() ? "no checkpoints" : "step " + steps.get((int) Math.round(slider.getValue())));
    }

    private void readLoss(String sample) {
        WORKER.submit(() -> {
            float[] stepLoss = null;
            if (SampleModels.find(sample).orElseThrow().source() instanceof SampleModels.BundledFolder f
                    && f.files().contains("timeline.json")) {
                try (InputStream in = SampleModels.resource(f, "timeline.json")) {
                    stepLoss = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .readValue(in, Timeline.class).stepLoss();
                } catch (Exception e) {
                    stepLoss = null;
                }
            }
            float[] read = stepLoss;
            Platform.runLater(() -> loss.setLoss(read));
        });
    }

    private void scrubbed() {
        if (steps.isEmpty() || input.get() == null) {
            return;
        }
        int step = steps.get((int) Math.max(0, Math.min(steps.size() - 1, Math.round(slider.getValue()))));
        stepLabel.setText("step " + step);
        loss.setMarker(step);
        if (step == wanted) {
            return;
        }
        wanted = step;
        TimelinePoint cached = cache.get(step);
        if (cached != null) {
            show(cached);
            return;
        }
        if (job != null) {
            job.cancel(true);
        }
        TimelineJob next = new TimelineJob(input.get(), step);
        job = next;
        busy.setVisible(true);
        next.stateProperty().addListener((obs, was, state) -> finished(next, state));
        WORKER.submit(next);
    }

    private void finished(TimelineJob done, Worker.State state) {
        if (state == Worker.State.SUCCEEDED && done.getValue() != null) {
            cache.put(done.getValue().step(), done.getValue());
        }
        if (done != job) {
            return;
        }
        if (state == Worker.State.SUCCEEDED || state == Worker.State.FAILED || state == Worker.State.CANCELLED) {
            job = null;
            busy.setVisible(false);
        }
        if (state == Worker.State.SUCCEEDED && done.getValue() != null && done.getValue().step() == wanted) {
            show(done.getValue());
        } else if (state == Worker.State.FAILED) {
            Throwable e = done.getException();
            status.setText("Cannot replay step " + wanted + ": " + (e == null ? "" : e.getMessage()));
        }
    }

    private void show(TimelinePoint p) {
        point.set(p);
        List<HeadCard> cards = p.card().heads();
        int layers = p.patterns().length;
        int heads = layers == 0 ? 0 : p.patterns()[0].length;
        double[][] induction = new double[layers][heads];
        String[][] tips = new String[layers][heads];
        List<String> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            rows.add("L" + l);
            for (int h = 0; h < heads; h++) {
                HeadCard c = p.card().head(l, h);
                induction[l][h] = c.induction();
                tips[l][h] = describe(c);
            }
        }
        HeadScoreGrid.Cell selected = grid.selectedProperty().get();
        grid.show(rows, induction, 1, tips);
        status.setText(String.format(Locale.ROOT, "Step %d: induction score per head (Olsson et al. 2022; 1 = always "
                + "attends to the token after the previous occurrence). Base loss on this prompt %.3f nats; %d heads.",
                p.step(), p.card().baseLoss(), cards.size()));
        grid.selectedProperty().set(null);
        grid.selectedProperty().set(selected != null && selected.row() < layers && selected.head() < heads ? selected
                : strongest(induction));
    }

    private static HeadScoreGrid.Cell strongest(double[][] v) {
        HeadScoreGrid.Cell best = new HeadScoreGrid.Cell(0, 0);
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < v.length; r++) {
            for (int h = 0; h < v[r].length; h++) {
                if (v[r][h] > max) {
                    max = v[r][h];
                    best = new HeadScoreGrid.Cell(r, h);
                }
            }
        }
        return best;
    }

    private static String describe(HeadCard c) {
        return String.format(Locale.ROOT, "%s: induction %.3f, previous-token %.3f, duplicate %.3f, entropy %.3f, "
                        + "ablation Δloss %+.3f%s", c.name(), c.induction(), c.previousToken(), c.duplicateToken(),
                c.entropyMean(), c.ablationDelta(), c.flags().isEmpty() ? "" : "; flags: " + String.join(", ",
                        c.flags().stream().map(f -> f.kind().name().toLowerCase(Locale.ROOT)).toList()));
    }

    private void showHead() {
        TimelinePoint p = point.get();
        HeadScoreGrid.Cell cell = grid.selectedProperty().get();
        if (p == null || cell == null) {
            return;
        }
        headText.setText("Step " + p.step() + " · " + describe(p.card().head(cell.row(), cell.head())));
        DiffInput in = input.get();
        List<String> labels = in != null && in.labels().size() == p.queries() ? in.labels() : numbers(p.queries());
        List<String> keys = in != null && in.labels().size() == p.keys() ? in.labels() : numbers(p.keys());
        map.setMatrix(AttentionMatrix.of("blocks." + cell.row() + ".attn.hook_pattern", "", AttentionMatrix.Kind.WEIGHTS,
                p.queries(), p.keys(), p.patterns()[cell.row()][cell.head()], labels, keys));
        map.titleProperty().set("L" + cell.row() + " H" + cell.head() + " at step " + p.step());
    }

    private static List<String> numbers(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(String.valueOf(i));
        }
        return out;
    }
}
