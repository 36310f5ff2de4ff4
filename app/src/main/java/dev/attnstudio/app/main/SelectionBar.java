package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.views.AttentionSource;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.util.StringConverter;

/**
 * The selection every view shares, above the tabs: which attention (an encoder-decoder's encoder self, decoder
 * self or decoder cross-attention), layer, head and batch row, whether the maps show the whole sequence or the pass
 * under the cursor, and the attention maps' colour scale and pooling.
 */
final class SelectionBar extends FlowPane {

    /** Kept so the spinners' bidirectional bindings to the view model are not collected. */
    private final ObjectProperty<Integer> layerAsObject;
    private final ObjectProperty<Integer> headAsObject;
    private final ObjectProperty<Integer> rowAsObject;

    SelectionBar(MainViewModel vm, AttentionSettings settings) {
        super(8, 4);
        setId("selectionBar");
        getStyleClass().add(Styles.SELECTION_BAR);
        setAlignment(Pos.CENTER_LEFT);
        setRowValignment(javafx.geometry.VPos.CENTER);

        ChoiceBox<AttentionSource> stack = new ChoiceBox<>(FXCollections.observableArrayList(
                AttentionSource.ENCODER, AttentionSource.DECODER, AttentionSource.CROSS));
        stack.setId("stackChoice");
        stack.setConverter(new StringConverter<>() {
            @Override
            public String toString(AttentionSource s) {
                return s == null ? "" : stackName(s);
            }

            @Override
            public AttentionSource fromString(String text) {
                return null;
            }
        });
        stack.valueProperty().bindBidirectional(vm.selection().attentionSourceProperty());
        stack.setTooltip(new Tooltip("Which attention of the encoder-decoder the maps, stages, mask and entropy show: "
                + "the encoder's self-attention, the decoder's self-attention, or the decoder's cross-attention "
                + "(decoder queries over encoder keys). It follows the cursor as you step until you choose one; then it "
                + "stays where you put it. Generating never moves it."));
        Label stackLabel = fieldLabel("Attention", stack);
        for (Node n : new Node[] {stackLabel, stack}) {
            n.visibleProperty().bind(vm.session().encoderDecoderProperty());
            n.managedProperty().bind(vm.session().encoderDecoderProperty());
        }

        Spinner<Integer> layerSpinner = spinner("layerSpinner", "The layer (block) the views show, 0-based; it follows "
                + "the cursor into each block");
        SpinnerValueFactory.IntegerSpinnerValueFactory layers = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
        layerSpinner.setValueFactory(layers);
        layerAsObject = vm.selection().layerProperty().asObject();
        layers.valueProperty().bindBidirectional(layerAsObject);

        Spinner<Integer> headSpinner = spinner("headSpinner", "The head the views show (0-based); Up/Down to change");
        SpinnerValueFactory.IntegerSpinnerValueFactory heads = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
        headSpinner.setValueFactory(heads);
        headAsObject = vm.selection().headProperty().asObject();
        heads.valueProperty().bindBidirectional(headAsObject);
        vm.session().modelInfoProperty().addListener((obs, old, info) -> {
            layers.setMax(info == null ? 0 : info.layers() - 1);
            heads.setMax(info == null ? 0 : info.heads() - 1);
        });

        Spinner<Integer> rowSpinner = spinner("batchRowSpinner", "The prompt of the batch the views show (0-based)");
        SpinnerValueFactory.IntegerSpinnerValueFactory rows = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0);
        rowSpinner.setValueFactory(rows);
        vm.prompt().tokenRows().addListener((ListChangeListener<Object>) c -> rows.setMax(Math.max(0, vm.prompt().tokenRows().size() - 1)));
        rowAsObject = vm.selection().batchRowProperty().asObject();
        rows.valueProperty().bindBidirectional(rowAsObject);
        Label rowLabel = fieldLabel("Row", rowSpinner);
        var batched = Bindings.size(vm.prompt().tokenRows()).greaterThan(1);
        for (Node n : new Node[] {rowLabel, rowSpinner}) {
            n.visibleProperty().bind(batched);
            n.managedProperty().bind(batched);
        }

        CheckBox whole = new CheckBox("Whole sequence");
        whole.setId("wholeSequenceCheck");
        whole.selectedProperty().bindBidirectional(vm.selection().wholeSequenceProperty());
        whole.setMinWidth(Region.USE_PREF_SIZE);
        whole.setTooltip(new Tooltip("On: the maps, Head, Stages, Mask and Entropy show the whole sequence, the prompt's "
                + "rows followed by one row per generated token, stitched from every pass up to the cursor's (the "
                + "full T \u00d7 T pattern; for T5 also decoder \u00d7 source cross-attention). Off: only the pass under "
                + "the cursor (a generated token's pass is a single row over the KV cache)."));
        var generates = vm.session().encoderProperty().not().and(vm.session().modelInfoProperty().isNotNull());
        whole.visibleProperty().bind(generates);
        whole.managedProperty().bind(generates);

        HBox selection = new HBox(8, stackLabel, stack, fieldLabel("Layer", layerSpinner), layerSpinner,
                fieldLabel("Head", headSpinner), headSpinner, rowLabel, rowSpinner, whole);
        selection.setAlignment(Pos.CENTER_LEFT);
        selection.setMinWidth(Region.USE_PREF_SIZE);
        HBox display = settings.controls();
        display.setMinWidth(Region.USE_PREF_SIZE);
        setHgap(20);
        getChildren().addAll(selection, display);
    }

    /** "encoder self", "decoder self", "decoder cross", or "self" for a single stack. */
    static String stackName(AttentionSource s) {
        if (s.cross()) {
            return "decoder cross";
        }
        return s.stack().startsWith("encoder") ? "encoder self" : s.stack().startsWith("decoder") ? "decoder self" : "self";
    }

    private static Spinner<Integer> spinner(String id, String help) {
        Spinner<Integer> s = new Spinner<>();
        s.setId(id);
        s.setPrefWidth(72);
        s.setMinWidth(Region.USE_PREF_SIZE);
        s.setEditable(true);
        s.setTooltip(new Tooltip(help));
        return s;
    }

    private static Label fieldLabel(String text, Node control) {
        Label l = new Label(text);
        l.getStyleClass().add(Styles.FIELD_LABEL);
        l.setLabelFor(control);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }
}
