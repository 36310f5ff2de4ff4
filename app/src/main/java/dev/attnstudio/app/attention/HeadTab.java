package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewCell;
import dev.attnstudio.app.views.ViewCells;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.step.Stepper;

/** The Head tab: the selected head's map enlarged, exported as SVG vector cells. */
public final class HeadTab {

    public static final ViewSpec SPEC = new ViewSpec("head", "Head",
            "One head enlarged, with token labels on both axes; hover a cell for its value", HeadTab::build);

    private HeadTab() {
    }

    private static BuiltView build(ViewHost host) {
        HeadDetailView head = new HeadDetailView(host.attentionSettings());
        head.setId("headDetail");
        head.dataProperty().bind(host.feed("Head", HeadTab::stageData).dataProperty());
        ViewCells.follow(host.cellProperty(), head.dataProperty(), c -> pointAt(head.map(), c));
        return BuiltView.of(head)
                .exportedAs(ViewExport.figure(head, AttentionFigures.head(head, host.attentionSettings())).withHeadInName()
                        .withMap(() -> map(head)))
                .readingOut(head.readoutProperty());
    }

    /** The selected head's stages (also what the Stages tab draws). */
    static StageData stageData(Stepper s, ViewContext c) {
        return StageData.from(s, c);
    }

    /** Moves the map's cell cursor onto a cell (a lint finding's) when the map has it. */
    static void pointAt(AttentionMapView map, ViewCell c) {
        AttentionMatrix m = map.getMatrix();
        if (m != null && c.row() < m.rows() && c.col() < m.cols()) {
            map.cellCursorProperty().set(MapCell.single(c.row(), c.col()));
        }
    }

    /** The map the view draws, or null. */
    private static Heatmap map(HeadDetailView view) {
        AttentionMatrix m = view.map().getMatrix();
        if (m == null) {
            return null;
        }
        return Heatmap.of(m.hook(), view.getData().head(), view.getData().heads(), m.rows(), m.cols(), m.values(),
                m.rowLabels(), m.colLabels());
    }
}
