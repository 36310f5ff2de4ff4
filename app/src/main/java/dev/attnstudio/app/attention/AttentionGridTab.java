package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.intervene.HeadAblation;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.step.Stepper;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Attention grid tab: every layer × head as a thumbnail; a click selects, a double click opens the Head tab, a
 * right-click ablates or restores the head (ablated heads are drawn crossed out).
 */
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
        grid.setOnContextMenuRequested(e -> {
            int[] at = e.isKeyboardTrigger() ? null : grid.headAt(e.getX(), e.getY());
            int layer = at != null ? at[0] : host.layerProperty().get();
            int head = at != null ? at[1] : host.headProperty().get();
            grid.select(layer, head);
            headMenu(host, layer, head).show(grid, e.getScreenX(), e.getScreenY());
            e.consume();
        });
        Runnable marks = () -> grid.markedHeadsProperty().set(ablatedHeads(host));
        host.interventionsProperty().addListener((obs, old, now) -> marks.run());
        host.attentionSourceProperty().addListener((obs, old, now) -> marks.run());
        marks.run();
        return BuiltView.of(grid).exportedAs(ViewExport.figure(grid, AttentionFigures.grid(grid, host.attentionSettings())));
    }

    /** Right-click on a head: ablate it (zero or mean), or restore it. */
    private static ContextMenu headMenu(ViewHost host, int layer, int head) {
        AttentionSource source = host.attentionSourceProperty().getValue();
        Interventions now = host.interventionsProperty().getValue();
        ContextMenu menu = new ContextMenu();
        for (boolean mean : new boolean[] {false, true}) {
            HeadAblation a = source.ablation(layer, head, mean);
            boolean on = now.contains(a.spec());
            MenuItem item = new MenuItem((on ? "Restore " : mean ? "Mean-ablate " : "Ablate ") + "layer " + layer
                    + " head " + head + (mean ? " (its mean over the prompt)" : " (zero)"));
            item.setId(mean ? "meanAblateHeadItem" : "ablateHeadItem");
            item.setOnAction(e -> host.toggleIntervention(a));
            menu.getItems().add(item);
        }
        return menu;
    }

    /** The heads of the shown attention that an intervention ablates, with its label. */
    private static Map<List<Integer>, String> ablatedHeads(ViewHost host) {
        AttentionSource source = host.attentionSourceProperty().getValue();
        Map<List<Integer>, String> marked = new HashMap<>();
        for (Intervention i : host.interventionsProperty().getValue().applied()) {
            if (i instanceof HeadAblation a && a.spec().equals(source.ablation(a.layer(), a.head(), a.mean()).spec())) {
                marked.put(List.of(a.layer(), a.head()), a.label());
            }
        }
        return marked;
    }

    /** Every layer's maps of the selected attention and batch row (also what the Head view tab draws). */
    static AttentionGridData gridData(Stepper s, ViewContext c) {
        return AttentionGridData.from(s, c);
    }
}
