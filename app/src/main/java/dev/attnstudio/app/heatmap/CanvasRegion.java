package dev.attnstudio.app.heatmap;

import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.Styleable;
import javafx.css.StyleableObjectProperty;
import javafx.css.StyleablePropertyFactory;
import javafx.geometry.Insets;
import javafx.geometry.Rectangle2D;
import javafx.scene.SnapshotParameters;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;

import java.net.URL;
import java.util.List;
import java.util.Objects;

/**
 * A region that draws on one canvas filling its content area, and paints it anew whenever its size or a theme
 * colour changes. The theme colours a drawing needs are CSS properties of the region, set from the app's
 * semantic tokens in {@code canvas.css} ({@code -as-canvas-text: -as-text} ...), so a canvas follows the light
 * and the dark theme exactly like a styled control; a theme switch restyles them and so redraws.
 *
 * <p>Subclasses draw in {@link #paint} and call {@link #redraw()} when their own data changes. An export draws the
 * same painting again at a higher resolution ({@link #render}): a drawing writes its pixel images at
 * {@link #pixelScale()} pixels per point and leaves out what only the screen needs (cursor, minimap) while
 * {@link #exporting()}.
 */
public abstract class CanvasRegion extends Region {

    /** The style class every canvas region carries ({@code canvas.css} styles it). */
    public static final String STYLE_CLASS = "canvas-region";

    private static final StyleablePropertyFactory<CanvasRegion> CSS = new StyleablePropertyFactory<>(Region.getClassCssMetaData());
    // the light theme's values: what a drawing uses outside a scene styled with app.css
    private static final CssMetaData<CanvasRegion, Color> TEXT = meta("-as-canvas-text", r -> r.text, "#1f2328");
    private static final CssMetaData<CanvasRegion, Color> MUTED = meta("-as-canvas-muted", r -> r.muted, "#5f6872");
    private static final CssMetaData<CanvasRegion, Color> BORDER = meta("-as-canvas-border", r -> r.border, "#d5dae1");
    private static final CssMetaData<CanvasRegion, Color> SURFACE = meta("-as-canvas-surface", r -> r.surface, "#ffffff");
    private static final CssMetaData<CanvasRegion, Color> ACCENT = meta("-as-canvas-accent", r -> r.accent, "#2f66d0");
    private static final CssMetaData<CanvasRegion, Color> PENDING = meta("-as-canvas-pending", r -> r.pending, "#a3aab3");
    private static final CssMetaData<CanvasRegion, Color> SPECIAL = meta("-as-canvas-special", r -> r.special, "#a34f00");

    private final StyleableObjectProperty<Color> text = colour(TEXT);
    private final StyleableObjectProperty<Color> muted = colour(MUTED);
    private final StyleableObjectProperty<Color> border = colour(BORDER);
    private final StyleableObjectProperty<Color> surface = colour(SURFACE);
    private final StyleableObjectProperty<Color> accent = colour(ACCENT);
    private final StyleableObjectProperty<Color> pending = colour(PENDING);
    private final StyleableObjectProperty<Color> special = colour(SPECIAL);

    private final Canvas canvas = new Canvas();
    /** Pixels per point of the painting under way: 1 on screen, the export's scale while rendering for it. */
    private double pixelScale = 1;
    private boolean exporting;

    protected CanvasRegion() {
        getStyleClass().add(STYLE_CLASS);
        getStylesheets().add(stylesheet());
        getChildren().add(canvas);
    }

    private static CssMetaData<CanvasRegion, Color> meta(String property,
                                                         java.util.function.Function<CanvasRegion, StyleableObjectProperty<Color>> of,
                                                         String light) {
        return CSS.createColorCssMetaData(property, of::apply, Color.web(light), false);
    }

    private StyleableObjectProperty<Color> colour(CssMetaData<CanvasRegion, Color> meta) {
        StyleableObjectProperty<Color> p = new SimpleStyleableObjectProperty<>(meta, this, meta.getProperty(), meta.getInitialValue(this));
        p.addListener((obs, old, now) -> redraw());
        return p;
    }

    /** The stylesheet that maps the theme tokens onto the canvas colours; added by every canvas region. */
    public static String stylesheet() {
        URL url = Objects.requireNonNull(CanvasRegion.class.getResource("/dev/attnstudio/app/heatmap/canvas.css"),
                "canvas.css is missing");
        return url.toExternalForm();
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() {
        return CSS.getCssMetaData();
    }

    @Override
    public List<CssMetaData<? extends Styleable, ?>> getCssMetaData() {
        return getClassCssMetaData();
    }

    /** The theme's colours as this region's style has them now. */
    public final ThemeColours colours() {
        return new ThemeColours(text.get(), muted.get(), border.get(), surface.get(), accent.get(), pending.get(), special.get());
    }

    /** The canvas (its layout position is the region's top-left inset). */
    protected final Canvas canvas() {
        return canvas;
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
    public final void redraw() {
        GraphicsContext gc = canvas.getGraphicsContext2D();
        gc.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        paint(gc, canvas.getWidth(), canvas.getHeight());
    }

    /**
     * The drawing as it is now, painted again at {@code scale} pixels per point and cropped to {@code bounds} (points of
     * the canvas): what an export shows, without the cursor and the minimap. FX thread.
     */
    public final WritableImage render(double scale, Rectangle2D bounds) {
        if (!(scale > 0) || bounds.getWidth() < 1 || bounds.getHeight() < 1) {
            throw new IllegalArgumentException("nothing to render at scale " + scale + " in " + bounds);
        }
        Canvas target = new Canvas(Math.round(bounds.getWidth() * scale), Math.round(bounds.getHeight() * scale));
        GraphicsContext gc = target.getGraphicsContext2D();
        gc.scale(scale, scale);
        gc.translate(-bounds.getMinX(), -bounds.getMinY());
        pixelScale = scale;
        exporting = true;
        try {
            paint(gc, canvas.getWidth(), canvas.getHeight());
        } finally {
            pixelScale = 1;
            exporting = false;
            redraw(); // what the last painting remembered (layout, hover geometry) is the screen's again
        }
        SnapshotParameters p = new SnapshotParameters();
        p.setFill(Color.TRANSPARENT);
        return target.snapshot(p, null);
    }

    /** Pixels per point of the painting under way: 1 on screen, the export's scale while {@link #exporting()}. */
    protected final double pixelScale() {
        return pixelScale;
    }

    /** Whether the painting under way is for an export (no cursor, no minimap, fresh pixel buffers). */
    protected final boolean exporting() {
        return exporting;
    }

    /** Paints the whole drawing on a cleared canvas of this size (possibly tiny or empty). */
    protected abstract void paint(GraphicsContext gc, double width, double height);

    /**
     * The theme colours a canvas draws its chrome in (text, grid, outlines, hatches; never the data palette,
     * which is the same in both themes).
     */
    public record ThemeColours(Color text, Color muted, Color border, Color surface, Color accent, Color pending,
                               Color special) {
    }
}
