package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.app.heatmap.PatchNote;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;

/**
 * The stages of one head side by side (or two by two, whichever gives larger cells: {@link StageMapsPane}):
 * q·k (raw) → scaled → masked → softmax, each its own map with its own legend (the stages have different ranges),
 * masked cells hatched. The second stage's title and tooltip say what the engine did there ({@link ScoreScaling}:
 * ÷√d_head, or nothing for T5 or when an intervention turned it off). Hovering a cell in any stage marks the same
 * cell in all four and reads out its value at every stage; the four zoom and pan together.
 */
public final class StageStripView extends BoxView {

    private final AttentionSettings settings;
    private final ObjectProperty<StageData> data = new SimpleObjectProperty<>(this, "data");
    private final List<AttentionMapView> maps = new ArrayList<>();
    private final List<Tooltip> tooltips = new ArrayList<>();
    private final Label header = new Label();
    private final PatchNote patches = new PatchNote("stageStripPatches");
    private final ReadOnlyStringWrapper readout = new ReadOnlyStringWrapper(this, "readout", "");
    private final StageMapsPane mapsPane;

    public StageStripView() {
        this(new AttentionSettings());
    }

    public StageStripView(AttentionSettings settings) {
        this.settings = settings;
        getStyleClass().addAll("attention-view", "stage-strip-view");
        getStylesheets().add(AttentionStyles.stylesheet());
        header.getStyleClass().add("attention-title");
        header.setId("stageStripHeader");
        header.setWrapText(true);
        header.setMinHeight(Region.USE_PREF_SIZE);
        MapViewport shared = new MapViewport(); // the four stages zoom and pan together
        for (int s = 0; s < StageData.TITLES.size(); s++) {
            AttentionMapView m = new AttentionMapView(settings, false, shared);
            m.setAxisLabels(true);
            m.setId("stageMap" + s);
            m.setFocusTraversable(true);
            m.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> m.requestFocus());
            m.placeholderProperty().set("not computed yet");
            Tooltip tip = new Tooltip();
            Tooltip.install(m, tip);
            tooltips.add(tip);
            m.hoveredProperty().addListener((obs, old, now) -> hover(now));
            maps.add(m);
        }
        mapsPane = new StageMapsPane(maps);
        mapsPane.setId("stageMaps");
        VBox.setVgrow(mapsPane, Priority.ALWAYS);
        Label readoutLabel = new Label();
        readoutLabel.getStyleClass().add("attention-readout");
        readoutLabel.setId("stageStripReadout");
        readoutLabel.textProperty().bind(readout);
        readoutLabel.setMinHeight(Region.USE_PREF_SIZE);
        readoutLabel.setTooltip(new Tooltip("The hovered cell's value at each stage"));
        setBox(new VBox(6, header, patches, mapsPane, readoutLabel));
        data.addListener((obs, old, now) -> show(now));
        settings.poolingProperty().addListener((obs, old, now) -> hover(null));
        show(null);
    }

    private static String tooltip(StageData d, int stage) {
        return switch (stage) {
            case 0 -> "q \u00b7 k for every query (row) and key (column), before scaling: hook_qk_raw";
            case 1 -> d != null && d.scaling() != null ? d.scaling().tooltip()
                    : "The raw scores divided by \u221ad_head (T5: not scaled): hook_attn_scores_unmasked";
            case 2 -> "Stage 2 plus the additive mask; hatched cells are \u2212inf (blocked): hook_attn_scores";
            default -> "Softmax over each row's keys: the attention weights, hook_pattern";
        };
    }

    public ObjectProperty<StageData> dataProperty() {
        return data;
    }

    public StageData getData() {
        return data.get();
    }

    public void setData(StageData d) {
        data.set(d);
    }

    /** Columns of the maps' arrangement: 4 in a row, 2 by 2, or 1 column. */
    public int columns() {
        return mapsPane.columns();
    }

    /** The four stage maps, in order. */
    public List<AttentionMapView> maps() {
        return List.copyOf(maps);
    }

    /** The hovered cell's value at every stage (empty when the mouse is not on a map). */
    public ReadOnlyStringProperty readoutProperty() {
        return readout.getReadOnlyProperty();
    }

    private void show(StageData d) {
        header.setText(d == null ? "No head selected"
                : d.caption() + "  \u00b7  stages of one head: q\u00b7k \u2192 " + d.shortTitle(1)
                + " \u2192 mask \u2192 softmax" + (d.source().cross() ? "  \u00b7  " + d.source().describe() : ""));
        patches.show(d == null ? List.of() : d.patches());
        for (int s = 0; s < maps.size(); s++) {
            maps.get(s).titleProperty().set((s + 1) + ". " + (d == null ? StageData.TITLES.get(s) : d.title(s)));
            tooltips.get(s).setText(tooltip(d, s));
            maps.get(s).setMatrix(d == null ? null : d.stages().get(s));
        }
        mapsPane.requestLayout(); // the arrangement depends on the matrices' shape
        hover(null);
    }

    private void hover(MapCell c) {
        for (AttentionMapView m : maps) {
            m.cellCursorProperty().set(c);
        }
        StageData d = data.get();
        AttentionMatrix any = d == null ? null : d.stages().stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (c == null || any == null) {
            readout.set(any == null ? "" : "Hover a cell in any stage to compare its value across the four.");
            return;
        }
        Pooling.Rule rule = settings.getPooling();
        StringBuilder text = new StringBuilder(Readouts.where(c, any.rowLabels(), any.colLabels()));
        if (!c.single()) {
            text.append("  (").append(rule.label).append(" of block)");
        }
        text.append(":");
        for (int s = 0; s < maps.size(); s++) {
            text.append("   ").append(Readouts.part(d.shortTitle(s), d.stages().get(s), c, rule));
        }
        readout.set(text.toString());
    }
}
