package dev.attnstudio.app.pipeline;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Pipeline tab: the model as blocks and sub-layers; a click on a computed step moves the cursor there. */
public final class PipelineTab {

    public static final ViewSpec SPEC = new ViewSpec("pipeline", "Pipeline",
            "The model drawn as its blocks and sub-layers, the current step highlighted", PipelineTab::build);

    private PipelineTab() {
    }

    private static BuiltView build(ViewHost host) {
        PipelineView pipeline = new PipelineView();
        pipeline.setId("pipelineView");
        pipeline.dataProperty().bind(host.feed("Pipeline", (s, c) -> PipelineData.from(s)).dataProperty());
        pipeline.setOnJump(target -> host.jumpTo(target.group(), target.index()));
        return BuiltView.of(pipeline);
    }
}
