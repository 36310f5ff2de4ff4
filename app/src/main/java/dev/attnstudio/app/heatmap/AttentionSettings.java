package dev.attnstudio.app.heatmap;

import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.Observable;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.geometry.Pos;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;

/**
 * The display choices the attention views share: colour scale and the pooling rule used when a map has more
 * cells than pixels. Give one instance to several views so a choice applies to all of them.
 */
public final class AttentionSettings {

    private final ObjectProperty<ColorMode> colorMode = new SimpleObjectProperty<>(this, "colorMode", ColorMode.LINEAR);
    private final ObjectProperty<Pooling.Rule> pooling = new SimpleObjectProperty<>(this, "pooling", Pooling.Rule.MAX);

    public ObjectProperty<ColorMode> colorModeProperty() {
        return colorMode;
    }

    public ColorMode getColorMode() {
        return colorMode.get();
    }

    public void setColorMode(ColorMode mode) {
        colorMode.set(mode);
    }

    public ObjectProperty<Pooling.Rule> poolingProperty() {
        return pooling;
    }

    public Pooling.Rule getPooling() {
        return pooling.get();
    }

    public void setPooling(Pooling.Rule rule) {
        pooling.set(rule);
    }

    /** What a view listens to so it redraws when a choice changes. */
    public Observable[] dependencies() {
        return new Observable[] {colorMode, pooling};
    }

    /** A toolbar with the two choices (ids {@code colorModeChoice}, {@code poolingChoice}), bound to these settings. */
    public HBox controls() {
        ChoiceBox<ColorMode> mode = new ChoiceBox<>(FXCollections.observableArrayList(ColorMode.values()));
        mode.setId("colorModeChoice");
        mode.valueProperty().bindBidirectional(colorMode);
        mode.setTooltip(new Tooltip("Colour scale of every attention map: linear, log (small weights visible) "
                + "or per-row (each query row normalised on its own)"));
        ChoiceBox<Pooling.Rule> rule = new ChoiceBox<>(FXCollections.observableArrayList(Pooling.Rule.values()));
        rule.setId("poolingChoice");
        rule.valueProperty().bindBidirectional(pooling);
        rule.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Pooling.Rule r) {
                return r == null ? "" : r.label + " pooling";
            }

            @Override
            public Pooling.Rule fromString(String s) {
                return Pooling.Rule.valueOf(s.replace(" pooling", "").toUpperCase(java.util.Locale.ROOT));
            }
        });
        rule.setTooltip(new Tooltip("When a map has more cells than pixels, each block of cells is drawn as one: "
                + "its largest value (max) or its mean; the map's legend states the block size"));
        Label modeLabel = new Label("Colour");
        modeLabel.setLabelFor(mode);
        Label ruleLabel = new Label("Downsample");
        ruleLabel.setLabelFor(rule);
        modeLabel.getStyleClass().add("field-label");
        ruleLabel.getStyleClass().add("field-label");
        HBox box = new HBox(6, modeLabel, mode, ruleLabel, rule);
        box.setAlignment(Pos.CENTER_LEFT);
        box.getStyleClass().add("attention-settings");
        return box;
    }
}
