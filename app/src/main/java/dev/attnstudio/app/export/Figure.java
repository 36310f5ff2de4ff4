package dev.attnstudio.app.export;

import javafx.scene.Node;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;

/**
 * A view's map (or maps) as File > Export draws it: not the view with its live controls, but the map itself with its
 * labels and legend, its cells drawn again at the export's resolution, and the caption facts that say what it shows.
 */
public interface Figure {

    /**
     * Builds the figure on the FX thread: a node (in no scene) sized in points as the map is on screen, whose pixel
     * images hold {@code scale} pixels per point. {@link Picture#take} lays it out in the view's styles and snapshots
     * it at that scale.
     */
    Node render(double scale);

    /**
     * The caption of what the figure shows now: {@code modelAndPrompt} (the model and the prompt or prompts) with the
     * layer, head, stage and colour scale.
     */
    Caption caption(Caption modelAndPrompt);

    /** An image of {@code scale} pixels per point shown at its size in points (pixels drawn one for one on export). */
    static ImageView image(Image image, double scale) {
        ImageView view = new ImageView(image);
        view.setSmooth(false);
        view.setFitWidth(image.getWidth() / scale);
        view.setFitHeight(image.getHeight() / scale);
        return view;
    }
}
