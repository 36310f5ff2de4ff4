package dev.attnstudio.app.export;

import dev.attnstudio.app.theme.Styles;
import javafx.geometry.Bounds;
import javafx.geometry.Rectangle2D;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.Label;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.transform.Transform;

import java.util.List;

/**
 * A view captured for export: the node's pixels at a scale factor and, optionally, its caption set in the
 * app's own fonts and theme colours, both taken on the FX thread ({@link Node#snapshot} must run there).
 * Turning them into one pixel array and encoding that ({@link #pixels()}) happen on any thread.
 *
 * @param width  the node's width in layout units (the SVG's width; pixels are {@code width * scale})
 * @param scale  pixels per layout unit
 */
public record Picture(WritableImage body, WritableImage caption, double width, double height, double scale,
                      Caption captionText, Paint background) {

    /** The caption's stylesheet (theme colour tokens only). */
    private static final String CAPTION_CSS = java.util.Objects.requireNonNull(Picture.class.getResource("caption.css"),
            "export/caption.css is missing").toExternalForm();

    /** Row-major ARGB pixels. */
    public record Pixels(int width, int height, int[] argb) {
    }

    /**
     * Snapshots {@code node} (its layout bounds) at {@code scale}, with its caption (null: none) under it.
     * Must be called on the FX thread.
     */
    public static Picture take(Node node, double scale, Caption caption) {
        return take(node, node, scale, caption);
    }

    /**
     * Snapshots {@code node} at {@code scale} with its caption (null: none) under it, in the styles of
     * {@code styleSource}: a node in no scene (a {@link Figure}) is first laid out in a scene of its own that carries
     * the source's stylesheets and theme. Must be called on the FX thread.
     */
    public static Picture take(Node node, Node styleSource, double scale, Caption caption) {
        if (!(scale > 0 && scale <= 8)) {
            throw new IllegalArgumentException("scale factor " + scale + " is outside (0, 8]");
        }
        if (node.getScene() == null) {
            Scene scene = new Scene(new Group(node)); // a Group sizes the node to its preferred size
            styleLike(scene, styleSource);
            node.applyCss();
            scene.getRoot().layout();
        }
        Bounds b = node.getLayoutBounds();
        if (b.getWidth() < 1 || b.getHeight() < 1) {
            throw new IllegalArgumentException("the view to export has no size (" + b.getWidth() + " x " + b.getHeight()
                    + "): show it first");
        }
        VBox captionBox = captionBox(styleSource, caption == null ? List.of() : caption.lines(), b.getWidth());
        Paint background = captionBox.getBackground() != null && !captionBox.getBackground().getFills().isEmpty()
                ? captionBox.getBackground().getFills().get(0).getFill() : Color.WHITE;
        WritableImage body = snap(node, b, scale, background);
        WritableImage captionImage = caption == null || caption.lines().isEmpty() ? null
                : snap(captionBox, captionBox.getLayoutBounds(), scale, background);
        return new Picture(body, captionImage, b.getWidth(), b.getHeight(), scale, caption, background);
    }

    /** Gives a scene of its own the stylesheets and root theme (style classes, pseudo-classes) of {@code source}'s scene. */
    private static void styleLike(Scene scene, Node source) {
        Scene from = source == null ? null : source.getScene();
        Parent root = scene.getRoot();
        if (from != null) {
            scene.getStylesheets().setAll(from.getStylesheets());
            Parent r = from.getRoot();
            root.getStyleClass().addAll(r.getStyleClass().stream().filter(c -> !root.getStyleClass().contains(c)).toList());
            r.getPseudoClassStates().forEach(pc -> root.pseudoClassStateChanged(pc, true));
        }
        if (scene.getStylesheets().isEmpty()) {
            scene.getStylesheets().add(Styles.stylesheet());
        }
    }

    private static WritableImage snap(Node node, Bounds b, double scale, Paint fill) {
        SnapshotParameters p = new SnapshotParameters();
        p.setTransform(Transform.scale(scale, scale));
        p.setViewport(new Rectangle2D(b.getMinX() * scale, b.getMinY() * scale,
                Math.round(b.getWidth() * scale), Math.round(b.getHeight() * scale)));
        p.setFill(fill);
        return node.snapshot(p, null);
    }

    /**
     * The caption laid out in a scene of its own that carries the exported view's stylesheets and root theme
     * (style classes and pseudo-classes), so it takes the same fonts and colours.
     */
    private static VBox captionBox(Node node, List<String> lines, double width) {
        VBox box = new VBox();
        box.getStyleClass().add("export-caption");
        for (int i = 0; i < lines.size(); i++) {
            Label l = new Label(lines.get(i));
            l.setWrapText(true);
            l.setMaxWidth(Double.MAX_VALUE);
            if (i == 0) {
                l.getStyleClass().add("export-caption-first");
            }
            box.getChildren().add(l);
        }
        box.setPrefWidth(width);
        box.setMinWidth(width);
        box.setMaxWidth(width);
        Scene scene = new Scene(new Group(box)); // a Group sizes the box to its preferred size, not the scene's
        styleLike(scene, node);
        scene.getStylesheets().add(CAPTION_CSS);
        box.applyCss();
        box.setPrefHeight(Math.max(1, box.prefHeight(width))); // wrapped lines counted at this width
        scene.getRoot().layout();
        box.layout();
        return box;
    }

    /** The body with the caption under it, as one pixel array. Any thread. */
    public Pixels pixels() {
        int w = (int) body.getWidth();
        int bh = (int) body.getHeight();
        int ch = caption == null ? 0 : (int) caption.getHeight();
        int[] argb = new int[w * (bh + ch)];
        body.getPixelReader().getPixels(0, 0, w, bh, PixelFormat.getIntArgbInstance(), argb, 0, w);
        if (caption != null) {
            int cw = Math.min(w, (int) caption.getWidth());
            caption.getPixelReader().getPixels(0, 0, cw, ch, PixelFormat.getIntArgbInstance(), argb, w * bh, w);
        }
        return new Pixels(w, bh + ch, argb);
    }
}
