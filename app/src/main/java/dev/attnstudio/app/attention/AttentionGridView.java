package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.CanvasRegion;
import dev.attnstudio.app.heatmap.ColorBar;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.metrics.Pooling;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every layer x head of one pass as thumbnails of its softmax pattern: layers down, heads across. All
 * thumbnails are written into one image. Clicking one (or moving with the arrow keys) selects that layer and
 * head; the selection is outlined. Layers whose pattern is not computed yet are drawn as dashed, empty frames
 * marked "pending". Thumbnails are pooled to their pixel size by the settings' rule, stated in the legend.
 */
public final class AttentionGridView extends CanvasRegion {

    private static final int MAX_THUMB = 160;
    private static final int MIN_THUMB = 6;
    private static final double LEGEND_HEIGHT = 46;
    private static final double HEADER = 16;
    private static final double ROW_HEADER = 30;

    private final AttentionSettings settings;
    private final ObjectProperty<AttentionGridData> data = new SimpleObjectProperty<>(this, "data");
    private final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", 0);
    private final IntegerProperty selectedHead = new SimpleIntegerProperty(this, "selectedHead", 0);
    private final Tooltip tip = new Tooltip();
    private final Font font = Font.font(11);
    private WritableImage image;
    private int[] pixels = new int[0];

    /** The geometry of the last drawing: thumbnail side, gap, origin, and the pooling factor used. */
    private int thumb;
    private int gap;
    private double originX;
    private double originY;
    private int lastFactor;

    public AttentionGridView() {
        this(new AttentionSettings());
    }

    /** Heads drawn crossed out (ablated by an intervention), as {layer, head} pairs; each with its label. */
    private final ObjectProperty<Map<List<Integer>, String>> markedHeads =
            new SimpleObjectProperty<>(this, "markedHeads", Map.of());

    public AttentionGridView(AttentionSettings settings) {
        this.settings = settings;
        getStyleClass().addAll("attention-view", "attention-grid-view");
        getStylesheets().add(AttentionStyles.stylesheet());
        setFocusTraversable(true);
        tip.setShowDelay(Duration.millis(250));
        tip.setText("Every layer \u00d7 head: click a thumbnail to select it; arrow keys move the selection");
        Tooltip.install(this, tip);
        data.addListener((obs, old, now) -> redraw());
        selectedLayer.addListener((obs, old, now) -> redraw());
        selectedHead.addListener((obs, old, now) -> redraw());
        markedHeads.addListener((obs, old, now) -> redraw());
        for (javafx.beans.Observable o : settings.dependencies()) {
            o.addListener(x -> redraw());
        }
        canvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            requestFocus();
            int[] at = thumbAt(e.getX(), e.getY());
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

    /** The {layer, head} of the thumbnail at a point of the view, or null between and outside thumbnails. */
    public int[] headAt(double x, double y) {
        return thumbAt(x, y);
    }

    public void select(int layer, int head) {
        selectedLayer.set(layer);
        selectedHead.set(head);
    }

    /** How many thumbnails the last drawing showed (computed and pending). */
    public int thumbnailCount() {
        AttentionGridData d = data.get();
        return d == null || thumb == 0 ? 0 : d.layers() * d.heads();
    }

    /** Side of one thumbnail in the last drawing, in pixels. */
    public int thumbnailSize() {
        return thumb;
    }

    /** Total pooling block side of the thumbnails (stored pooling times drawing pooling); 1 = exact. */
    public int poolingFactor() {
        return lastFactor;
    }

    /** Centre of a thumbnail in this view's coordinates. */
    public javafx.geometry.Point2D thumbnailCentre(int layer, int head) {
        return new javafx.geometry.Point2D(canvas().getLayoutX() + originX + head * (thumb + gap) + thumb / 2.0,
                canvas().getLayoutY() + originY + layer * (thumb + gap) + thumb / 2.0);
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
        thumb = 0;
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
        double availW = w - ROW_HEADER;
        double availH = h - HEADER - LEGEND_HEIGHT;
        int side = (int) Math.floor(Math.min(availW / heads, availH / layers));
        gap = side >= 40 ? 4 : side >= 16 ? 2 : 1;
        thumb = Math.max(MIN_THUMB, Math.min(MAX_THUMB, side - gap));
        originX = ROW_HEADER;
        originY = HEADER;
        int sr = d.storedRows();
        int sc = d.storedCols();
        int factor = Math.max(Pooling.factor(sr, thumb), Pooling.factor(sc, thumb));
        int cellW = Math.max(1, thumb / Pooling.blocks(sc, factor));
        int cellH = Math.max(1, thumb / Pooling.blocks(sr, factor));
        // whole pixels per block: the thumbnail shrinks to what its blocks fill
        thumb = Math.max(Pooling.blocks(sc, factor) * cellW, Pooling.blocks(sr, factor) * cellH);
        int iw = heads * (thumb + gap);
        int ih = layers * (thumb + gap);
        if (pixels.length != iw * ih) {
            pixels = new int[iw * ih];
        } else {
            Arrays.fill(pixels, 0);
        }
        lastFactor = factor * d.factor();
        Pooling.Rule rule = settings.getPooling();
        // weights always span [0, 1], so every thumbnail shares one scale and no range is needed
        CellColors colors = CellColors.of(AttentionMatrix.Kind.WEIGHTS, null, settings.getColorMode());
        for (int l = 0; l < layers; l++) {
            float[] values = d.layer(l, rule);
            if (values == null) {
                continue;
            }
            for (int hd = 0; hd < heads; hd++) {
                MapRaster.draw(values, hd * sr * sc, sc, 0, 0, sr, sc, factor, rule, colors, cellW, cellH,
                        pixels, iw, hd * (thumb + gap), l * (thumb + gap));
            }
        }
        if (image == null || (int) image.getWidth() != iw || (int) image.getHeight() != ih) {
            image = new WritableImage(iw, ih);
        }
        image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(), pixels, 0, iw);
        gc.setImageSmoothing(false);
        gc.drawImage(image, originX, originY);
        drawFrames(gc, d);
        drawLegend(gc, d, colors, w, h - LEGEND_HEIGHT + 6);
    }

    private void drawFrames(GraphicsContext gc, AttentionGridData d) {
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.CENTER);
        gc.setFill(colours().muted());
        int every = thumb >= 22 ? 1 : thumb >= 10 ? 2 : 4;
        for (int hd = 0; hd < d.heads(); hd += every) {
            gc.fillText("h" + hd, originX + hd * (thumb + gap) + thumb / 2.0, HEADER / 2);
        }
        gc.setTextAlign(TextAlignment.RIGHT);
        for (int l = 0; l < d.layers(); l++) {
            double y = originY + l * (thumb + gap);
            if (l % every == 0) {
                gc.setFill(d.computed(l) ? colours().text() : colours().pending());
                gc.fillText("L" + l, ROW_HEADER - 4, y + thumb / 2.0);
            }
            if (!d.computed(l)) {
                gc.setStroke(colours().pending());
                gc.setLineWidth(1);
                gc.setLineDashes(3, 3);
                for (int hd = 0; hd < d.heads(); hd++) {
                    gc.strokeRect(originX + hd * (thumb + gap) + 0.5, y + 0.5, thumb - 1, thumb - 1);
                }
                gc.setLineDashes();
                if (thumb >= 44) {
                    gc.setTextAlign(TextAlignment.CENTER);
                    gc.setFill(colours().pending());
                    for (int hd = 0; hd < d.heads(); hd++) {
                        gc.fillText("pending", originX + hd * (thumb + gap) + thumb / 2.0, y + thumb / 2.0);
                    }
                    gc.setTextAlign(TextAlignment.RIGHT);
                }
            }
        }
        gc.setStroke(colours().text());
        gc.setLineWidth(Math.max(1.5, thumb / 24.0));
        for (List<Integer> head : markedHeads.get().keySet()) {
            int l = head.get(0);
            int hd = head.get(1);
            if (l < d.layers() && hd < d.heads()) {
                double x = originX + hd * (thumb + gap);
                double y = originY + l * (thumb + gap);
                gc.strokeLine(x + 2, y + 2, x + thumb - 2, y + thumb - 2);
                gc.strokeLine(x + thumb - 2, y + 2, x + 2, y + thumb - 2);
            }
        }
        int sl = selectedLayer.get();
        int sh = selectedHead.get();
        if (sl >= 0 && sl < d.layers() && sh >= 0 && sh < d.heads()) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(originX + sh * (thumb + gap) - 1, originY + sl * (thumb + gap) - 1, thumb + 2, thumb + 2);
        }
    }

    private void drawLegend(GraphicsContext gc, AttentionGridData d, CellColors colors, double w, double y) {
        gc.setFont(font);
        gc.setTextBaseline(VPos.CENTER);
        gc.setTextAlign(TextAlignment.LEFT);
        gc.setFill(colours().muted());
        double x = 0;
        gc.fillText(colors.lowLabel(), x, y + 5);
        x += 34;
        double bar = Math.min(140, w * 0.3);
        ColorBar.draw(gc, x, y, bar, colors::legendArgb, colours().border());
        gc.setFill(colours().muted());
        gc.fillText(colors.highLabel() + "  " + colors.scaleName() + "  \u00b7  softmax weights, "
                + d.source().describe(), x + bar + 4, y + 5, Math.max(10, w - x - bar - 4));
        String pooling = lastFactor == 1 ? "exact: 1 block = 1 query \u00d7 key"
                : settings.getPooling().label + "-pooled " + lastFactor + "\u00d7" + lastFactor;
        gc.fillText(String.format(Locale.ROOT, "%s  \u00b7  %d layers \u00d7 %d heads, %d computed  \u00b7  %d queries \u00d7 %d keys",
                pooling, d.layers(), d.heads(), d.computedLayers(), d.rows(), d.cols()), 0, y + 22, w);
    }

    private int[] thumbAt(double x, double y) {
        AttentionGridData d = data.get();
        if (d == null || thumb == 0) {
            return null;
        }
        int hd = (int) Math.floor((x - originX) / (thumb + gap));
        int l = (int) Math.floor((y - originY) / (thumb + gap));
        if (hd < 0 || l < 0 || hd >= d.heads() || l >= d.layers()) {
            return null;
        }
        return new int[] {l, hd};
    }

    private void key(KeyEvent e) {
        AttentionGridData d = data.get();
        if (d == null || d.heads() == 0) {
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
        select(Math.max(0, Math.min(d.layers() - 1, l)), Math.max(0, Math.min(d.heads() - 1, hd)));
        e.consume();
    }
}
