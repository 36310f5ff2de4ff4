package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.MapGestures;
import dev.attnstudio.app.heatmap.MapViewport;
import dev.attnstudio.app.heatmap.Minimap;
import dev.attnstudio.app.heatmap.PixelEdges;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every layer x head of one pass as thumbnails of its softmax pattern: layers down, heads across, as large as the view
 * allows (the legend goes beside the thumbnails or under them, whichever leaves them larger). All visible thumbnails
 * are written into one image. Clicking one (or moving with the arrow keys) selects that layer and head; the selection
 * is outlined. Layers whose pattern is not computed yet are drawn as dashed, empty frames marked "pending". Thumbnails
 * are pooled to their pixel size by the settings' rule, stated in the legend. The grid zooms and pans like a map
 * ({@link MapGestures}; a double click opens the head instead of fitting), with a minimap while zoomed.
 */
public final class AttentionGridView extends CanvasRegion {

    private static final double HEADER = 16;
    private static final double ROW_HEADER = 30;
    /** Room an export leaves after the text: text set at a larger scale runs a little wider than measured at 1x. */
    static final double SLACK = 8;

    private final AttentionSettings settings;
    private final MapViewport viewport = new MapViewport();
    private final MapLegend legend = new MapLegend();
    private final ObjectProperty<AttentionGridData> data = new SimpleObjectProperty<>(this, "data");
    private final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", 0);
    private final IntegerProperty selectedHead = new SimpleIntegerProperty(this, "selectedHead", 0);
    /** Heads drawn crossed out (ablated by an intervention), as {layer, head} pairs; each with its label. */
    private final ObjectProperty<Map<List<Integer>, String>> markedHeads =
            new SimpleObjectProperty<>(this, "markedHeads", Map.of());
    private final Tooltip tip = new Tooltip();
    private final Font font = Font.font(11);
    private WritableImage image;
    private int[] pixels = new int[0];

    /** The last drawing on screen: its geometry (a cell is a thumbnail and its gap), what it covered, its minimap. */
    private MapViewport.Geometry geometry;
    private double gap;
    private int lastFactor;
    private Rectangle2D content;
    private Rectangle2D minimap;

    public AttentionGridView() {
        this(new AttentionSettings());
    }

    public AttentionGridView(AttentionSettings settings) {
        this.settings = settings;
        getStyleClass().addAll("attention-view", "attention-grid-view");
        getStylesheets().add(AttentionStyles.stylesheet());
        setFocusTraversable(true);
        tip.setShowDelay(Duration.millis(250));
        tip.setText("Every layer \u00d7 head: click a thumbnail to select it; arrow keys move the selection; "
                + "the wheel zooms, a drag pans, 0 fits");
        Tooltip.install(this, tip);
        data.addListener((obs, old, now) -> {
            if (old == null || now == null || old.layers() != now.layers() || old.heads() != now.heads()) {
                viewport.reset();
            }
            redraw();
        });
        selectedLayer.addListener((obs, old, now) -> redraw());
        selectedHead.addListener((obs, old, now) -> redraw());
        markedHeads.addListener((obs, old, now) -> redraw());
        viewport.addListener(this::redraw);
        for (javafx.beans.Observable o : settings.dependencies()) {
            o.addListener(x -> redraw());
        }
        MapGestures gestures = MapGestures.install(canvas(), this, viewport, () -> geometry, () -> minimap, false);
        canvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> requestFocus());
        canvas().addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            int[] at = e.getButton() == MouseButton.PRIMARY && e.isStillSincePress() && !gestures.onMinimap(e.getX(), e.getY())
                    ? thumbAt(e.getX(), e.getY()) : null;
            if (at != null) {
                select(at[0], at[1]);
            }
        });
        canvas().addEventHandler(MouseEvent.MOUSE_MOVED, e -> {
            int[] at = thumbAt(e.getX(), e.getY());
            AttentionGridData d = data.get();
            if (at != null && d != null) {
                String mark = markedHeads.get().get(List.of(at[0], at[1]));
                tip.setText(d.source().caption(at[0], at[1]) + (d.computed(at[0]) ? "" : "  (pending)")
                        + (mark == null ? "" : "\n" + mark) + "\nclick to select; right-click to ablate or restore");
            }
        });
        addEventHandler(KeyEvent.KEY_PRESSED, this::key);
    }

    public ObjectProperty<AttentionGridData> dataProperty() {
        return data;
    }

    public AttentionGridData getData() {
        return data.get();
    }

    public void setData(AttentionGridData d) {
        data.set(d);
    }

    /** The selected layer (bind the detail views' factory calls to it). */
    public IntegerProperty selectedLayerProperty() {
        return selectedLayer;
    }

    /** The selected head. */
    public IntegerProperty selectedHeadProperty() {
        return selectedHead;
    }

    /**
     * The heads to draw crossed out, each {layer, head} with the label of what was done to it (the app marks the heads
     * an intervention ablated).
     */
    public ObjectProperty<Map<List<Integer>, String>> markedHeadsProperty() {
        return markedHeads;
    }

    /** The zoom and window over the layers and heads. */
    public MapViewport viewport() {
        return viewport;
    }

    /** The {layer, head} of the thumbnail at a point of the view, or null between and outside thumbnails. */
    public int[] headAt(double x, double y) {
        return thumbAt(x - canvas().getLayoutX(), y - canvas().getLayoutY());
    }

    public void select(int layer, int head) {
        selectedLayer.set(layer);
        selectedHead.set(head);
    }

    /** How many thumbnails the last drawing showed, whole or in part (computed and pending). */
    public int thumbnailCount() {
        MapViewport.Geometry g = geometry;
        return g == null ? 0 : (g.endRow() - g.firstRow()) * (g.endCol() - g.firstCol());
    }

    /** Side of one thumbnail in the last drawing, in points. */
    public double thumbnailSize() {
        return geometry == null ? 0 : geometry.cellW() - gap;
    }

    /** The area the thumbnails cover in the last drawing (the grid's frame), in this view's coordinates, or null. */
    public Rectangle2D frame() {
        MapViewport.Geometry g = geometry;
        return g == null ? null : new Rectangle2D(canvas().getLayoutX() + g.x(), canvas().getLayoutY() + g.y(),
                g.frameW() - gap, g.frameH() - gap);
    }

    /** Total pooling block side of the thumbnails (stored pooling times drawing pooling); 1 = exact. */
    public int poolingFactor() {
        return lastFactor;
    }

    /** Whether the last drawing showed the minimap (it does while zoomed in). */
    public boolean minimapShown() {
        return minimap != null;
    }

    /** Centre of a thumbnail in this view's coordinates. */
    public javafx.geometry.Point2D thumbnailCentre(int layer, int head) {
        MapViewport.Geometry g = geometry;
        double t = thumbnailSize();
        return new javafx.geometry.Point2D(canvas().getLayoutX() + g.xOf(head) + t / 2, canvas().getLayoutY() + g.yOf(layer) + t / 2);
    }

    /** The grid as an export shows it (thumbnails, headers, legend; no minimap) at {@code scale}; null before a drawing. */
    public WritableImage renderFigure(double scale) {
        return content == null ? null : render(scale, content);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 640;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 560;
    }

    @Override
    protected void paint(GraphicsContext gc, double w, double h) {
        boolean live = !exporting();
        if (live) {
            geometry = null;
            content = null;
            minimap = null;
        }
        AttentionGridData d = data.get();
        if (d == null || d.heads() == 0 || w < 40 || h < 40) {
            gc.setFont(font);
            gc.setFill(colours().pending());
            gc.setTextAlign(TextAlignment.CENTER);
            gc.setTextBaseline(VPos.CENTER);
            gc.fillText(d == null ? "No pass yet" : "No layer's attention pattern is computed yet: step to "
                    + d.source().hook(0, AttentionSource.PATTERN), w / 2, h / 2, w);
            return;
        }
        int layers = d.layers();
        int heads = d.heads();
        double beside = Math.min((w - ROW_HEADER - MapLayout.GAP - MapLayout.LEGEND_BESIDE) / heads, (h - HEADER) / layers);
        double under = Math.min((w - ROW_HEADER) / heads, (h - HEADER - MapLegend.HEIGHT) / layers);
        double pitch = Math.max(2, Math.max(beside, under));
        MapViewport.Geometry g = viewport.fit(layers, heads, ROW_HEADER, HEADER, pitch, pitch);
        double p = g.cellW();
        double gp = p >= 40 ? 4 : p >= 16 ? 2 : 1;
        double scale = pixelScale();
        int iw = MapLayout.imageSize(g.frameW(), scale);
        int ih = MapLayout.imageSize(g.frameH(), scale);
        int[] target = exporting() ? new int[iw * ih] : pixels(iw * ih);
        int factor = rasterize(d, g, 0, 0, p * scale, gp * scale, target, iw, ih);
        WritableImage img = exporting() || image == null || (int) image.getWidth() != iw || (int) image.getHeight() != ih
                ? new WritableImage(iw, ih) : image;
        img.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), target, 0, iw);
        if (live) {
            image = img;
            geometry = g;
            gap = gp;
            lastFactor = factor * d.factor();
        }
        gc.setImageSmoothing(false);
        gc.drawImage(img, g.x(), g.y(), iw / scale, ih / scale);
        drawFrames(gc, d, g, gp);
        CellColors colors = CellColors.of(AttentionMatrix.Kind.WEIGHTS, null, settings.getColorMode());
        Rectangle2D area = beside > under
                ? new Rectangle2D(g.x() + g.frameW() + MapLayout.GAP, g.y(), MapLayout.LEGEND_BESIDE, h - g.y())
                : new Rectangle2D(0, g.y() + g.frameH() + 4, w, MapLegend.HEIGHT - 4);
        double[] reach = legend.draw(gc, colors, notes(d, g, factor * d.factor()), colours(), area);
        if (live) {
            double right = Math.max(g.x() + g.frameW(), area.getMinX() + reach[0]);
            double bottom = Math.max(g.y() + g.frameH(), area.getMinY() + reach[1]);
            content = new Rectangle2D(0, 0, Math.ceil(Math.min(w, right + SLACK)), Math.ceil(Math.min(h, bottom + 2)));
            if (g.zoomed()) {
                minimap = Minimap.place(g);
                if (minimap != null) {
                    Minimap.draw(gc, minimap, overview(d, minimap), g, colours());
                }
            }
        }
    }

    /**
     * Writes the visible thumbnails of {@code g} into {@code target} (an image {@code tw x th}), the frame's top-left
     * at pixel (x0, y0), {@code pitch} pixels from one thumbnail to the next, {@code gapPx} of them empty.
     *
     * @return the drawing's pooling factor on top of the stored one
     */
    private int rasterize(AttentionGridData d, MapViewport.Geometry g, double x0, double y0, double pitch, double gapPx,
                          int[] target, int tw, int th) {
        int sr = d.storedRows();
        int sc = d.storedCols();
        int thumbPx = Math.max(1, (int) Math.floor(pitch - gapPx));
        int factor = Math.max(Pooling.factor(sr, thumbPx), Pooling.factor(sc, thumbPx));
        int br = Pooling.blocks(sr, factor);
        int bc = Pooling.blocks(sc, factor);
        Pooling.Rule rule = settings.getPooling();
        // weights always span [0, 1], so every thumbnail shares one scale and no range is needed
        CellColors colors = CellColors.of(AttentionMatrix.Kind.WEIGHTS, null, settings.getColorMode());
        for (int l = g.firstRow(); l < g.endRow(); l++) {
            float[] values = d.layer(l, rule);
            if (values == null) {
                continue;
            }
            double y = y0 + (l - g.row0()) * pitch;
            int[] yEdges = PixelEdges.of(y, (pitch - gapPx) / br, br, th);
            for (int hd = g.firstCol(); hd < g.endCol(); hd++) {
                double x = x0 + (hd - g.col0()) * pitch;
                int[] xEdges = PixelEdges.of(x, (pitch - gapPx) / bc, bc, tw);
                MapRaster.draw(values, hd * sr * sc, sc, 0, 0, sr, sc, factor, rule, colors, xEdges, yEdges, 0, target, tw);
            }
        }
        return factor;
    }

    private void drawFrames(GraphicsContext gc, AttentionGridData d, MapViewport.Geometry g, double gp) {
        double p = g.cellW();
        double thumb = p - gp;
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setFill(colours().muted());
        int every = thumb >= 22 ? 1 : thumb >= 10 ? 2 : 4;
        for (int hd = g.firstCol(); hd < g.endCol(); hd++) {
            double x = g.xOf(hd) + thumb / 2;
            if (hd % every == 0 && x >= g.x() && x <= g.x() + g.frameW()) {
                gc.fillText("h" + hd, x, HEADER / 2);
            }
        }
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int l = g.firstRow(); l < g.endRow(); l++) {
            double y = g.yOf(l) + thumb / 2;
            if (l % every == 0 && y >= g.y() && y <= g.y() + g.frameH()) {
                gc.setFill(d.computed(l) ? colours().text() : colours().pending());
                gc.fillText("L" + l, ROW_HEADER - 4, y);
            }
        }
        gc.save();
        gc.beginPath();
        gc.rect(g.x() - 2, g.y() - 2, g.frameW() + 4, g.frameH() + 4);
        gc.clip();
        for (int l = g.firstRow(); l < g.endRow(); l++) {
            if (d.computed(l)) {
                continue;
            }
            double y = g.yOf(l);
            gc.setStroke(colours().pending());
            gc.setLineWidth(1);
            gc.setLineDashes(3, 3);
            for (int hd = g.firstCol(); hd < g.endCol(); hd++) {
                gc.strokeRect(g.xOf(hd) + 0.5, y + 0.5, thumb - 1, thumb - 1);
            }
            gc.setLineDashes();
            if (thumb >= 44) {
                gc.setTextAlign(TextAlignment.CENTER);
                gc.setFill(colours().pending());
                for (int hd = g.firstCol(); hd < g.endCol(); hd++) {
                    gc.fillText("pending", g.xOf(hd) + thumb / 2, y + thumb / 2);
                }
            }
        }
        gc.setStroke(colours().text());
        gc.setLineWidth(Math.max(1.5, thumb / 24.0));
        for (List<Integer> head : markedHeads.get().keySet()) {
            int l = head.get(0);
            int hd = head.get(1);
            if (l < d.layers() && hd < d.heads()) {
                double x = g.xOf(hd);
                double y = g.yOf(l);
                gc.strokeLine(x + 2, y + 2, x + thumb - 2, y + thumb - 2);
                gc.strokeLine(x + thumb - 2, y + 2, x + 2, y + thumb - 2);
            }
        }
        int sl = selectedLayer.get();
        int sh = selectedHead.get();
        if (!exporting() && sl >= 0 && sl < d.layers() && sh >= 0 && sh < d.heads()) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(g.xOf(sh) - 1, g.yOf(sl) - 1, thumb + 2, thumb + 2);
        }
        gc.restore();
    }

    private List<String> notes(AttentionGridData d, MapViewport.Geometry g, int factor) {
        List<String> notes = new ArrayList<>();
        notes.add("softmax weights, " + d.source().describe());
        notes.add(factor == 1 ? "exact: 1 block = 1 query \u00d7 key"
                : settings.getPooling().label + "-pooled " + factor + "\u00d7" + factor);
        notes.add(String.format(Locale.ROOT, "%d layers \u00d7 %d heads, %d computed", d.layers(), d.heads(), d.computedLayers()));
        if (g.zoomed()) {
            notes.add(String.format(Locale.ROOT, "showing layers %d\u2013%d, heads %d\u2013%d", g.firstRow(),
                    g.endRow() - 1, g.firstCol(), g.endCol() - 1));
        }
        notes.add(String.format(Locale.ROOT, "%d queries \u00d7 %d keys", d.rows(), d.cols()));
        return notes;
    }

    private int[] pixels(int size) {
        if (pixels.length != size) {
            pixels = new int[size];
        } else {
            java.util.Arrays.fill(pixels, 0);
        }
        return pixels;
    }

    /** Every thumbnail at the minimap's size. */
    private WritableImage overview(AttentionGridData d, Rectangle2D r) {
        int w = (int) r.getWidth();
        int h = (int) r.getHeight();
        int[] px = new int[w * h];
        MapViewport whole = new MapViewport();
        double pitch = Math.min(w / (double) d.heads(), h / (double) d.layers());
        rasterize(d, whole.fit(d.layers(), d.heads(), 0, 0, pitch, pitch), 0, 0, pitch, pitch >= 6 ? 1 : 0, px, w, h);
        WritableImage img = new WritableImage(w, h);
        img.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), px, 0, w);
        return img;
    }

    private int[] thumbAt(double x, double y) {
        AttentionGridData d = data.get();
        MapViewport.Geometry g = geometry;
        if (d == null || g == null || !g.contains(x, y) || minimap != null && minimap.contains(x, y)) {
            return null;
        }
        double col = g.colAt(x);
        double row = g.rowAt(y);
        int hd = (int) Math.floor(col);
        int l = (int) Math.floor(row);
        double thumb = g.cellW() - gap;
        if (hd < 0 || l < 0 || hd >= d.heads() || l >= d.layers() || (col - hd) * g.cellW() >= thumb
                || (row - l) * g.cellH() >= thumb) {
            return null;
        }
        return new int[] {l, hd};
    }

    private void key(KeyEvent e) {
        AttentionGridData d = data.get();
        if (d == null || d.heads() == 0 || e.isShiftDown() || e.isShortcutDown() || e.isAltDown()) {
            return;
        }
        int l = selectedLayer.get();
        int hd = selectedHead.get();
        switch (e.getCode()) {
            case UP -> l--;
            case DOWN -> l++;
            case LEFT -> hd--;
            case RIGHT -> hd++;
            default -> {
                return;
            }
        }
        l = Math.max(0, Math.min(d.layers() - 1, l));
        hd = Math.max(0, Math.min(d.heads() - 1, hd));
        select(l, hd);
        if (geometry != null) {
            viewport.reveal(geometry, l, hd);
        }
        e.consume();
    }
}
