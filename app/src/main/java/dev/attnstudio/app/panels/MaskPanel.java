package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.heatmap.PatchNote;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Locale;

/**
 * The mask view: the additive mask one layer actually applied, for one batch row, cell by cell with the reason
 * for every block (causal future, padding, override), its shape and what it broadcasts over, and optionally
 * one head's pattern overlaid so a blocked cell ({@code -inf}) never reads like an allowed cell of weight ~0.
 * Fed by {@link #dataProperty()}; the head and the overlay are the panel's own choices. The map takes what the
 * title line and the readout leave, its legend beside it in a wide panel and under it in a narrow one; its export
 * ({@link #figure()}) is the map and the legend only.
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
    private final FlowPane legend;
    private final MapBesideLegend body;

    public MaskPanel() {
        getStyleClass().addAll(PanelStyles.PANEL, PanelStyles.MASK_PANEL);
        getStylesheets().add(PanelStyles.stylesheet());
        setSpacing(4);
        title.getStyleClass().add(PanelStyles.PANEL_TITLE);
        shape.getStyleClass().add(PanelStyles.MUTED);
        shape.setTooltip(new Tooltip("The mask's shape, and the shape of the scores it is added to (broadcast)"));
        shape.setMinWidth(0);

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
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        title.setMinWidth(Region.USE_PREF_SIZE);
        HBox controls = new HBox(8, title, spring, headLabel, headSpinner, overlay);
        controls.setAlignment(Pos.CENTER_LEFT);
        VBox header = new VBox(0, controls, shape);

        legend = legend();
        canvas.overlay.addListener((obs, old, now) -> refreshLegend());
        // the note on merged cells follows the drawing (after it, not inside its painting)
        canvas.merged.addListener((obs, old, now) -> javafx.application.Platform.runLater(this::refreshLegend));
        readout.getStyleClass().add(PanelStyles.READOUT);
        readout.textProperty().bind(canvas.readout);
        readout.setWrapText(true);
        readout.setMinHeight(Region.USE_PREF_SIZE);
        placeholder.getStyleClass().add(PanelStyles.PLACEHOLDER);

        body = new MapBesideLegend(canvas, legend);
        VBox.setVgrow(body, Priority.ALWAYS);
        getChildren().addAll(header, patches, placeholder, body, readout);
        canvas.data.addListener((obs, old, now) -> update(now));
        update(null);
    }

    /** The legend: a swatch for each kind of cell (with its count) and, with the overlay on, for the weights. */
    private FlowPane legend() {
        MaskData d = canvas.data.get();
        int[] n = d == null ? new int[MaskData.Cell.values().length] : d.counts();
        // no counts without data: the ones last shown were another pass's (or another model's)
        java.util.function.IntFunction<String> count = c -> d == null ? "" : " (" + n[c] + ")";
        Label allowed = Swatch.entry((p, x, y) -> MaskCanvas.allowedColour(p), "allowed" + count.apply(MaskData.Cell.ALLOWED.ordinal()),
                "Mask 0: the query may attend to this key (coloured by weight when a pattern is overlaid)");
        Label causal = Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.CAUSAL, x, y, ColorScale.argb(p.surface())),
                "causal-blocked" + count.apply(MaskData.Cell.CAUSAL.ordinal()),
                "Mask -inf: the key comes after the query (a decoder may not look ahead)");
        Label padding = Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.PADDING, x, y, ColorScale.argb(p.surface())),
                "padding-blocked" + count.apply(MaskData.Cell.PADDING.ordinal()),
                "Mask -inf: the key is padding added to even out the batch's rows");
        FlowPane pane = new FlowPane(12, 4, allowed, causal, padding);
        if (n[MaskData.Cell.WINDOW.ordinal()] > 0) {
            pane.getChildren().add(Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.WINDOW, x, y,
                            ColorScale.argb(p.surface())), "window-blocked (" + n[MaskData.Cell.WINDOW.ordinal()] + ")",
                    "Mask -inf: the key lies W or more positions before the query, outside the layer's sliding window"));
        }
        if (n[MaskData.Cell.OTHER.ordinal()] > 0) {
            pane.getChildren().add(Swatch.entry((p, x, y) -> MaskCanvas.blockedPixel(p, MaskData.Cell.OTHER, x, y,
                            ColorScale.argb(p.surface())), "override-blocked (" + n[MaskData.Cell.OTHER.ordinal()] + ")",
                    "Mask -inf for neither reason: a mask override intervention"));
        }
        if (canvas.overlay.get()) {
            pane.getChildren().add(Swatch.entry((p, x, y) -> Math.hypot(x - 6.5, y - 6.5) < 2.6 ? ColorScale.argb(p.accent())
                            : ColorScale.sequential(0), "weight < " + MaskData.NEAR_ZERO,
                    "Allowed, but the head puts (almost) no weight here: not the same as blocked"));
            pane.getChildren().add(Swatch.entry((p, x, y) -> ColorScale.sequential(x / 13.0), "weight 0 \u2192 1",
                    "Attention weight of the overlaid head, light (0) to dark (1)"));
        }
        int merged = canvas.cellsPerPixel();
        if (merged > 1) {
            Label note = new Label("up to " + merged + "\u00d7" + merged + " cells a pixel: hatched if any is blocked, "
                    + "else their largest weight");
            note.setWrapText(true);
            note.setMaxWidth(220);
            pane.getChildren().add(note);
        }
        pane.getStyleClass().add(PanelStyles.LEGEND);
        return pane;
    }

    private void refreshLegend() {
        legend.getChildren().setAll(legend().getChildren());
    }

    private void update(MaskData d) {
        placeholder.setVisible(d == null);
        placeholder.setManaged(d == null);
        patches.show(d == null ? List.of() : d.patches());
        refreshLegend();
        body.requestLayout(); // where the legend goes depends on the mask's shape
        if (d == null) {
            title.setText("Mask");
            shape.setText("");
            return;
        }
        title.setText(String.format(Locale.ROOT, "Mask \u00b7 layer %d \u00b7 row %d", d.layer(), d.batchRow()));
        shape.setText(d.maskHook() + " " + d.broadcastText());
        heads.setMax(Math.max(0, d.heads() - 1));
    }

    /**
     * The mask as File > Export draws it: the map (labels, cells at the export's scale, the zoomed window if zoomed)
     * and its legend, no controls; the caption names the layer, the overlaid head, the hooks and the colours.
     */
    public Figure figure() {
        return new Figure() {
            @Override
            public Node render(double scale) {
                WritableImage map = canvas.renderFigure(scale);
                if (map == null) {
                    throw new IllegalStateException("no mask is drawn yet: step the pass to this layer's hook_mask");
                }
                FlowPane key = legend();
                key.setPrefWrapLength(Math.max(240, map.getWidth() / scale));
                VBox box = new VBox(8, Figure.image(map, scale), key);
                box.getStylesheets().add(PanelStyles.stylesheet());
                box.setStyle("-fx-padding: 0 0 6 0; -fx-background-color: -as-surface;");
                return box;
            }

            @Override
            public Caption caption(Caption base) {
                MaskData d = canvas.data.get();
                if (d == null) {
                    return base;
                }
                boolean weights = canvas.overlay.get() && d.pattern() != null;
                String stage = d.maskHook() + " (batch row " + d.batchRow() + ")"
                        + (weights ? " with " + d.maskHook().replace("hook_mask", "hook_pattern") + " head " + canvas.head.get()
                        + " overlaid" : "");
                String colours = "mask: allowed cells tinted, \u2212inf cells hatched by reason (causal, padding, override)"
                        + (weights ? "; allowed cells coloured by the head's weight: sequential (Blues), linear, 0 .. 1; "
                        + "dot = weight < " + MaskData.NEAR_ZERO : "");
                Caption c = base.withLayer(d.layer()).withStage(stage).withColourScale(colours);
                return weights ? c.withHead(canvas.head.get()) : c;
            }
        };
    }

    /** What to draw; null shows a placeholder. */
    public ObjectProperty<MaskData> dataProperty() {
        return canvas.data;
    }

    /** The head whose pattern is overlaid. */
    /** Moves the cell cursor onto (query row, key) when the map has that cell (a lint finding's). */
    public void pointAt(int row, int col) {
        if (row >= 0 && col >= 0 && row < canvas.rows() && col < canvas.cols()) {
            canvas.cursor.set(new GridCanvas.Cell(row, col));
        }
    }

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

    /**
     * The map and its legend: the legend stands beside the map (a column of swatches, just right of the cells) or
     * flows under it, whichever leaves the cells larger; the map takes the rest.
     */
    static final class MapBesideLegend extends Region {

        private static final double GAP = 12;
        private final MaskCanvas map;
        private final FlowPane legend;

        MapBesideLegend(MaskCanvas map, FlowPane legend) {
            this.map = map;
            this.legend = legend;
            getChildren().addAll(map, legend);
        }

        @Override
        protected void layoutChildren() {
            double w = getWidth();
            double h = getHeight();
            MaskData d = map.data.get();
            legend.setOrientation(Orientation.VERTICAL);
            legend.setPrefWrapLength(h);
            double column = legend.prefWidth(h);
            double under = legend.prefHeight(w) + 4;
            MaskCanvas.Fit beside = d == null ? null : map.fit(d, w - column - GAP, h);
            MaskCanvas.Fit below = d == null ? null : map.fit(d, w, h - under);
            if (beside != null && beside.cell() > below.cell()) {
                double mw = Math.min(w - column - GAP, Math.ceil(beside.width(d)) + 2);
                map.resizeRelocate(0, 0, w - column - GAP, h);
                legend.resizeRelocate(mw + GAP, 0, column, h);
            } else {
                legend.setOrientation(Orientation.HORIZONTAL);
                legend.setPrefWrapLength(w);
                double lh = legend.prefHeight(w);
                map.resizeRelocate(0, 0, w, Math.max(0, h - lh - 4));
                double drawn = below == null ? h : below.top() + below.cell() * d.queries();
                legend.resizeRelocate(0, Math.min(h - lh, Math.ceil(drawn) + 6), w, lh); // right under the cells
            }
        }

        @Override
        protected double computePrefWidth(double height) {
            return 560;
        }

        @Override
        protected double computePrefHeight(double width) {
            return 360;
        }

        @Override
        protected double computeMinHeight(double width) {
            return 120;
        }
    }
}
