package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.heatmap.HeatmapView;
import dev.attnstudio.app.theme.Styles;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.util.Locale;

/**
 * The Head tab: the attention matrix of the current step for the selected head (and batch row), with its legend
 * and the value under the mouse.
 */
final class HeadPanel extends VBox {

    /** Kept so the spinners' bidirectional bindings to the view model are not collected. */
    private final ObjectProperty<Integer> headAsObject;
    private final ObjectProperty<Integer> rowAsObject;

    HeadPanel(MainViewModel vm) {
        super(4);
        getStyleClass().addAll(Styles.PANEL, Styles.HEATMAP_PANEL);
        Label title = new Label("Attention");
        title.getStyleClass().add(Styles.PANEL_TITLE);

        Spinner<Integer> headSpinner = spinner("headSpinner", "The head to draw (0-based); Up/Down to change");
        SpinnerValueFactory.IntegerSpinnerValueFactory heads = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
        headSpinner.setValueFactory(heads);
        vm.modelInfoProperty().addListener((obs, old, info) -> heads.setMax(info == null ? 0 : info.heads() - 1));
        headAsObject = vm.headProperty().asObject();
        heads.valueProperty().bindBidirectional(headAsObject);
        headSpinner.disableProperty().bind(vm.heatmapProperty().isNull());
        Label headLabel = fieldLabel("Head", headSpinner);

        Spinner<Integer> rowSpinner = spinner("batchRowSpinner", "The prompt of the batch to draw (0-based)");
        SpinnerValueFactory.IntegerSpinnerValueFactory rows = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
        rowSpinner.setValueFactory(rows);
        vm.tokenRows().addListener((javafx.collections.ListChangeListener<Object>) c ->
                rows.setMax(Math.max(0, vm.tokenRows().size() - 1)));
        rowAsObject = vm.batchRowProperty().asObject();
        rows.valueProperty().bindBidirectional(rowAsObject);
        Label rowLabel = fieldLabel("Row", rowSpinner);
        var batched = Bindings.size(vm.tokenRows()).greaterThan(1);
        for (var n : new javafx.scene.Node[] {rowLabel, rowSpinner}) {
            n.visibleProperty().bind(batched);
            n.managedProperty().bind(batched);
        }

        Label legend = new Label();
        legend.setId("heatmapLegend");
        legend.getStyleClass().add(Styles.MUTED);
        legend.textProperty().bind(Bindings.createStringBinding(() -> legend(vm.heatmapProperty().get()), vm.heatmapProperty()));
        legend.setMinWidth(0);
        legend.setTooltip(new Tooltip("Size, head and colour range of the map"));
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        title.setMinWidth(Region.USE_PREF_SIZE);
        HBox header = new HBox(8, title, spring, rowLabel, rowSpinner, headLabel, headSpinner);
        header.setAlignment(Pos.CENTER_LEFT);

        HeatmapView heatmap = new HeatmapView();
        heatmap.setId("heatmap");
        heatmap.heatmapProperty().bind(vm.heatmapProperty());
        heatmap.visibleProperty().bind(vm.heatmapProperty().isNotNull());

        Label placeholder = new Label("No attention matrix at this step. The heatmap appears at the score, mask and pattern "
                + "steps: press F5 to run to the breakpoint " + MainViewModel.DEFAULT_BREAKPOINT + ".");
        placeholder.getStyleClass().add(Styles.HEATMAP_PLACEHOLDER);
        placeholder.setWrapText(true);
        placeholder.visibleProperty().bind(vm.heatmapProperty().isNull());
        StackPane stack = new StackPane(placeholder, heatmap);
        StackPane.setAlignment(placeholder, Pos.CENTER);
        StackPane.setAlignment(heatmap, Pos.TOP_LEFT);
        VBox.setVgrow(stack, Priority.ALWAYS);

        Label hover = new Label();
        hover.setId("heatmapHover");
        hover.getStyleClass().addAll(Styles.MUTED, Styles.HOOK_NAME);
        hover.textProperty().bind(Bindings.createStringBinding(() -> heatmap.hoverTextProperty().get().isEmpty()
                ? (vm.heatmapProperty().get() == null ? "" : "Rows: queries.  Columns: keys.  Hover a cell for its value.")
                : heatmap.hoverTextProperty().get(), heatmap.hoverTextProperty(), vm.heatmapProperty()));
        hover.setMinWidth(0);
        getChildren().addAll(header, stack, legend, hover);
    }

    private static Spinner<Integer> spinner(String id, String help) {
        Spinner<Integer> s = new Spinner<>();
        s.setId(id);
        s.setPrefWidth(80);
        s.setMinWidth(Region.USE_PREF_SIZE);
        s.setEditable(true);
        s.setTooltip(new Tooltip(help));
        return s;
    }

    private static Label fieldLabel(String text, Spinner<Integer> spinner) {
        Label l = new Label(text);
        l.getStyleClass().add(Styles.FIELD_LABEL);
        l.setLabelFor(spinner);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    private static String legend(Heatmap map) {
        if (map == null) {
            return "";
        }
        String range = map.name().contains("hook_pattern") ? "0 to 1"
                : String.format(Locale.ROOT, "%.3g to %.3g", map.low(), map.high());
        String heads = map.heads() == 1 ? "shared by all heads" : "head " + map.head() + " of " + map.heads();
        String masked = map.masked() > 0 ? "  \u00b7  hatched = masked (-inf)" : "";
        return map.rows() + " \u00d7 " + map.cols() + "  \u00b7  " + heads + "  \u00b7  colour " + range + masked;
    }
}
