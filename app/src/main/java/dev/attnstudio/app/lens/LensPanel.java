package dev.attnstudio.app.lens;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.panels.PanelStyles;
import dev.attnstudio.engine.diagnose.lens.LogitLens;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.Locale;

/**
 * The Logit lens view: the stages x positions grid ({@link LensGrid}) with the KL strip, and the selected cell's top
 * tokens with their probabilities; a model without an unembedding says why in one line.
 */
final class LensPanel extends BorderPane {

    final ObjectProperty<LensData> data = new SimpleObjectProperty<>(this, "data");
    final ObjectProperty<String> placeholder = new SimpleObjectProperty<>(this, "placeholder",
            "The logit lens is computed once a prompt is accepted.");

    private final LensGrid grid = new LensGrid();
    private final Label summary = new Label();
    private final Label detail = new Label();
    private final Label empty = new Label();

    LensPanel() {
        getStyleClass().add(PanelStyles.PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setPadding(new Insets(8));
        grid.setId("lensGrid");
        grid.data.bind(data);
        Label title = new Label("Logit lens: each residual stage read through the model's own final norm and unembedding;"
                + " top next-token per position, its probability as colour, and each stage's mean KL to the final output");
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        summary.setId("lensSummary");
        summary.getStyleClass().add(PanelStyles.MUTED);
        detail.setId("lensDetail");
        empty.setId("lensPlaceholder");
        empty.getStyleClass().add(PanelStyles.PLACEHOLDER);
        for (Label l : new Label[] {title, summary, detail, empty}) {
            l.setWrapText(true);
            l.setMinHeight(Region.USE_PREF_SIZE);
            l.setMaxWidth(Double.MAX_VALUE);
        }
        setTop(new VBox(2, title, summary));
        BorderPane.setMargin(detail, new Insets(6, 0, 0, 0));
        setBottom(detail);
        data.addListener((obs, old, now) -> show());
        placeholder.addListener((obs, old, now) -> show());
        grid.cursor.addListener((obs, old, now) -> describe());
        show();
    }

    LensGrid grid() {
        return grid;
    }

    Label detail() {
        return detail;
    }

    private void show() {
        LensData d = data.get();
        boolean shown = d != null && d.reason() == null && !d.stages().isEmpty();
        empty.setText(d == null ? placeholder.get() : d.reason() != null ? d.reason() : "The lens found no stage to read.");
        setCenter(shown ? grid : (Node) empty);
        summary.setText(shown ? String.format(Locale.ROOT, "%d stages x %d positions; the lens at each position predicts"
                + " the next token. The last stage is the model's own output (KL 0). Click a cell for its top %d tokens.",
                d.stages().size(), d.positions().size(), LensData.TOP_K) : "");
        describe();
    }

    private void describe() {
        LensData d = data.get();
        GridCanvas.Cell c = grid.cursor.get();
        if (d == null || d.reason() != null || c == null) {
            detail.setText(d == null || d.reason() != null ? "" : "Light cells: the lens is unsure; dark: it is sure."
                    + " The strip at the right: KL(final || lens) in nats, averaged over positions.");
            return;
        }
        int p = c.col(); // a cell is a stage (row) and a position (column)
        LogitLens.Stage s = d.stages().get(c.row());
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s (%s), position %d '%s': KL to the final %.4f"
                + " nats; top tokens:", d.stageLabel(c.row()), s.hook(), p, d.positions().get(p), s.kl()[p]));
        for (int i = 0; i < s.topIds()[p].length; i++) {
            String text = s.topText() == null ? "#" + s.topIds()[p][i] : s.topText()[p][i];
            b.append(String.format(Locale.ROOT, "%s '%s' %.3f", i == 0 ? "" : ",", text, s.topProbs()[p][i]));
        }
        detail.setText(b.toString());
    }
}
