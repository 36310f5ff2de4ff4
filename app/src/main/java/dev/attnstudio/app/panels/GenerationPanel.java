package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.tokens.Continuation;
import dev.attnstudio.app.tokens.TokenStyles;
import dev.attnstudio.engine.sampling.SamplingConfig;
import javafx.beans.binding.Bindings;
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
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The generation panel: the prompt and what the model generated after it, as text; the next-token probabilities after
 * the last pass (a bar per candidate, greyed where top-k / top-p would not let the sampler pick it); the sampling
 * settings, "Generate one token" and "Generate N tokens".
 *
 * <p>The panel runs no engine work. Its settings are {@link #samplingConfigProperty()} (the shell rebuilds
 * {@link GenerationData} for a new config, since the temperature changes the probabilities) and {@link #countProperty()};
 * the buttons call {@link #onGenerateProperty()} with the config, or {@link #onGenerateTokensProperty()} with the config
 * and the count, which the shell wires to its engine executor. {@link #busyProperty()} disables them while the engine
 * works.
 */
public final class GenerationPanel extends VBox {

    /** Lines of text shown before the prompt and continuation scroll, and a line's height in font sizes. */
    private static final int TEXT_LINES = 4;
    private static final double LINE_EM = 1.35;

    private final ObjectProperty<GenerationData> data = new SimpleObjectProperty<>(this, "data");
    private final ReadOnlyObjectWrapper<SamplingConfig> samplingConfig =
            new ReadOnlyObjectWrapper<>(this, "samplingConfig", SamplingConfig.GREEDY);
    private final ObjectProperty<Consumer<SamplingConfig>> onGenerate = new SimpleObjectProperty<>(this, "onGenerate");
    private final ObjectProperty<BiConsumer<SamplingConfig, Integer>> onGenerateTokens =
            new SimpleObjectProperty<>(this, "onGenerateTokens");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy", false);

    private final CheckBox greedy = new CheckBox("Greedy");
    private final Spinner<Double> temperature = new Spinner<>(0.05, 5.0, 1.0, 0.05);
    private final Spinner<Integer> topK = new Spinner<>(0, 1_000_000, 0, 1);
    private final Spinner<Double> topP = new Spinner<>(0.05, 1.0, 1.0, 0.05);
    private final Spinner<Integer> seed = new Spinner<>(0, Integer.MAX_VALUE, 0, 1);
    private final Button generate = new Button("Generate one token");
    private final Spinner<Integer> count = new Spinner<>(1, 1_000_000, 20, 1);
    private final Button generateTokens = new Button();
    private final Label textTitle = new Label();
    private final Text promptText = new Text();
    private final Text continuationText = new Text();
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
        count.setId("generateCount");
        count.setEditable(true);
        count.setPrefWidth(84);
        count.setTooltip(new Tooltip("How many tokens \u201cGenerate N tokens\u201d (Ctrl+Shift+G) produces"));
        generateTokens.setId("generateTokensPanelButton");
        generateTokens.textProperty().bind(Bindings.createStringBinding(() -> "Generate " + count.getValue()
                + (count.getValue() == 1 ? " token" : " tokens"), count.valueProperty()));
        generateTokens.setTooltip(new Tooltip("Generate tokens one after another with these settings, each pass run to "
                + "its end; Esc stops after the current token and keeps what was generated (Ctrl+Shift+G)"));
        generateTokens.disableProperty().bind(busy.or(onGenerateTokens.isNull()));
        generateTokens.setOnAction(e -> {
            BiConsumer<SamplingConfig, Integer> handler = onGenerateTokens.get();
            if (handler != null) {
                handler.accept(samplingConfig.get(), count.getValue());
            }
        });

        Label countLabel = new Label("tokens:");
        countLabel.setLabelFor(count);
        countLabel.getStyleClass().add(PanelStyles.MUTED);
        HBox generating = new HBox(8, generate, generateTokens, countLabel, count);
        generating.setAlignment(Pos.CENTER_LEFT);
        FlowPane controls = new FlowPane(8, 6, greedy, labelled("Temperature", temperature), labelled("Top-k", topK),
                labelled("Top-p", topP), labelled("Seed", seed), generating);
        controls.setAlignment(Pos.CENTER_LEFT);

        textTitle.getStyleClass().add(PanelStyles.MUTED);
        promptText.getStyleClass().add(TokenStyles.PROMPT_TEXT);
        promptText.setId("promptText");
        continuationText.getStyleClass().add(TokenStyles.GENERATED_TEXT);
        continuationText.setId("continuationText");
        TextFlow flow = new TextFlow(promptText, continuationText);
        flow.setId("generatedText");
        flow.getStyleClass().add(PanelStyles.GENERATED_TEXT_BOX);
        ScrollPane textBox = new ScrollPane(flow);
        textBox.setFitToWidth(true);
        textBox.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        // as tall as the text, up to four lines; then it scrolls
        textBox.prefViewportHeightProperty().bind(Bindings.createDoubleBinding(() -> Math.min(flow.getHeight(),
                TEXT_LINES * LINE_EM * promptText.getFont().getSize() + 8), flow.heightProperty(), promptText.fontProperty()));
        textBox.getStyleClass().add(PanelStyles.GENERATED_TEXT_BOX);
        VBox text = new VBox(2, textTitle, textBox);
        text.visibleProperty().bind(Bindings.createBooleanBinding(() -> data.get() != null && data.get().text() != null,
                data));
        text.managedProperty().bind(text.visibleProperty());

        NumberAxis x = new NumberAxis();
        x.setLabel("probability");
        CategoryAxis y = new CategoryAxis();
        y.setAutoRanging(false);
        chart = new BarChart<>(x, y);
        chart.setAnimated(false);
        chart.setLegendVisible(false);
        // one series: no gap between bars of a category; the gap between categories shrinks with the plot, so that a
        // short panel still draws bars rather than hairlines
        chart.setBarGap(0);
        chart.categoryGapProperty().bind(Bindings.createDoubleBinding(
                () -> Math.max(1, Math.min(3, chart.getHeight() / (6.0 * GenerationData.TOP))), chart.heightProperty()));
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
        getStylesheets().add(TokenStyles.stylesheet());
        getChildren().addAll(title, text, controls, summary, plot, legend);
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
        showText(d == null ? null : d.text());
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

    /** The prompt in the text colour, the continuation after it in the accent colour; an encoder-decoder's apart. */
    private void showText(Continuation c) {
        if (c == null) {
            textTitle.setText("");
            promptText.setText("");
            continuationText.setText("");
            return;
        }
        String generated = c.generated() == 1 ? "1 generated token" : c.generated() + " generated tokens";
        textTitle.setText(c.seq2seq() ? "Source \u2192 the decoder's output (" + generated + ")"
                : "Prompt and continuation (" + generated + ")");
        promptText.setText(c.seq2seq() ? c.prompt() + "  \u2192  " : c.prompt());
        continuationText.setText(c.continuation());
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

    /** Called with the settings and the count when the user asks for N tokens; the shell runs them on its engine thread. */
    public ObjectProperty<BiConsumer<SamplingConfig, Integer>> onGenerateTokensProperty() {
        return onGenerateTokens;
    }

    /** How many tokens "Generate N tokens" produces. */
    public ObjectProperty<Integer> countProperty() {
        return count.getValueFactory().valueProperty();
    }

    /** While true, the generate buttons are disabled (the engine is working). */
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

    Button generateTokensButton() {
        return generateTokens;
    }

    Label textTitle() {
        return textTitle;
    }

    /** The continuation as the panel shows it. */
    String continuationShown() {
        return continuationText.getText();
    }
}
