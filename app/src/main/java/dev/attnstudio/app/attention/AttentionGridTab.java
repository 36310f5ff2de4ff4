package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.step.Stepper;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;

/** The Attention grid tab: every layer × head as a thumbnail; a click selects, a double click opens the Head tab. */
public final class AttentionGridTab {

    public static final ViewSpec SPEC = new ViewSpec("attention-grid", "Attention grid",
            "Every layer \u00d7 head of the pass as a thumbnail", AttentionGridTab::build);

    private AttentionGridTab() {
    }

    private static BuiltView build(ViewHost host) {
        AttentionGridView grid = new AttentionGridView(host.attentionSettings());
        grid.setId("attentionGrid");
        grid.dataProperty().bind(host.feed("Attention grid", AttentionGridTab::gridData).dataProperty());
        grid.selectedLayerProperty().bindBidirectional(host.layerProperty());
        grid.selectedHeadProperty().bindBidirectional(host.headProperty());
        grid.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
                host.show(HeadTab.SPEC.id());
            }
        });
        return BuiltView.of(grid).exportedAs(ViewExport.picture(grid).withHeadCaption());
    }

    /** Every layer's maps of the selected attention and batch row (also what the Head view tab draws). */
    static AttentionGridData gridData(Stepper s, ViewContext c) {
        return AttentionGridData.from(s, c.source(), c.batchRow(), c.queryLabels(), c.keyLabels());
    }
}
