package dev.attnstudio.app.inspector;

import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.step.Stepper;

import java.util.List;

/** The Inspector tab: the tensor of the step under the cursor. */
public final class InspectorTab {

    public static final ViewSpec SPEC = new ViewSpec("inspector", "Inspector",
            "The tensor of the current step: shape, statistics, histogram and values", InspectorTab::build);

    private InspectorTab() {
    }

    private static BuiltView build(ViewHost host) {
        TensorInspector inspector = new TensorInspector();
        inspector.setId("tensorInspector");
        inspector.dataProperty().bind(host.feed("Inspector", (s, c) -> InspectorData.from(s, rowLabels(s, c))).dataProperty());
        return BuiltView.of(inspector);
    }

    /** Row labels of the tensor under the cursor: the decoder's tokens for an encoder-decoder's decoder hooks. */
    private static List<List<String>> rowLabels(Stepper s, ViewContext c) {
        var at = s.current();
        if (at != null && at.name().startsWith("decoder.") && !c.decoderTokens().isEmpty()) {
            return List.of(c.decoderTokens().stream().map(TokenChip::text).toList());
        }
        return c.rowLabels();
    }
}
