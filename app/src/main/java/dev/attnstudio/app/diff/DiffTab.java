package dev.attnstudio.app.diff;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Diff tab: the shown model against a training checkpoint of its sample or a model folder, head by head. */
public final class DiffTab {

    public static final ViewSpec SPEC = new ViewSpec("diff", "Diff",
            "Compare with a training checkpoint or a model folder: JS distance per head, two maps side by side",
            DiffTab::build);

    private DiffTab() {
    }

    private static BuiltView build(ViewHost host) {
        DiffPanel panel = new DiffPanel(host.attentionSettings());
        panel.setId("diffPanel");
        panel.inputProperty().bind(host.feed("Diff", DiffInput::from).dataProperty());
        return BuiltView.of(panel).exportedAs(ViewExport.picture(panel));
    }
}
