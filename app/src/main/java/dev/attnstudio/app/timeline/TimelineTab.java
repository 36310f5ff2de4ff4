package dev.attnstudio.app.timeline;

import dev.attnstudio.app.diff.DiffInput;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Timeline tab: scrub through a sample's training checkpoints and watch its heads form. */
public final class TimelineTab {

    public static final ViewSpec SPEC = new ViewSpec("timeline", "Timeline",
            "Scrub through the training checkpoints: every head's induction score, its pattern, and the loss curve",
            TimelineTab::build);

    private TimelineTab() {
    }

    private static BuiltView build(ViewHost host) {
        TimelinePanel panel = new TimelinePanel(host.attentionSettings());
        panel.setId("timelinePanel");
        panel.inputProperty().bind(host.feed("Timeline", DiffInput::from).dataProperty());
        return BuiltView.of(panel).exportedAs(ViewExport.picture(panel));
    }
}
