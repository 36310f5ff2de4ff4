package dev.attnstudio.app.panels;

import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.heatmap.ColorScale;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.chart.Chart;
import javafx.scene.control.Label;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.transform.Transform;

import java.util.ArrayList;
import java.util.List;

/**
 * The KV cache view as File > Export draws it: the two charts (cache bytes and compute time per pass) as they are on
 * screen, and the cached keys or values of the chosen layer and head drawn again at the export's scale with their
 * legend; none of the panel's controls.
 */
final class KvCacheFigure implements Figure {

    private final KvCachePanel panel;

    KvCacheFigure(KvCachePanel panel) {
        this.panel = panel;
    }

    @Override
    public Node render(double scale) {
        List<Node> parts = new ArrayList<>();
        HBox charts = new HBox(6);
        for (Chart c : List.of(panel.bytesChart(), panel.timeChart())) {
            if (c.isVisible() && c.getWidth() > 0) {
                SnapshotParameters p = new SnapshotParameters();
                p.setTransform(Transform.scale(scale, scale));
                p.setFill(Color.TRANSPARENT);
                charts.getChildren().add(Figure.image(c.snapshot(p, null), scale));
            }
        }
        parts.add(charts);
        WritableImage matrix = panel.matrix().figure(scale);
        if (matrix != null) {
            parts.add(Figure.image(matrix, scale));
            Label ramp = Swatch.entry((p, x, y) -> KvMatrixCanvas.colour(x - 6.5, 6.5), "negative \u2192 positive",
                    "Blue negative, white 0, red positive, scaled to the largest |entry| shown");
            Label prefill = Swatch.entry((p, x, y) -> ColorScale.argb(p.special()), "written by the prefill",
                    "Positions whose keys and values the prompt's pass computed");
            Label decode = Swatch.entry((p, x, y) -> ColorScale.argb(p.accent()), "written by a later pass",
                    "Positions added by decode passes, one per generated token");
            FlowPane legend = new FlowPane(12, 4, ramp, prefill, decode);
            legend.getStyleClass().add(PanelStyles.LEGEND);
            parts.add(legend);
        }
        VBox box = new VBox(8);
        box.getChildren().setAll(parts);
        box.getStylesheets().add(PanelStyles.stylesheet());
        box.setStyle("-fx-padding: 0 0 6 0; -fx-background-color: -as-surface;");
        return box;
    }

    @Override
    public Caption caption(Caption base) {
        KvCacheData d = panel.dataProperty().get();
        if (d == null) {
            return base;
        }
        boolean values = panel.showValuesProperty().get();
        return base.withLayer(d.layer()).withHead("kv head " + d.kvHead())
                .withStage((values ? d.valueHook() : d.keyHook()) + " (the cache's " + (values ? "values" : "keys")
                        + "); charts: cache bytes and compute time per pass")
                .withColourScale("diverging (RdBu), linear, \u2212|max| .. |max| of the entries shown");
    }
}
