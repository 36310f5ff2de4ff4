package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.PatchNote;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;

/**
 * One head enlarged: its softmax pattern (or, before the softmax ran, its latest computed stage) with token
 * labels on both axes. Hovering a cell, or moving the cell cursor with the arrow keys, reads out the query and
 * key tokens, the weight, and the raw and scaled scores of that cell; when the map is pooled the readout is
 * for the block under the mouse, pooled by the same rule. Ctrl+scroll or +/- zoom, scroll pans, 0 fits.
 */
public final class HeadDetailView extends BoxView {

    private final AttentionSettings settings;
    private final ObjectProperty<StageData> data = new SimpleObjectProperty<>(this, "data");
    private final AttentionMapView map;
    private final Label header = new Label();
    private final Label readoutLabel = new Label();
    private final PatchNote patches = new PatchNote("headDetailPatches");
    private final ReadOnlyStringWrapper readout = new ReadOnlyStringWrapper(this, "readout", "");

    public HeadDetailView() {
        this(new AttentionSettings());
    }

    public HeadDetailView(AttentionSettings settings) {
        this.settings = settings;
        getStyleClass().addAll("attention-view", "head-detail-view");
        getStylesheets().add(AttentionStyles.stylesheet());
        map = new AttentionMapView(settings, true);
        map.setId("headDetailMap");
        map.placeholderProperty().set("No attention computed for this head yet: step to its scores or pattern.");
        Tooltip.install(map, new Tooltip("Hover a cell for its query, key, weight and scores. Arrow keys move the cursor; "
                + "Ctrl+scroll or + / - zoom, scroll pans, 0 fits the whole head."));
        header.getStyleClass().add("attention-title");
        header.setId("headDetailHeader");
        header.setWrapText(true); // a cross-attention's title runs long: it wraps rather than losing its end
        header.setMinHeight(Region.USE_PREF_SIZE);
        readoutLabel.getStyleClass().add("attention-readout");
        readoutLabel.setId("headDetailReadout");
        readoutLabel.textProperty().bind(readout);
        readoutLabel.setMinHeight(Region.USE_PREF_SIZE);
        readoutLabel.setTooltip(new Tooltip("The cell under the mouse, or under the keyboard cursor"));
        VBox.setVgrow(map, Priority.ALWAYS);
        setBox(new VBox(4, header, patches, map, readoutLabel));
        data.addListener((obs, old, now) -> show(now));
        map.hoveredProperty().addListener((obs, old, now) -> updateReadout());
        map.cellCursorProperty().addListener((obs, old, now) -> updateReadout());
        settings.poolingProperty().addListener((obs, old, now) -> updateReadout());
        show(null);
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

    /** The map itself (zoom, cursor, hovered cell). */
    public AttentionMapView map() {
        return map;
    }

    /** The readout of the hovered cell, else the cursor's cell (empty when neither is on the map). */
    public ReadOnlyStringProperty readoutProperty() {
        return readout.getReadOnlyProperty();
    }

    private void show(StageData d) {
        AttentionMatrix shown = d == null ? null : latest(d);
        if (d == null) {
            header.setText("No head selected");
        } else {
            String stage = shown == null ? "pending" : shown.title();
            header.setText(d.caption() + "  \u00b7  " + stage + (shown == null ? "" : "  (" + shown.hook() + ")")
                    + (d.source().cross() ? "  \u00b7  " + d.source().describe() : ""));
        }
        patches.show(d == null ? List.of() : d.patches());
        map.setMatrix(shown);
        updateReadout();
    }

    /** The pattern if computed, else the last computed stage before it. */
    private static AttentionMatrix latest(StageData d) {
        for (int s = d.stages().size() - 1; s >= 0; s--) {
            if (d.stages().get(s) != null) {
                return d.stages().get(s);
            }
        }
        return null;
    }

    private void updateReadout() {
        StageData d = data.get();
        MapCell c = map.hoveredProperty().get() != null ? map.hoveredProperty().get() : map.cellCursorProperty().get();
        AttentionMatrix shown = map.getMatrix();
        if (d == null || c == null || shown == null || c.row() >= shown.rows() || c.col() >= shown.cols()) {
            readout.set(shown == null ? "" : "Hover a cell, or click the map and use the arrow keys.");
            return;
        }
        Pooling.Rule rule = settings.getPooling();
        String pooled = c.single() ? "" : "  (" + rule.label + " of block)";
        readout.set(Readouts.where(c, shown.rowLabels(), shown.colLabels()) + pooled + "   "
                + Readouts.part("weight", d.pattern(), c, rule) + "   "
                + Readouts.part("raw", d.raw(), c, rule) + "   "
                + Readouts.part(d.shortTitle(1), d.scaled(), c, rule));
    }
}
