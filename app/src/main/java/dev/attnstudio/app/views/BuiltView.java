package dev.attnstudio.app.views;

import javafx.beans.value.ObservableValue;
import javafx.scene.Node;

/**
 * A view as its {@link ViewSpec} built it for the window.
 *
 * @param node    what the view's tab shows
 * @param export  how File > Export writes it
 * @param readout what the mouse is over in the view (query, key, weight...), read out in the status bar; null for
 *                none. Texts starting with "Hover" are the view's own hints and stay in the view.
 */
public record BuiltView(Node node, ViewExport export, ObservableValue<String> readout) {

    public BuiltView {
        if (node == null || export == null) {
            throw new IllegalArgumentException("a view needs a node and an export");
        }
    }

    /** The node, exported as a picture of itself, with no readout. */
    public static BuiltView of(Node node) {
        return new BuiltView(node, ViewExport.picture(node), null);
    }

    public BuiltView exportedAs(ViewExport how) {
        return new BuiltView(node, how, readout);
    }

    public BuiltView readingOut(ObservableValue<String> text) {
        return new BuiltView(node, export, text);
    }
}
