package dev.attnstudio.app.rollout;

import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.MapCell;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.panels.PanelStyles;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.Locale;

/**
 * The Rollout view: the chosen token x token matrix (whole-model rollout, its receptive-field normalised variant for
 * decoders, the selected head rolled out, or attention flow) in the app's attention map (fits the panel, zooms and
 * pans), with the decoder caveat shown above it, and the engine's message where a mode does not apply.
 */
final class RolloutPanel extends BorderPane {

    final ObjectProperty<RolloutData> data = new SimpleObjectProperty<>(this, "data");
    final ObjectProperty<RolloutMode> mode = new SimpleObjectProperty<>(this, "mode", RolloutMode.MODEL);
    /** {@link #mode}, readable by the engine thread. */
    volatile RolloutMode modeNow = RolloutMode.MODEL;
    final ObjectProperty<String> placeholder = new SimpleObjectProperty<>(this, "placeholder",
            "Rollout is computed once a prompt is accepted.");

    private final AttentionMapView map;
    private final Label caveat = new Label();
    private final Label note = new Label();
    private final ToggleGroup modes = new ToggleGroup();

    RolloutPanel(AttentionSettings settings) {
        getStyleClass().add(PanelStyles.PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setPadding(new Insets(8));
        map = new AttentionMapView(settings, true);
        map.setId("rolloutMap");
        Label title = new Label("How much each input token (column) reaches each output (row) through every layer"
                + " (Abnar & Zuidema 2020)");
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        FlowPane buttons = new FlowPane(6, 4);
        for (RolloutMode m : RolloutMode.values()) {
            ToggleButton b = new ToggleButton(m.title);
            b.setId("rollout" + m.name().charAt(0) + m.name().substring(1).toLowerCase(Locale.ROOT).replace("_", ""));
            b.setUserData(m);
            b.setTooltip(new javafx.scene.control.Tooltip(m.help));
            b.setToggleGroup(modes);
            b.setSelected(m == mode.get());
            buttons.getChildren().add(b);
        }
        modes.selectedToggleProperty().addListener((obs, old, now) -> {
            if (now == null) {
                old.setSelected(true); // one mode is always chosen
            } else {
                mode.set((RolloutMode) now.getUserData());
            }
        });
        mode.addListener((obs, old, now) -> modeNow = now);
        mode.addListener((obs, old, now) -> modes.getToggles().forEach(t -> t.setSelected(t.getUserData() == now)));
        caveat.setId("rolloutCaveat");
        caveat.setStyle("-fx-background-color: -as-warning-soft; -fx-text-fill: -as-text; -fx-padding: 4 8;"
                + " -fx-background-radius: 4;");
        note.setId("rolloutNote");
        for (Label l : new Label[] {title, caveat, note}) {
            l.setWrapText(true);
            l.setMinHeight(Region.USE_PREF_SIZE);
            l.setMaxWidth(Double.MAX_VALUE);
        }
        note.getStyleClass().add(PanelStyles.MUTED);
        VBox top = new VBox(6, title, buttons);
        top.setPadding(new Insets(0, 0, 6, 0));
        setTop(top);
        setCenter(map);
        // beside the (square) map, where its width leaves room: the caveat and the notes
        VBox side = new VBox(8, caveat, note);
        side.setPrefWidth(250);
        side.setMinWidth(180);
        side.setMaxWidth(300);
        side.setPadding(new Insets(0, 0, 0, 8));
        side.managedProperty().bind(caveat.managedProperty().or(note.managedProperty()));
        side.visibleProperty().bind(side.managedProperty());
        setRight(side);
        data.addListener((obs, old, now) -> show(now));
        placeholder.addListener((obs, old, now) -> show(data.get()));
        show(null);
    }

    AttentionMapView map() {
        return map;
    }

    private void show(RolloutData d) {
        boolean caveatShown = d != null && d.caveat() != null;
        caveat.setText(caveatShown ? "Decoder caveat: " + d.caveat()
                + " Try \u201c" + RolloutMode.FIELD_NORMALISED.title + "\u201d." : "");
        caveat.setVisible(caveatShown);
        caveat.setManaged(caveatShown);
        String message = d == null ? placeholder.get() : d.note();
        note.setText(message == null ? "" : message);
        note.setVisible(message != null);
        note.setManaged(message != null);
        map.placeholderProperty().set(message == null ? "" : message);
        map.setMatrix(d == null || d.n() == 0 ? null : AttentionMatrix.of("rollout." + d.mode().name().toLowerCase(Locale.ROOT),
                d.title(), AttentionMatrix.Kind.WEIGHTS, d.rows(), d.n(), d.values(), d.rowLabels(), d.labels()));
        map.titleProperty().set(d == null ? "" : d.title());
    }

    /** What the mouse is over: output and input token and the value. */
    ObservableValue<String> readout() {
        return Bindings.createStringBinding(() -> {
            MapCell c = map.hoveredProperty().get();
            RolloutData d = data.get();
            if (c == null || d == null || d.n() == 0 || !c.single() || c.row() >= d.rows() || c.col() >= d.n()) {
                return "";
            }
            return String.format(Locale.ROOT, "%s: output '%s' \u2190 input %d '%s' = %.4f", d.mode().title,
                    d.rowLabels().get(c.row()), c.col(), d.labels().get(c.col()), d.values()[c.row() * d.n() + c.col()]);
        }, map.hoveredProperty(), data);
    }
}
