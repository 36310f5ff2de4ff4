package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.engine.sampling.SamplingConfig;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The generation panel: the next-token probabilities after the last pass (a bar per candidate, greyed where
 * top-k / top-p would not let the sampler pick it), the sampling settings, and "Generate one token".
 *
 * <p>The panel runs no engine work. Its settings are {@link #samplingConfigProperty()} (the shell rebuilds
 * {@link GenerationData} for a new config, since the temperature changes the probabilities); the button calls
 * {@link #onGenerateProperty()} with the config, which the shell wires to its engine executor
 * ({@code stepper.generate(new Sampler(config))}, then a fresh snapshot). {@link #busyProperty()} disables the
 * button while the engine works.
 */
public final class GenerationPanel extends VBox {

    private final ObjectProperty<GenerationData> data = new SimpleObjectProperty<>(this, "data");
    private final ReadOnlyObjectWrapper<SamplingConfig> samplingConfig =
            new ReadOnlyObjectWrapper<>(this, "samplingConfig", SamplingConfig.GREEDY);
    private final ObjectProperty<Consumer<SamplingConfig>> onGenerate = new SimpleObjectProperty<>(this, "onGenerate");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy", false);

    private final CheckBox greedy = new CheckBox("Greedy");
    private final Spinner<Double> temperature = new Spinner<>(0.05, 5.0, 1.0, 0.05);
    private final Spinner<Integer> topK = new Spinner<>(0, 1_000_000, 0, 1);
    private final Spinner<Double> topP = new Spinner<>(0.05, 1.0, 1.0, 0.05);
    private final Spinner<Integer> seed = new Spinner<>(0, Integer.MAX_VALUE, 0, 1);
    private final Button generate = new Button("Generate one token");
    private final Label title = new Label("Next token");
    private final Label summary = new Label();
    private final BarChart<Number, String> chart;
    /** Shown in the chart's place while there are no probabilities (a new pass not run yet, or an encoder). */
    private final Label placeholder = new Label();

    public GenerationPanel() {
        getStyleClass().addAll(PanelStyles.PANEL, PanelStyles.GENERATION_PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setSpacing(6);
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        summary.getStyleClass().add(PanelStyles.MUTED);
        summary.setWrapText(true);

        greedy.setSelected(true);
        greedy.setTooltip(new Tooltip("Always take the most probable token (temperature 0)"));
        temperature.setTooltip(new Tooltip("Divide the logits by this before the softmax: < 1 sharpens, > 1 flattens"));
        topK.setTooltip(new Tooltip("Sample only among the k most probable tokens (0 = all)"));
        topP.setTooltip(new Tooltip("Sample only among the most probable tokens whose probability adds up to p (1 = all)"));
        seed.setTooltip(new Tooltip("Seed of the sampler's random generator: the same settings replay the same tokens"));
        for (Spinner<?> s : List.of(temperature, topK, topP, seed)) {
            s.setEditable(true);
            s.setPrefWidth(s == seed ? 110 : 84);
            s.disableProperty().bind(greedy.selectedProperty()); // greedy ignores them all
        }
        greedy.selectedProperty().addListener((obs, old, now) -> updateConfig());
        temperature.valueProperty().addListener((obs, old, now) -> updateConfig());
        topK.valueProperty().addListener((obs, old, now) -> updateConfig());
        topP.valueProperty().addListener((obs, old, now) -> updateConfig());
        seed.valueProperty().addListener((obs, old, now) -> updateConfig());

        generate.setTooltip(new Tooltip("Sample the next token with these settings and append its pass (a decode step "
                + "over the KV cache, or a full recompute)"));
        generate.setDefaultButton(false);
        generate.disableProperty().bind(busy.or(onGenerate.isNull()));
        generate.setOnAction(e -> {
            Consumer<SamplingConfig> handler = onGenerate.get();
            if (handler != null) {
                handler.accept(samplingConfig.get());
            }
        });

        FlowPane controls = new FlowPane(8, 6, greedy, labelled("Temperature", temperature), labelled("Top-k", topK),
                labelled("Top-p", topP), labelled("Seed", seed), generate);
        controls.setAlignment(Pos.CENTER_LEFT);

        NumberAxis x = new NumberAxis();
        x.setLabel("probability");
        CategoryAxis y = new CategoryAxis();
        y.setAutoRanging(false);
        chart = new BarChart<>(x, y);
        chart.setAnimated(false);
        chart.setLegendVisible(false);
        chart.setCategoryGap(3);
        chart.setPrefHeight(320);
        Label sampleable = Swatch.entry((p, px, py) -> ColorScale.argb(p.accent()), "may be sampled",
                "Within the top-k and top-p cuts of the current settings");
        Label cut = Swatch.entry((p, px, py) -> ColorScale.argb(p.muted().interpolate(p.surface(), 0.3)),
                "cut by top-k / top-p", "The sampler will not pick this token with the current settings");
        FlowPane legend = new FlowPane(12, 4, sampleable, cut);
        legend.getStyleClass().add(PanelStyles.LEGEND);
        placeholder.getStyleClass().add(PanelStyles.PLACEHOLDER);
        placeholder.setId("generationPlaceholder");
        placeholder.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        placeholder.setAlignment(Pos.CENTER);
        placeholder.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
        StackPane plot = new StackPane(chart, placeholder);
        VBox.setVgrow(plot, Priority.ALWAYS);
        getChildren().addAll(title, controls, summary, plot, legend);
        data.addListener((obs, old, now) -> update(now));
        updateConfig();
        update(null);
    }

    private static VBox labelled(String text, Spinner<?> spinner) {
        Label l = new Label(text);
        l.setLabelFor(spinner);
        l.getStyleClass().add(PanelStyles.MUTED);
        return new VBox(1, l, spinner);
    }

    private void updateConfig() {
        samplingConfig.set(new SamplingConfig(greedy.isSelected() ? 0 : temperature.getValue(), topK.getValue(),
                topP.getValue(), seed.getValue()));
    }

    private void update(GenerationData d) {
        chart.getData().clear();
        boolean ready = d != null && d.ready();
        // without probabilities the chart would keep the old pass's category axis with no bars: show why instead
        chart.setVisible(ready);
        placeholder.setVisible(!ready);
        if (!ready) {
            ((CategoryAxis) chart.getYAxis()).getCategories().clear();
        }
        if (d == null) {
            title.setText("Next token");
            summary.setText("");
            placeholder.setText("The next-token probabilities appear once a model that generates has run its prompt.");
            return;
        }
        title.setText(String.format(Locale.ROOT, "Next token \u00b7 after %d tokens%s", d.sequence(),
                d.lastChoice().isEmpty() ? "" : " \u00b7 last generated " + d.lastChoice()));
        if (!ready) {
            summary.setText("");
            placeholder.setText(d.note());
            return;
        }
        summary.setText(String.format(Locale.ROOT, "Pass %d. The %d most likely tokens hold %.1f%% of the probability; "
                        + "the sampler may pick %s (%.1f%%).", d.group(), d.candidates().size(), 100 * d.shownMass(),
                d.kept() == 1 ? "1 token" : d.kept() + " tokens", 100 * d.keptMass()));
        XYChart.Series<Number, String> s = new XYChart.Series<>();
        List<String> categories = new ArrayList<>();
        List<XYChart.Data<Number, String>> cut = new ArrayList<>();
        // the category axis runs bottom-up: add the least likely first so the most likely sits on top
        List<GenerationData.Candidate> c = d.candidates();
        for (int i = c.size() - 1; i >= 0; i--) {
            GenerationData.Candidate k = c.get(i);
            XYChart.Data<Number, String> item = new XYChart.Data<>(k.probability(), category(k));
            Charts.tooltip(item, String.format(Locale.ROOT, "#%d '%s' (id %d): p = %.4f%s", i + 1, k.label(), k.token(),
                    k.probability(), k.sampleable() ? "" : ", cut by top-k / top-p"));
            if (!k.sampleable()) {
                cut.add(item);
            }
            categories.add(item.getYValue());
            s.getData().add(item);
        }
        // set the categories explicitly: an auto-ranging axis keeps the order of the previous data's categories
        ((CategoryAxis) chart.getYAxis()).getCategories().setAll(categories);
        chart.getData().setAll(List.of(s));
        cut.forEach(item -> Charts.styleClass(item, PanelStyles.CUT_BAR)); // after the chart styled its new bars
    }

    /** A bar's label: the token and its id (ids keep categories unique). */
    static String category(GenerationData.Candidate c) {
        return c.label() + "  #" + c.token();
    }

    /** What to draw; null shows nothing. */
    public ObjectProperty<GenerationData> dataProperty() {
        return data;
    }

    /** The sampling settings chosen in the panel. */
    public ReadOnlyObjectProperty<SamplingConfig> samplingConfigProperty() {
        return samplingConfig.getReadOnlyProperty();
    }

    /** Called with the settings when the user asks for one more token; the shell runs it on its engine thread. */
    public ObjectProperty<Consumer<SamplingConfig>> onGenerateProperty() {
        return onGenerate;
    }

    /** While true, "Generate one token" is disabled (the engine is working). */
    public BooleanProperty busyProperty() {
        return busy;
    }

    /** Sets the controls to a config (e.g. one restored from a saved session). */
    public void setSamplingConfig(SamplingConfig c) {
        greedy.setSelected(c.greedy());
        if (!c.greedy()) {
            temperature.getValueFactory().setValue(c.temperature());
        }
        topK.getValueFactory().setValue(c.topK());
        topP.getValueFactory().setValue(c.topP());
        seed.getValueFactory().setValue((int) c.seed());
    }

    BarChart<Number, String> chart() {
        return chart;
    }

    Label placeholder() {
        return placeholder;
    }

    Button generateButton() {
        return generate;
    }
}
