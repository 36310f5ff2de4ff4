package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Head view tab: lines from queries to keys for the selected head. */
public final class HeadViewTab {

    public static final ViewSpec SPEC = new ViewSpec("head-view", "Head view",
            "Lines between query and key tokens, thickness = attention weight", HeadViewTab::build);

    private HeadViewTab() {
    }

    private static BuiltView build(ViewHost host) {
        HeadLinesView lines = new HeadLinesView();
        lines.setId("headLines");
        lines.dataProperty().bind(host.feed("Head view", AttentionGridTab::gridData).dataProperty());
        lines.layerProperty().bindBidirectional(host.layerProperty());
        lines.headProperty().set(host.headProperty().get());
        host.headProperty().addListener((obs, old, now) -> lines.headProperty().set(now.intValue()));
        return BuiltView.of(lines).exportedAs(ViewExport.figure(lines, AttentionFigures.lines(lines)).withHeadInName());
    }
}
