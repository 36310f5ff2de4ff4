package dev.attnstudio.app.diff;

import dev.attnstudio.app.heatmap.ColorScale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;

import java.util.List;
import java.util.Locale;

/**
 * A layer x head grid of one number per head (a JS distance, an induction score), each cell coloured by its value on
 * the sequential palette between 0 and {@code max}, its value printed in it; a click selects the head. Plain numbers
 * in, nothing computed here.
 */
public final class HeadScoreGrid extends GridPane {

    /** A selected head: its row (a layer, or a site's layer) and head. */
    public record Cell(int row, int head) {
    }

    private static final double CELL_WIDTH = 58;
    private static final double CELL_HEIGHT = 30;

    private final ObjectProperty<Cell> selected = new SimpleObjectProperty<>(this, "selected");
    private Label[][] cells = new Label[0][0];

    public HeadScoreGrid() {
        getStyleClass().add("head-score-grid");
        setHgap(2);
        setVgap(2);
        selected.addListener((obs, old, now) -> mark());
    }

    public ObjectProperty<Cell> selectedProperty() {
        return selected;
    }

    /**
     * Shows {@code values[row][head]} with row labels; {@code max} is the value of the darkest colour.
     *
     * @param tooltips one text per cell (null: the value alone)
     */
    public void show(List<String> rowLabels, double[][] values, double max, String[][] tooltips) {
        getChildren().clear();
        int heads = values.length == 0 ? 0 : values[0].length;
        for (int h = 0; h < heads; h++) {
            Label head = header("H" + h);
            add(head, h + 1, 0);
        }
        cells = new Label[values.length][heads];
        for (int r = 0; r < values.length; r++) {
            add(header(rowLabels.get(r)), 0, r + 1);
            for (int h = 0; h < heads; h++) {
                double v = values[r][h];
                Label cell = new Label(Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v < 10 ? "%.3f" : "%.1f", v));
                cell.setId("headCell-" + r + "-" + h);
                cell.getStyleClass().add("head-score-cell");
                cell.setAlignment(Pos.CENTER);
                cell.setMinSize(CELL_WIDTH, CELL_HEIGHT);
                cell.setPrefSize(CELL_WIDTH, CELL_HEIGHT);
                int argb = Double.isNaN(v) ? ColorScale.notANumber() : ColorScale.sequential(max > 0 ? v / max : 0);
                String fill = String.format(Locale.ROOT, "#%06x", argb & 0xffffff);
                cell.setStyle("-fx-background-color: " + fill + "; -fx-text-fill: "
                        + (ColorScale.dark(argb) ? "white" : "black") + ";");
                if (tooltips != null && tooltips[r][h] != null) {
                    cell.setTooltip(new Tooltip(tooltips[r][h]));
                }
                int row = r;
                int col = h;
                cell.setOnMouseClicked(e -> selected.set(new Cell(row, col)));
                cells[r][h] = cell;
                add(cell, h + 1, r + 1);
            }
        }
        mark();
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("muted");
        l.setMinWidth(Region.USE_PREF_SIZE);
        l.setAlignment(Pos.CENTER);
        return l;
    }

    /** Outlines the selected cell. */
    private void mark() {
        Cell s = selected.get();
        for (int r = 0; r < cells.length; r++) {
            for (int h = 0; h < cells[r].length; h++) {
                String style = cells[r][h].getStyle().replaceAll(" -fx-border-color:[^;]*; -fx-border-width:[^;]*;", "");
                if (s != null && s.row() == r && s.head() == h) {
                    style += " -fx-border-color: -as-special; -fx-border-width: 2;";
                }
                cells[r][h].setStyle(style);
            }
        }
    }
}
