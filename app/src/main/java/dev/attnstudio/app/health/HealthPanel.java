package dev.attnstudio.app.health;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.panels.PanelStyles;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Rectangle;

import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Health view: the report card's layer x head grid ({@link HealthGrid}) with a legend, and beside it the selected
 * head's evidence: every number of its card and, per flag, the numbers that triggered it with the threshold they
 * crossed, and a button that shows the head in the Head view.
 */
final class HealthPanel extends BorderPane {

    final ObjectProperty<HealthData> data = new SimpleObjectProperty<>(this, "data");
    /** Why there is nothing to show (no prompt yet, or the card failed), shown instead of the grid. */
    final ObjectProperty<String> placeholder = new SimpleObjectProperty<>(this, "placeholder",
            "The report card is computed once a prompt is accepted.");

    private final HealthGrid grid = new HealthGrid();
    private final Label summary = new Label();
    private final VBox evidence = new VBox(6);
    private final Button open = new Button("Show in Head view");
    private Consumer<HeadCard> onOpen = h -> {
    };

    HealthPanel() {
        getStyleClass().addAll(PanelStyles.PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setPadding(new Insets(8));
        grid.setId("healthGrid");
        grid.data.bind(data);
        Label title = new Label("Head health: each head coloured by its worst flag (click one for its evidence)");
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        title.setWrapText(true);
        summary.setWrapText(true);
        summary.getStyleClass().add(PanelStyles.MUTED);
        summary.setId("healthSummary");
        setTop(new VBox(2, title, summary));
        Label empty = new Label();
        empty.textProperty().bind(placeholder);
        empty.setWrapText(true);
        empty.getStyleClass().add(PanelStyles.PLACEHOLDER);
        centerProperty().bind(data.map(d -> (javafx.scene.Node) grid).orElse(empty));
        evidence.setId("healthEvidence");
        evidence.setPadding(new Insets(0, 4, 0, 10));
        evidence.setFillWidth(true);
        ScrollPane side = new ScrollPane(evidence);
        side.setFitToWidth(true);
        side.setPrefWidth(270);
        side.setMinWidth(200);
        setRight(side);
        setBottom(legend());
        open.setId("healthOpenHead");
        open.setTooltip(new javafx.scene.control.Tooltip("Select this head and show its map in the Head view"));
        open.setOnAction(e -> {
            HeadCard h = selectedHead();
            if (h != null) {
                onOpen.accept(h);
            }
        });
        data.addListener((obs, old, now) -> {
            summary.setText(now == null ? "" : now.summary());
            showEvidence();
        });
        grid.cursor.addListener((obs, old, now) -> showEvidence());
        showEvidence();
    }

    HealthGrid grid() {
        return grid;
    }

    VBox evidence() {
        return evidence;
    }

    /** What the button does with the selected head. */
    void setOnOpen(Consumer<HeadCard> action) {
        onOpen = action;
    }

    /** The selected head's card, or null. */
    HeadCard selectedHead() {
        HealthData d = data.get();
        GridCanvas.Cell c = grid.cursor.get();
        return d == null || c == null ? null : d.head(c.row(), c.col());
    }

    private void showEvidence() {
        evidence.getChildren().clear();
        HeadCard h = selectedHead();
        if (h == null) {
            evidence.getChildren().add(wrapped("Click a head to see the numbers behind its flags.", PanelStyles.MUTED));
            return;
        }
        Label name = wrapped(h.name() + (h.flags().isEmpty() ? ": no flag" : ""), PanelStyles.PANEL_TITLE);
        evidence.getChildren().addAll(name, open);
        for (HeadFlag f : h.flags()) {
            Label l = wrapped(f.message() + " [" + f.severity().name().toLowerCase(Locale.ROOT) + "]", null);
            l.setGraphic(swatch(f.kind()));
            l.getStyleClass().add("health-flag");
            evidence.getChildren().add(l);
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, Double> e : new java.util.TreeMap<>(f.evidence()).entrySet()) {
                b.append(b.isEmpty() ? "" : "\n").append("   ").append(e.getKey()).append(" = ").append(Flags.number(e.getValue()));
            }
            evidence.getChildren().add(wrapped(b.toString(), PanelStyles.MUTED));
        }
        evidence.getChildren().add(wrapped("All numbers", PanelStyles.PANEL_TITLE));
        evidence.getChildren().add(wrapped(numbers(h), PanelStyles.MUTED));
    }

    private static String numbers(HeadCard h) {
        StringBuilder b = new StringBuilder();
        line(b, "entropy (normalized) mean", h.entropyMean());
        line(b, "entropy spread", h.entropySpread());
        line(b, "confidence (mean max weight)", h.confidence());
        line(b, "previous-token score", h.previousToken());
        new java.util.TreeMap<>(h.sinkAlpha()).forEach((k, v) -> line(b, "sink alpha[" + k + "]", v));
        line(b, "special-token mass", h.specialMass());
        line(b, "duplicate-token score", h.duplicateToken());
        line(b, "induction score", h.induction());
        if (h.nearestHead() >= 0) {
            line(b, "JS to nearest head H" + h.nearestHead(), h.nearestJs());
        }
        line(b, "output / residual norm", h.outputRatio());
        line(b, "loss change when ablated", h.ablationDelta());
        line(b, "gradient importance (normalized)", h.gradientNormalized());
        return b.toString();
    }

    private static void line(StringBuilder b, String name, double v) {
        b.append(b.isEmpty() ? "" : "\n").append(name).append(": ").append(Flags.number(v));
    }

    private static Label wrapped(String text, String style) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMaxWidth(Double.MAX_VALUE);
        l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        if (style != null) {
            l.getStyleClass().add(style);
        }
        VBox.setVgrow(l, Priority.NEVER);
        return l;
    }

    private static Rectangle swatch(HeadFlag.Kind k) {
        Rectangle r = new Rectangle(11, 11, Flags.colour(k));
        r.setArcWidth(3);
        r.setArcHeight(3);
        return r;
    }

    private static FlowPane legend() {
        FlowPane legend = new FlowPane(12, 4);
        legend.getStyleClass().add(PanelStyles.LEGEND);
        legend.setPadding(new Insets(6, 0, 0, 0));
        Label ok = new Label("healthy");
        Rectangle r = new Rectangle(11, 11, Flags.HEALTHY);
        ok.setGraphic(r);
        legend.getChildren().add(ok);
        for (HeadFlag.Kind k : HeadFlag.Kind.values()) {
            Label l = new Label(Flags.name(k) + " [" + Flags.badge(k) + "]");
            l.setGraphic(swatch(k));
            legend.getChildren().add(l);
        }
        return legend;
    }
}
