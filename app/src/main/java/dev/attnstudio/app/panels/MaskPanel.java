package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.PatchNote;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Locale;

/**
 * The mask view: the additive mask one layer actually applied, for one batch row, cell by cell with the reason
 * for every block (causal future, padding, override), its shape and what it broadcasts over, and optionally
 * one head's pattern overlaid so a blocked cell ({@code -inf}) never reads like an allowed cell of weight ~0.
 * Fed by {@link #dataProperty()}; the head and the overlay are the panel's own choices.
 */
public final class MaskPanel extends VBox {

    private final PatchNote patches = new PatchNote("maskPatches");
    private final MaskCanvas canvas = new MaskCanvas();
    private final Label title = new Label("Mask");
    private final Label shape = new Label();
    private final Label readout = new Label();
    private final Label placeholder = new Label("The mask appears once the pass has computed this layer's hook_mask.");
    private final Spinner<Integer> headSpinner = new Spinner<>();
    private final SpinnerValueFactory.IntegerSpinnerValueFactory heads = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
    private final Label allowed;
    private final Label causal;
    private final Label padding;
    private final Label other;

    public MaskPanel() {
        getStyleClass().addAll(PanelStyles.PANEL, PanelStyles.MASK_PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setSpacing(6);
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        shape.getStyleClass().add(PanelStyles.MUTED);
        shape.setTooltip(new Tooltip("The mask's shape, and the shape of the scores it is added to (broadcast)"));

        headSpinner.setValueFactory(heads);
        headSpinner.setPrefWidth(72);
        headSpinner.setTooltip(new Tooltip("Which head's attention pattern to overlay on the mask"));
        heads.valueProperty().addListener((obs, old, now) -> canvas.head.set(now == null ? 0 : now));
        canvas.head.addListener((obs, old, now) -> heads.setValue(now.intValue()));
        CheckBox overlay = new CheckBox("Overlay pattern");
        overlay.selectedProperty().bindBidirectional(canvas.overlay);
        overlay.setTooltip(new Tooltip("Colour allowed cells by the head's attention weight; a dot marks weight < "
                + MaskData.NEAR_ZERO + " (allowed but hardly attended)"));
        Label headLabel = new Label("Head");
        headLabel.setLabelFor(headSpinner);
        headSpinner.disableProperty().bind(overlay.selectedProperty().not());
        shape.setWrapText(true);
        VBox header = new VBox(2, title, shape);
        HBox controls = new HBox(8, headLabel, headSpinner, overlay);
        controls.setAlignment(Pos.CENTER_LEFT);

        allowed = Swatch.entry((p, x, y) -> MaskCanvas.allowedColour(p), "allowed",
                "Mask 0: the query may attend to this key (coloured by weight when a pattern is overlaid)");
        causal = Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.CAUSAL, x, y, ColorScale.argb(p.surface())),
                "causal-blocked", "Mask -inf: the key comes after the query (a decoder may not look ahead)");
        padding = Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.PADDING, x, y, ColorScale.argb(p.surface())),
                "padding-blocked", "Mask -inf: the key is padding added to even out the batch's rows");
        other = Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.OTHER, x, y, ColorScale.argb(p.surface())),
                "override-blocked", "Mask -inf for neither reason: a mask override intervention");
        Label nearZero = Swatch.entry((p, x, y) -> Math.hypot(x - 6.5, y - 6.5) < 2.6 ? ColorScale.argb(p.accent())
                        : ColorScale.sequential(0), "weight < " + MaskData.NEAR_ZERO,
                "Allowed, but the head puts (almost) no weight here: not the same as blocked");
        Label weights = Swatch.entry((p, x, y) -> ColorScale.sequential(x / 13.0), "weight 0 \u2192 1",
                "Attention weight of the overlaid head, light (0) to dark (1)");
        FlowPane legend = new FlowPane(12, 4, allowed, causal, padding, other, nearZero, weights);
        legend.getStyleClass().add(PanelStyles.LEGEND);
        nearZero.visibleProperty().bind(overlay.selectedProperty());
        weights.visibleProperty().bind(overlay.selectedProperty());

        readout.getStyleClass().add(PanelStyles.READOUT);
        readout.textProperty().bind(canvas.readout);
        readout.setWrapText(true);
        placeholder.getStyleClass().add(PanelStyles.PLACEHOLDER);

        VBox.setVgrow(canvas, Priority.ALWAYS);
        getChildren().addAll(header, patches, controls, placeholder, canvas, legend, readout);
        canvas.data.addListener((obs, old, now) -> update(now));
        update(null);
    }

    private void update(MaskData d) {
        placeholder.setVisible(d == null);
        placeholder.setManaged(d == null);
        patches.show(d == null ? List.of() : d.patches());
        if (d == null) {
            title.setText("Mask");
            shape.setText("");
            allowed.setText("allowed"); // no counts: the ones shown were another pass's (or another model's)
            causal.setText("causal-blocked");
            padding.setText("padding-blocked");
            other.setText("override-blocked");
            return;
        }
        title.setText(String.format(Locale.ROOT, "Mask \u00b7 layer %d \u00b7 row %d", d.layer(), d.batchRow()));
        shape.setText(d.maskHook() + " " + d.broadcastText());
        heads.setMax(Math.max(0, d.heads() - 1));
        int[] n = d.counts();
        allowed.setText("allowed (" + n[MaskData.Cell.ALLOWED.ordinal()] + ")");
        causal.setText("causal-blocked (" + n[MaskData.Cell.CAUSAL.ordinal()] + ")");
        padding.setText("padding-blocked (" + n[MaskData.Cell.PADDING.ordinal()] + ")");
        other.setText("override-blocked (" + n[MaskData.Cell.OTHER.ordinal()] + ")");
        other.setVisible(n[MaskData.Cell.OTHER.ordinal()] > 0);
        other.setManaged(other.isVisible());
    }

    /** What to draw; null shows a placeholder. */
    public ObjectProperty<MaskData> dataProperty() {
        return canvas.data;
    }

    /** The head whose pattern is overlaid. */
    public IntegerProperty headProperty() {
        return canvas.head;
    }

    /** Whether the pattern is overlaid on the allowed cells. */
    public BooleanProperty overlayProperty() {
        return canvas.overlay;
    }

    /**
     * The cell under the mouse, else under the keyboard cursor, described ("query 3 'x' -> key 1 'y': allowed,
     * mask 0; head 0 weight 0.25").
     */
    public ReadOnlyStringProperty hoverTextProperty() {
        return canvas.readout.getReadOnlyProperty();
    }

    /** The drawing surface (for tests and exporters). */
    MaskCanvas canvas() {
        return canvas;
    }
}
