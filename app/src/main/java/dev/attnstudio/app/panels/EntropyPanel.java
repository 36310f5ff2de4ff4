package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.heatmap.ColorScale;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The head entropy panel: a layer x head heatmap of mean normalized entropy for the pass under the cursor, the
 * hovered (or clicked) head's entropy per query, and the evolution of the selected layer's heads across
 * generated tokens. Fed by {@link #dataProperty()}.
 */
public final class EntropyPanel extends VBox {

    private final EntropyCanvas map = new EntropyCanvas();
    private final QueryEntropyStrip strip = new QueryEntropyStrip();
    private final Label title = new Label("Head entropy");
    private final Label readout = new Label();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");
    private final LineChart<Number, Number> evolution;
    /** Instead of the chart across passes while there is one pass only: when there will be more. */
    private final Label evolutionNote = new Label("Each head across passes shows here once Ctrl+G generates a token "
            + "(decoders; an encoder has one pass).");

    public EntropyPanel() {
        getStyleClass().addAll(PanelStyles.PANEL, PanelStyles.ENTROPY_PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setSpacing(6);
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        Label about = new Label("Mean normalized entropy per head: 0 = all weight on one key, 1 = spread evenly over "
                + "the keys the mask allows (padding queries left out). Click a cell, or use the arrow keys, to follow its layer below.");
        about.getStyleClass().add(PanelStyles.MUTED);
        about.setWrapText(true);
        about.setMinHeight(Region.USE_PREF_SIZE);
        readout.getStyleClass().add(PanelStyles.READOUT);
        readout.setWrapText(true);
        readout.textProperty().bind(hoverText);
        Tooltip.install(strip, new Tooltip("Normalized entropy of every query of the head shown above"));

        VBox right = new VBox(4, readout, strip);
        VBox.setVgrow(strip, Priority.ALWAYS);
        HBox top = new HBox(10, map, right);
        HBox.setHgrow(right, Priority.ALWAYS);
        Label ramp = Swatch.entry((p, x, y) -> ColorScale.sequential(x / 13.0), "entropy 0 \u2192 1",
                "Light: the head focuses on few keys; dark: it spreads its weight out");
        Label pending = Swatch.entry((p, x, y) -> ColorScale.argb(p.border()), "not computed yet",
                "This layer's pattern has not been computed in this pass");
        Label padding = Swatch.entry((p, x, y) -> ColorScale.argb(p.special()), "padding query",
                "A padding position: shown per query, left out of the means");
        FlowPane legend = new FlowPane(12, 4, ramp, pending, padding);
        legend.getStyleClass().add(PanelStyles.LEGEND);

        NumberAxis x = new NumberAxis();
        x.setLabel("pass (0 = prompt, then one per generated token)");
        x.setAutoRanging(false);
        x.setMinorTickVisible(false);
        NumberAxis y = new NumberAxis(0, 1, 0.25);
        y.setAutoRanging(false);
        y.setLabel("entropy"); // the title says "mean": a short label fits the shortest chart
        evolution = new LineChart<>(x, y);
        evolution.setAnimated(false);
        evolution.setPrefHeight(220);
        evolution.setMinHeight(160);
        // beside the lines: under them a chart this low has no room for it, and JavaFX then drops the legend
        evolution.setLegendSide(javafx.geometry.Side.RIGHT);
        VBox.setVgrow(top, Priority.ALWAYS);
        evolutionNote.getStyleClass().add(PanelStyles.PLACEHOLDER);
        evolutionNote.managedProperty().bind(evolutionNote.visibleProperty());
        evolutionNote.visibleProperty().bind(evolution.visibleProperty().not());
        getChildren().addAll(title, about, top, legend, evolution, evolutionNote);

        map.data.addListener((obs, old, now) -> update());
        map.hovered.addListener((obs, old, now) -> follow());
        map.selectedLayer.addListener((obs, old, now) -> update());
        map.selectedHead.addListener((obs, old, now) -> follow());
        strip.data.bind(map.data);
        update();
    }

    private void update() {
        EntropyData d = map.data.get();
        title.setText(d == null ? "Head entropy" : "Head entropy \u00b7 pass " + d.group() + " \u00b7 row " + d.batchRow());
        follow();
        evolution.getData().clear();
        if (d == null || map.selectedLayer.get() >= d.layers()) {
            evolution.setVisible(false);
            evolution.setManaged(false);
            return;
        }
        int layer = map.selectedLayer.get();
        evolution.setTitle("Layer " + layer + ": each head's mean entropy across passes");
        boolean generated = d.evolution().size() > 1;
        evolution.setVisible(generated);
        evolution.setManaged(generated);
        NumberAxis x = (NumberAxis) evolution.getXAxis();
        x.setLowerBound(d.evolution().get(0).group());
        x.setUpperBound(d.evolution().get(d.evolution().size() - 1).group());
        x.setTickUnit(Math.max(1, Math.ceil(d.evolution().size() / 10.0)));
        List<XYChart.Series<Number, Number>> series = new ArrayList<>();
        for (int h = 0; h < d.heads(); h++) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName("L" + layer + " H" + h);
            for (EntropyData.Step step : d.evolution()) {
                float v = step.mean()[layer * d.heads() + h];
                if (!Float.isNaN(v)) {
                    XYChart.Data<Number, Number> item = new XYChart.Data<>(step.group(), v);
                    Charts.tooltip(item, String.format(Locale.ROOT, "pass %d (%s): L%d H%d mean entropy %.3f",
                            step.group(), step.label(), layer, h, v));
                    s.getData().add(item);
                }
            }
            series.add(s);
        }
        evolution.getData().setAll(series);
    }

    /** Points the per-query strip and the readout at the hovered cell, else the selected one. */
    private void follow() {
        EntropyData d = map.data.get();
        if (d == null) {
            hoverText.set("");
            return;
        }
        GridCanvas.Cell over = map.hovered.get();
        int layer = over != null ? over.row() : map.selectedLayer.get();
        int head = over != null ? over.col() : map.selectedHead.get();
        if (layer >= d.layers() || head >= d.heads()) {
            hoverText.set("");
            return;
        }
        strip.layer.set(layer);
        strip.head.set(head);
        hoverText.set(map.describe(layer, head));
    }

    /** What to draw; null shows nothing. */
    public ObjectProperty<EntropyData> dataProperty() {
        return map.data;
    }

    /** The layer whose heads the evolution chart follows (set by clicking a cell). */
    public IntegerProperty selectedLayerProperty() {
        return map.selectedLayer;
    }

    /** The head the per-query strip shows when the mouse is not over the map. */
    public IntegerProperty selectedHeadProperty() {
        return map.selectedHead;
    }

    /** The hovered (else selected) head's mean, described. */
    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    EntropyCanvas map() {
        return map;
    }

    QueryEntropyStrip strip() {
        return strip;
    }

    LineChart<Number, Number> evolution() {
        return evolution;
    }
}
