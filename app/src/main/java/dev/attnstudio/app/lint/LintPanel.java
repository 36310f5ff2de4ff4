package dev.attnstudio.app.lint;

import dev.attnstudio.app.panels.PanelStyles;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * The Lint view: the mask linter's findings as a list (kind, severity, place, magnitude, what was measured, the hint);
 * selecting one selects its layer and head, and the buttons show its cell in the Mask or the Head view. With no
 * finding it says so and what was checked.
 */
final class LintPanel extends BorderPane {

    /** The view ids the buttons show. */
    static final String MASK_VIEW = "mask";
    static final String HEAD_VIEW = "head";

    final ObjectProperty<LintData> data = new SimpleObjectProperty<>(this, "data");
    final ObjectProperty<MaskFinding> selected = new SimpleObjectProperty<>(this, "selected");
    final ObjectProperty<String> placeholder = new SimpleObjectProperty<>(this, "placeholder",
            "The mask linter runs once a prompt is accepted.");

    private final Label summary = new Label();
    private final Label checked = new Label();
    private final VBox list = new VBox(6);
    private final Button toMask = new Button("Show in Mask view");
    private final Button toHead = new Button("Show in Head view");
    private BiConsumer<MaskFinding, String> onShow = (f, view) -> {
    };

    LintPanel() {
        getStyleClass().add(PanelStyles.PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setPadding(new Insets(8));
        Label title = new Label("Mask lint: attention the intended mask forbids, broken rows, padding and cache bugs");
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        title.setWrapText(true);
        summary.setId("lintSummary");
        summary.setWrapText(true);
        checked.setWrapText(true);
        checked.getStyleClass().add(PanelStyles.MUTED);
        for (Label l : List.of(title, summary, checked)) {
            l.setMinHeight(Region.USE_PREF_SIZE);
        }
        toMask.setId("lintToMask");
        toHead.setId("lintToHead");
        toMask.setTooltip(new javafx.scene.control.Tooltip("Show the selected finding's layer in the Mask view, its cell"
                + " under the cursor"));
        toHead.setTooltip(new javafx.scene.control.Tooltip("Show the selected finding's head in the Head view, its cell"
                + " under the cursor"));
        toMask.setOnAction(e -> onShow.accept(selected.get(), MASK_VIEW));
        toHead.setOnAction(e -> onShow.accept(selected.get(), HEAD_VIEW));
        toMask.disableProperty().bind(selected.map(f -> f.layer() < 0).orElse(true));
        toHead.disableProperty().bind(selected.map(f -> f.layer() < 0).orElse(true));
        FlowPane buttons = new FlowPane(8, 4, toMask, toHead);
        setTop(new VBox(4, title, summary, checked, buttons));
        list.setId("lintFindings");
        list.setPadding(new Insets(6, 2, 2, 0));
        ScrollPane scroll = new ScrollPane(list);
        scroll.setFitToWidth(true);
        setCenter(scroll);
        BorderPane.setMargin(scroll, new Insets(6, 0, 0, 0));
        data.addListener((obs, old, now) -> fill());
        placeholder.addListener((obs, old, now) -> fill());
        selected.addListener((obs, old, now) -> list.getChildren().forEach(n -> {
            if (n instanceof FindingRow r) {
                r.setSelected(r.finding == now);
            }
        }));
        fill();
    }

    /** What the buttons do with the selected finding and a view id. */
    void setOnShow(BiConsumer<MaskFinding, String> action) {
        onShow = action;
    }

    VBox list() {
        return list;
    }

    Label summary() {
        return summary;
    }

    private void fill() {
        list.getChildren().clear();
        selected.set(null);
        LintData d = data.get();
        if (d == null) {
            summary.setText(placeholder.get());
            checked.setText("");
            return;
        }
        String under = d.interventions().isEmpty() ? "the model as it is"
                : "the run under " + String.join(", ", d.interventions());
        summary.setText(d.findings().isEmpty()
                ? "No finding: the linter found nothing wrong with " + under + "."
                : String.format(Locale.ROOT, "%d finding%s in %s (every mask finding is an error). Select one to select"
                + " its layer and head.", d.findings().size(), d.findings().size() == 1 ? "" : "s", under));
        checked.setText(d.checked() + String.format(Locale.ROOT, " (%d ms)", d.millis()));
        for (MaskFinding f : d.findings()) {
            FindingRow row = new FindingRow(f);
            row.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                row.requestFocus();
                selected.set(f);
            });
            row.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
                if (e.getCode() == KeyCode.ENTER || e.getCode() == KeyCode.SPACE) {
                    selected.set(f);
                    e.consume();
                }
            });
            list.getChildren().add(row);
        }
    }
}
