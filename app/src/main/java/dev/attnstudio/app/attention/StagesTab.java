package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Stages tab: the selected head through QKᵀ, scaled, masked and softmax. */
public final class StagesTab {

    public static final ViewSpec SPEC = new ViewSpec("stages", "Stages",
            "One head through QK\u1d40 \u2192 scaled \u2192 masked \u2192 softmax, with one colour legend per stage",
            StagesTab::build);

    private StagesTab() {
    }

    private static BuiltView build(ViewHost host) {
        StageStripView stages = new StageStripView(host.attentionSettings());
        stages.setId("stageStrip");
        stages.dataProperty().bind(host.feed("Stages", HeadTab::stageData).dataProperty());
        return BuiltView.of(stages).exportedAs(ViewExport.figure(stages, AttentionFigures.stages(stages, host.attentionSettings())).withHeadInName())
                .readingOut(stages.readoutProperty());
    }
}
