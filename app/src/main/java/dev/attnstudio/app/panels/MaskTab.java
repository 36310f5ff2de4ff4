package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewCells;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Mask tab: the mask the selected attention actually applied. */
public final class MaskTab {

    public static final ViewSpec SPEC = new ViewSpec("mask", "Mask",
            "The mask actually applied: causal and padding parts, -inf cells apart from near-zero weights", MaskTab::build);

    private MaskTab() {
    }

    private static BuiltView build(ViewHost host) {
        MaskPanel mask = new MaskPanel();
        mask.setId("maskPanel");
        mask.dataProperty().bind(host.feed("Mask", (s, c) -> MaskData.from(s, c)).dataProperty());
        mask.headProperty().bindBidirectional(host.headProperty());
        ViewCells.follow(host.cellProperty(), mask.dataProperty(), c -> mask.pointAt(c.row(), c.col()));
        return BuiltView.of(mask).exportedAs(ViewExport.figure(mask, mask.figure())).readingOut(mask.hoverTextProperty());
    }
}
