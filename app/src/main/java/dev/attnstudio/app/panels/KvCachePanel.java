package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.engine.program.PassKind;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.StackedBarChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The KV-cache panel: cache bytes per layer (stacked: the bar's height is the total) after every pass, compute
 * time per pass by kind (prefill vs decode), and the cached keys or values of one layer and key/value head as a
 * matrix that grows by a column per generated token. Under grouped-query attention it says which query heads
 * share the key/value head shown.
 *
 * <p>Fed by {@link #dataProperty()}. {@link #layerProperty()} and {@link #kvHeadProperty()} are the user's
 * choice of what the matrix shows: the shell observes them and rebuilds the data with
 * {@link KvCacheData#from} on its engine thread.
 */
public final class KvCachePanel extends VBox {

    private static final double KIB = 1024.0;

    private final ObjectProperty<KvCacheData> data = new SimpleObjectProperty<>(this, "data");
    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    private final IntegerProperty kvHead = new SimpleIntegerProperty(this, "kvHead", 0);
    private final KvMatrixCanvas matrix = new KvMatrixCanvas();
    private final Label title = new Label("KV cache");
    private final Label summary = new Label();
    private final Label sharing = new Label();
    private final Label note = new Label();
    private final Label readout = new Label();
    private final StackedBarChart<String, Number> bytesChart;
    private final StackedBarChart<String, Number> timeChart;
    private final SpinnerValueFactory.IntegerSpinnerValueFactory layers = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
    private final SpinnerValueFactory.IntegerSpinnerValueFactory kvHeads = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
    /** Everything but the title and the note: hidden while there is no cache to show, so the note says why alone. */
    private final List<Node> cacheParts;

    public KvCachePanel() {
        getStyleClass().addAll(PanelStyles.PANEL, PanelStyles.KV_CACHE_PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setSpacing(6);
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        summary.getStyleClass().add(PanelStyles.MUTED);
        summary.setWrapText(true);
        summary.setMinHeight(Region.USE_PREF_SIZE);
        sharing.setWrapText(true);
        note.getStyleClass().add(PanelStyles.PLACEHOLDER);

        Spinner<Integer> layerSpinner = spinner(layers, layer, "Which layer's keys and values the matrix shows");
        Spinner<Integer> kvHeadSpinner = spinner(kvHeads, kvHead, "Which key/value head the matrix shows");
        ToggleButton values = new ToggleButton("Show V");
        values.setTooltip(new Tooltip("Show the cached values instead of the keys"));
        values.selectedProperty().bindBidirectional(matrix.showValues);
        values.selectedProperty().addListener((obs, old, now) -> values.setText(now ? "Show K" : "Show V"));
        Label layerLabel = new Label("Layer");
        layerLabel.setLabelFor(layerSpinner);
        Label headLabel = new Label("KV head");
        headLabel.setLabelFor(kvHeadSpinner);
        HBox controls = new HBox(8, layerLabel, layerSpinner, headLabel, kvHeadSpinner, values);
        controls.setAlignment(Pos.CENTER_LEFT);

        bytesChart = chart("Cache after each pass", "KiB");
        timeChart = chart("Compute time per pass", "ms");
        timeChart.getStyleClass().add("time-chart");
        HBox charts = new HBox(6, bytesChart, timeChart);
        HBox.setHgrow(bytesChart, Priority.ALWAYS);
        HBox.setHgrow(timeChart, Priority.ALWAYS);

        Label ramp = Swatch.entry((p, x, y) -> KvMatrixCanvas.colour(x - 6.5, 6.5), "negative \u2192 positive",
                "Blue negative, white 0, red positive, scaled to the largest |entry| shown");
        Label prefill = Swatch.entry((p, x, y) -> ColorScale.argb(p.special()), "written by the prefill",
                "Positions whose keys and values the prompt's pass computed");
        Label decode = Swatch.entry((p, x, y) -> ColorScale.argb(p.accent()), "written by a later pass",
                "Positions added by decode passes, one per generated token");
        FlowPane legend = new FlowPane(12, 4, ramp, prefill, decode);
        legend.getStyleClass().add(PanelStyles.LEGEND);

        readout.getStyleClass().add(PanelStyles.READOUT);
        readout.textProperty().bind(matrix.readout);
        VBox.setVgrow(matrix, Priority.ALWAYS);
        getChildren().addAll(title, summary, controls, charts, sharing, note, matrix, legend, readout);
        cacheParts = List.of(summary, controls, charts, sharing, matrix, legend, readout);
        data.addListener((obs, old, now) -> update(now));
        matrix.data.bind(data);
        update(null);
    }

    private static Spinner<Integer> spinner(SpinnerValueFactory.IntegerSpinnerValueFactory factory, IntegerProperty target,
                                            String tip) {
        Spinner<Integer> s = new Spinner<>(factory);
        s.setPrefWidth(72);
        s.setTooltip(new Tooltip(tip));
        factory.valueProperty().addListener((obs, old, now) -> target.set(now == null ? 0 : now));
        target.addListener((obs, old, now) -> factory.setValue(now.intValue()));
        return s;
    }

    private static StackedBarChart<String, Number> chart(String title, String unit) {
        CategoryAxis x = new CategoryAxis();
        x.setLabel("pass");
        NumberAxis y = new NumberAxis();
        y.setLabel(unit);
        StackedBarChart<String, Number> c = new StackedBarChart<>(x, y);
        c.setTitle(title);
        c.setAnimated(false);
        c.setPrefSize(300, 260);
        c.setMinHeight(180);
        // the legend (which layer or phase each colour is) beside the bars: under them, the rotated pass labels leave
        // a chart this low no room, and JavaFX then drops the legend
        c.setLegendSide(javafx.geometry.Side.RIGHT);
        c.setCategoryGap(4);
        return c;
    }

    private void update(KvCacheData d) {
        bytesChart.getData().clear();
        timeChart.getData().clear();
        boolean shown = d != null && d.applies();
        for (Node part : cacheParts) {
            part.setVisible(shown);
            part.setManaged(shown);
        }
        if (!shown) {
            title.setText("KV cache");
            summary.setText("");
            sharing.setText("");
            note.setText(d == null ? "The KV cache appears once a decoder's prompt has run." : d.note());
            note.setVisible(true);
            note.setManaged(true);
            return;
        }
        title.setText(String.format(Locale.ROOT, "KV cache \u00b7 layer %d \u00b7 kv head %d", d.layer(), d.kvHead()));
        layers.setMax(d.layers() - 1);
        kvHeads.setMax(d.kvHeads() - 1);
        layers.setValue(d.layer());
        kvHeads.setValue(d.kvHead());
        note.setText(d.note());
        note.setVisible(!d.note().isEmpty());
        note.setManaged(note.isVisible());
        KvCacheData.Pass last = d.passes().isEmpty() ? null : d.passes().get(d.passes().size() - 1);
        String cross = d.crossPositions() == 0 ? "" : String.format(Locale.ROOT,
                " \u00b7 cross-attention K/V over %d encoder positions stored once: %.1f KiB", d.crossPositions(),
                d.crossBytes() / KIB);
        summary.setText(d.cached()
                ? String.format(Locale.ROOT, "%d %spositions cached, %.1f KiB in all layers%s \u00b7 %s, %s",
                d.positions(), d.crossPositions() > 0 ? "decoder " : "", lastTotal(d) / KIB, cross, d.keyHook(), d.valueHook())
                : "No KV cache: every generated token recomputes the whole sequence" + (last == null ? "" : " (pass " + last.label() + ")"));
        String heads = Arrays.stream(d.sharedQueryHeads()).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        sharing.setText(d.kvHeads() < d.heads()
                ? String.format(Locale.ROOT, "Grouped-query attention: %d query heads share %d key/value heads; query heads %s read kv head %d.",
                d.heads(), d.kvHeads(), heads, d.kvHead())
                : "One key/value head per query head: query head " + heads + " reads kv head " + d.kvHead() + ".");

        List<XYChart.Series<String, Number>> bytes = new ArrayList<>();
        for (int l = 0; l < d.layers(); l++) {
            XYChart.Series<String, Number> s = new XYChart.Series<>();
            s.setName(d.crossBytes() > 0 ? "layer " + l + " self" : "layer " + l);
            for (KvCacheData.Pass p : d.passes()) {
                long b = d.selfBytes(p, l);
                XYChart.Data<String, Number> item = new XYChart.Data<>(p.label(), b / KIB);
                Charts.tooltip(item, String.format(Locale.ROOT, "after pass %s: layer %d holds %,d bytes of %s; all layers %,d bytes",
                        p.label(), l, b, d.crossBytes() > 0 ? "self-attention keys and values" : "keys and values", p.totalBytes()));
                s.getData().add(item);
            }
            bytes.add(s);
        }
        if (d.crossBytes() > 0) {
            XYChart.Series<String, Number> s = new XYChart.Series<>();
            s.setName("cross K/V"); // every layer's cross-attention K/V (the summary says so); short, so the legend fits beside the bars
            for (KvCacheData.Pass p : d.passes()) {
                long b = p.cacheBytes().length > 0 ? d.crossBytes() : 0;
                XYChart.Data<String, Number> item = new XYChart.Data<>(p.label(), b / KIB);
                Charts.tooltip(item, String.format(Locale.ROOT, "after pass %s: %,d bytes of cross-attention keys and values "
                        + "over %d encoder positions (all layers), written once after the prompt", p.label(), b, d.crossPositions()));
                s.getData().add(item);
            }
            bytes.add(s);
        }
        bytesChart.getData().setAll(bytes);

        List<XYChart.Series<String, Number>> time = new ArrayList<>();
        for (PassKind kind : PassKind.values()) {
            XYChart.Series<String, Number> s = new XYChart.Series<>();
            s.setName(kind.name().toLowerCase(Locale.ROOT));
            for (KvCacheData.Pass p : d.passes()) {
                double ms = p.kind() == kind ? p.computeMillis() : 0;
                XYChart.Data<String, Number> item = new XYChart.Data<>(p.label(), ms);
                Charts.tooltip(item, String.format(Locale.ROOT, "pass %s: %d new position(s) over %d cached, %.2f ms",
                        p.label(), p.tokens(), p.past(), p.computeMillis()));
                s.getData().add(item);
            }
            time.add(s);
        }
        timeChart.getData().setAll(time);
    }

    private static long lastTotal(KvCacheData d) {
        for (int i = d.passes().size() - 1; i >= 0; i--) {
            if (d.passes().get(i).cacheBytes().length > 0) {
                return d.passes().get(i).totalBytes();
            }
        }
        return 0;
    }

    /** What to draw; null shows a placeholder. */
    public ObjectProperty<KvCacheData> dataProperty() {
        return data;
    }

    /** The layer the user chose for the matrix (rebuild the data for it). */
    public IntegerProperty layerProperty() {
        return layer;
    }

    /** The key/value head the user chose for the matrix (rebuild the data for it). */
    public IntegerProperty kvHeadProperty() {
        return kvHead;
    }

    /** Whether the matrix shows values instead of keys. */
    public BooleanProperty showValuesProperty() {
        return matrix.showValues;
    }

    /** The matrix entry under the mouse, else under the keyboard cursor, described, or empty. */
    public ReadOnlyStringProperty hoverTextProperty() {
        return matrix.readout.getReadOnlyProperty();
    }

    StackedBarChart<String, Number> bytesChart() {
        return bytesChart;
    }

    StackedBarChart<String, Number> timeChart() {
        return timeChart;
    }

    KvMatrixCanvas matrix() {
        return matrix;
    }
}
