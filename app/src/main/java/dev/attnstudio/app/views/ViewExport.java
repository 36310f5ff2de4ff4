package dev.attnstudio.app.views;

import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.heatmap.Heatmap;
import javafx.scene.Node;

import java.util.function.Supplier;

/**
 * How File > Export writes a view. A view with maps hands over a {@link Figure}: the map(s) drawn again at the
 * export's scale with their labels and legend, without the view's controls, captioned with what the figure says it
 * shows (layer, head, stage, colour scale) under the model and prompt. Other views are exported as a picture of their
 * node, captioned with the model, prompt, layer and the step under the cursor. An SVG is the map's cells as vectors
 * where the view has one map, else the PNG embedded with a vector caption.
 *
 * @param picture    the view's node: what a picture export draws, and whose styles (theme) a figure takes
 * @param figure     the view's map(s) for export, or null to export the picture
 * @param headInName whether the suggested file name names the selected head
 * @param map        the map an SVG export writes as vector cells, and whose hook the file name names; null (or giving
 *                   null: nothing drawn yet) for views without one
 */
public record ViewExport(Node picture, Figure figure, boolean headInName, Supplier<Heatmap> map) {

    public ViewExport {
        if (picture == null) {
            throw new IllegalArgumentException("an export needs the view's node");
        }
    }

    /** A picture of {@code node}, captioned with the model, prompt, layer and the step under the cursor. */
    public static ViewExport picture(Node node) {
        return new ViewExport(node, null, false, null);
    }

    /** The figure of a view's map(s), in the styles of the view {@code node}. */
    public static ViewExport figure(Node node, Figure figure) {
        return new ViewExport(node, figure, false, null);
    }

    /** The suggested file name names the selected head (views of one head). */
    public ViewExport withHeadInName() {
        return new ViewExport(picture, figure, true, map);
    }

    /** SVG exports write this map as vector cells while it gives one. */
    public ViewExport withMap(Supplier<Heatmap> vectorMap) {
        return new ViewExport(picture, figure, headInName, vectorMap);
    }

    /** The map as it is now, or null. */
    public Heatmap currentMap() {
        return map == null ? null : map.get();
    }
}
