package dev.attnstudio.app.views;

import dev.attnstudio.app.heatmap.Heatmap;
import javafx.scene.Node;

import java.util.function.Supplier;

/**
 * How File > Export writes a view: a PNG of {@code picture} with a caption (model, prompt, layer, the hook the view
 * is about), or an SVG: the map's cells as vectors where the view has a map, else the picture with a vector caption.
 *
 * @param picture     the node PNG (and picture SVG) exports draw
 * @param headCaption whether the caption also names the selected head and the attention maps' colour scale
 * @param headInName  whether the suggested file name names the selected head
 * @param map         the map an SVG export writes as vector cells, and whose hook the caption and file name name;
 *                    null (or giving null: nothing drawn yet) for views without one
 */
public record ViewExport(Node picture, boolean headCaption, boolean headInName, Supplier<Heatmap> map) {

    /** A picture of {@code node}, captioned with the model, prompt, layer and the step under the cursor. */
    public static ViewExport picture(Node node) {
        return new ViewExport(node, false, false, null);
    }

    /** The caption names the selected head and the colour scale too (attention views). */
    public ViewExport withHeadCaption() {
        return new ViewExport(picture, true, headInName, map);
    }

    /** The suggested file name names the selected head (views of one head). */
    public ViewExport withHeadInName() {
        return new ViewExport(picture, headCaption, true, map);
    }

    /** SVG exports write this map as vector cells while it gives one. */
    public ViewExport withMap(Supplier<Heatmap> vectorMap) {
        return new ViewExport(picture, headCaption, headInName, vectorMap);
    }

    /** The map as it is now, or null. */
    public Heatmap currentMap() {
        return map == null ? null : map.get();
    }
}
