package dev.attnstudio.app.panels;

import javafx.scene.Node;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/** Small helpers for the panels' JavaFX charts. */
final class Charts {

    private Charts() {
    }

    /** Installs a tooltip on a data item's node once the chart has created it (and on any node it makes later). */
    static <X, Y> void tooltip(XYChart.Data<X, Y> item, String text) {
        Tooltip tip = new Tooltip(text);
        tip.setShowDelay(Duration.millis(150));
        if (item.getNode() != null) {
            Tooltip.install(item.getNode(), tip);
        }
        item.nodeProperty().addListener((obs, old, now) -> {
            if (now != null) {
                Tooltip.install(now, tip);
            }
        });
    }

    /** Adds a style class to a data item's node once the chart has created it. */
    static <X, Y> void styleClass(XYChart.Data<X, Y> item, String styleClass) {
        java.util.function.Consumer<Node> add = n -> {
            if (!n.getStyleClass().contains(styleClass)) {
                n.getStyleClass().add(styleClass);
            }
        };
        if (item.getNode() != null) {
            add.accept(item.getNode());
        }
        item.nodeProperty().addListener((obs, old, now) -> {
            if (now != null) {
                add.accept(now);
            }
        });
    }
}
