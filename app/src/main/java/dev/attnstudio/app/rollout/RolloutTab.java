package dev.attnstudio.app.rollout;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.WorkBar;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Rollout tab: attention rollout and flow over the prompt, token x token, with the decoder caveat. */
public final class RolloutTab {

    public static final ViewSpec SPEC = new ViewSpec("rollout", "Rollout",
            "Attention rollout and flow: how much each input token reaches each output position through every layer;"
                    + " per head, and normalised by the receptive field for decoders", RolloutTab::build);

    private RolloutTab() {
    }

    private static BuiltView build(ViewHost host) {
        RolloutPanel panel = new RolloutPanel(host.attentionSettings());
        panel.setId("rolloutPanel");
        Memo<RolloutData.Computed> rollouts = new Memo<>();
        Memo<float[]> flows = new Memo<>();
        LongWork work = new LongWork();
        ViewFeed<RolloutData> feed = host.feed("Rollout", (s, c) -> RolloutData.from(s, c, panel.modeNow, rollouts, flows,
                work));
        panel.data.bind(feed.dataProperty());
        panel.placeholder.bind(feed.errorProperty().map(e -> "Rollout could not be computed: " + e)
                .orElse("Rollout is computed once a prompt is accepted."));
        panel.mode.addListener((obs, old, now) -> host.refresh());
        return BuiltView.of(WorkBar.around(panel, new WorkBar(work, SPEC.camelId(), host::refresh)))
                .readingOut(panel.readout());
    }
}
