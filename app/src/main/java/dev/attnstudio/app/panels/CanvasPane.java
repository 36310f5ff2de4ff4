package dev.attnstudio.app.panels;

import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.Styleable;
import javafx.css.StyleableObjectProperty;
import javafx.css.StyleablePropertyFactory;
import javafx.geometry.Insets;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;

import java.util.List;

/**
 * A region that draws on a canvas filling it, redrawn whenever its size or its colours change. The chrome
 * colours (text, grid, hatches) are CSS properties set from the theme's semantic tokens in {@code panels.css}
 * ({@code -as-canvas-text: -as-text} ...), so canvas drawings follow the light and the dark theme like
 * controls do.
 */
abstract class CanvasPane extends Region {

    private static final StyleablePropertyFactory<CanvasPane> CSS = new StyleablePropertyFactory<>(Region.getClassCssMetaData());
    private static final CssMetaData<CanvasPane, Color> TEXT =
            CSS.createColorCssMetaData("-as-canvas-text", p -> p.text, Color.web("#1f2328"), false);
    private static final CssMetaData<CanvasPane, Color> MUTED =
            CSS.createColorCssMetaData("-as-canvas-muted", p -> p.muted, Color.web("#5f6872"), false);
    private static final CssMetaData<CanvasPane, Color> BORDER =
            CSS.createColorCssMetaData("-as-canvas-border", p -> p.border, Color.web("#d5dae1"), false);
    private static final CssMetaData<CanvasPane, Color> SURFACE =
            CSS.createColorCssMetaData("-as-canvas-surface", p -> p.surface, Color.WHITE, false);
    private static final CssMetaData<CanvasPane, Color> ACCENT =
            CSS.createColorCssMetaData("-as-canvas-accent", p -> p.accent, Color.web("#2f66d0"), false);
    private static final CssMetaData<CanvasPane, Color> SPECIAL =
            CSS.createColorCssMetaData("-as-canvas-special", p -> p.special, Color.web("#a34f00"), false);

    final StyleableObjectProperty<Color> text = colour(TEXT, "text");
    final StyleableObjectProperty<Color> muted = colour(MUTED, "muted");
    final StyleableObjectProperty<Color> border = colour(BORDER, "border");
    final StyleableObjectProperty<Color> surface = colour(SURFACE, "surface");
    final StyleableObjectProperty<Color> accent = colour(ACCENT, "accent");
    final StyleableObjectProperty<Color> special = colour(SPECIAL, "special");

    final Canvas canvas = new Canvas();

    CanvasPane() {
        getStyleClass().add(PanelStyles.CANVAS_PANE);
        getStylesheets().add(PanelStyles.stylesheet());
        getChildren().add(canvas);
    }

    private StyleableObjectProperty<Color> colour(CssMetaData<CanvasPane, Color> meta, String name) {
        StyleableObjectProperty<Color> p = new SimpleStyleableObjectProperty<>(meta, this, name, meta.getInitialValue(this));
        p.addListener((obs, old, now) -> redraw());
        return p;
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() {
        return CSS.getCssMetaData();
    }

    @Override
    public List<CssMetaData<? extends Styleable, ?>> getCssMetaData() {
        return getClassCssMetaData();
    }

    @Override
    protected void layoutChildren() {
        Insets in = getInsets();
        double w = Math.max(0, snapSizeX(getWidth()) - in.getLeft() - in.getRight());
        double h = Math.max(0, snapSizeY(getHeight()) - in.getTop() - in.getBottom());
        canvas.relocate(in.getLeft(), in.getTop());
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            redraw();
        }
    }

    @Override
    protected double computeMinWidth(double height) {
        return 0;
    }

    @Override
    protected double computeMinHeight(double width) {
        return 0;
    }

    /** Clears the canvas and paints it anew. */
    final void redraw() {
        GraphicsContext gc = canvas.getGraphicsContext2D();
        gc.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        if (canvas.getWidth() >= 4 && canvas.getHeight() >= 4) {
            paint(gc, canvas.getWidth(), canvas.getHeight());
        }
    }

    abstract void paint(GraphicsContext gc, double width, double height);
}
