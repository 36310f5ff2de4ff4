package dev.attnstudio.app.attention;

import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.views.AttentionSource;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Pane;

import java.util.ArrayList;
import java.util.List;

/**
 * The attention views as File > Export draws them ({@link Figure}): the map or maps drawn again at the export's scale
 * with labels and legend and without the views' controls, and the caption facts of each: layer, head, stage (the
 * hooks) and colour scale.
 */
final class AttentionFigures {

    private AttentionFigures() {
    }

    /** The Head tab: its one map. */
    static Figure head(HeadDetailView view, AttentionSettings settings) {
        return new Figure() {
            @Override
            public Node render(double scale) {
                return image(view.map().renderFigure(scale), scale);
            }

            @Override
            public Caption caption(Caption base) {
                StageData d = view.getData();
                AttentionMatrix m = view.map().getMatrix();
                if (d == null || m == null) {
                    return base;
                }
                return base.withLayer(layer(d.source(), d.layer())).withHead(d.head()).withStage(m.hook())
                        .withColourScale(scale(m, settings, view.map()));
            }
        };
    }

    /** The Stages tab: its four maps, arranged as on screen. */
    static Figure stages(StageStripView view, AttentionSettings settings) {
        return new Figure() {
            @Override
            public Node render(double scale) {
                GridPane grid = new GridPane();
                grid.setHgap(StageMapsPane.GAP);
                grid.setVgap(StageMapsPane.GAP);
                List<AttentionMapView> maps = view.maps();
                int columns = view.columns();
                for (int i = 0; i < maps.size(); i++) {
                    WritableImage img = maps.get(i).renderFigure(scale);
                    Node map = img == null ? new Pane() : Figure.image(img, scale);
                    GridPane.setValignment(map, VPos.TOP); // maps of one row share their top, legends may differ
                    grid.add(map, i % columns, i / columns);
                }
                return grid;
            }

            @Override
            public Caption caption(Caption base) {
                StageData d = view.getData();
                if (d == null) {
                    return base;
                }
                List<String> hooks = new ArrayList<>();
                List<String> scales = new ArrayList<>();
                for (int s = 0; s < StageData.HOOKS.size(); s++) {
                    AttentionMatrix m = d.stages().get(s);
                    hooks.add(d.source().hook(d.layer(), StageData.HOOKS.get(s)));
                    scales.add((s + 1) + ". " + (m == null ? "not computed" : CellColors.of(m.kind(), m.range(),
                            settings.getColorMode()).describe()));
                }
                AttentionMapView any = view.maps().get(view.maps().size() - 1);
                return base.withLayer(layer(d.source(), d.layer())).withHead(d.head()).withStage(String.join(" \u2192 ", hooks))
                        .withColourScale("each stage its own: " + String.join("; ", scales) + "; " + any.poolingText());
            }
        };
    }

    /** The Attention grid tab: every layer x head. */
    static Figure grid(AttentionGridView view, AttentionSettings settings) {
        return new Figure() {
            @Override
            public Node render(double scale) {
                return image(view.renderFigure(scale), scale);
            }

            @Override
            public Caption caption(Caption base) {
                AttentionGridData d = view.getData();
                if (d == null) {
                    return base;
                }
                CellColors colors = CellColors.of(AttentionMatrix.Kind.WEIGHTS, null, settings.getColorMode());
                int f = view.poolingFactor();
                return base.withLayer(all(d.layers())).withHead(all(d.heads()))
                        .withStage(d.source().stack() + ".*." + d.source().module() + "." + AttentionSource.PATTERN)
                        .withColourScale(colors.describe() + "; " + (f <= 1 ? "exact, 1 block = 1 query \u00d7 key"
                                : settings.getPooling().label + "-pooled " + f + "\u00d7" + f));
            }
        };
    }

    /** The Head view tab: the lines of one head or of every head of the layer. */
    static Figure lines(HeadLinesView view) {
        return new Figure() {
            @Override
            public Node render(double scale) {
                return image(view.renderFigure(scale), scale);
            }

            @Override
            public Caption caption(Caption base) {
                AttentionGridData d = view.getData();
                if (d == null) {
                    return base;
                }
                int layer = view.layerProperty().get();
                int head = view.headProperty().get();
                return base.withLayer(layer(d.source(), layer)).withHead(head < 0 ? all(d.heads()) : String.valueOf(head))
                        .withStage(d.source().hook(layer, AttentionSource.PATTERN))
                        .withColourScale("line width and opacity \u221d weight (0 .. 1), weights below "
                                + HeadLinesView.MIN_WEIGHT + " not drawn" + (head < 0 ? "; one hue per head" : ""));
            }
        };
    }

    /** A map's colour scale, pooling, masked cells and zoomed window, for the caption. */
    private static String scale(AttentionMatrix m, AttentionSettings settings, AttentionMapView map) {
        StringBuilder s = new StringBuilder(CellColors.of(m.kind(), m.range(), settings.getColorMode()).describe());
        s.append("; ").append(map.poolingText());
        if (m.range().masked() > 0) {
            s.append("; hatched = \u2212inf (masked)");
        }
        MapLayout l = map.lastLayout();
        if (l != null && l.g().zoomed()) {
            s.append(String.format(java.util.Locale.ROOT, "; zoomed: queries %d\u2013%d, keys %d\u2013%d of %d \u00d7 %d",
                    l.g().firstRow(), l.g().endRow() - 1, l.g().firstCol(), l.g().endCol() - 1, m.rows(), m.cols()));
        }
        return s.toString();
    }

    /** "3", or "decoder 3 (cross-attention)" for an encoder-decoder's attention. */
    private static String layer(AttentionSource source, int layer) {
        int dot = source.stack().indexOf('.');
        String stack = dot < 0 ? "" : source.stack().substring(0, dot) + " ";
        return stack + layer + (source.cross() ? " (cross-attention)" : "");
    }

    private static String all(int n) {
        return "all (0\u2013" + (n - 1) + ")";
    }

    private static Node image(WritableImage img, double scale) {
        if (img == null) {
            throw new IllegalStateException("nothing is drawn yet: step the pass until the view shows its map");
        }
        return Figure.image(img, scale);
    }
}
