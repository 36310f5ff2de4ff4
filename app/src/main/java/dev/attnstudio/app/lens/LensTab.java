package dev.attnstudio.app.lens;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.WorkBar;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Logit lens tab: layers x positions, the top token per cell, its probability as colour, a KL-to-final strip. */
public final class LensTab {

    public static final ViewSpec SPEC = new ViewSpec("logit-lens", "Logit lens",
            "Logit lens: every residual stage unembedded through the model's own final norm; the top token per layer and"
                    + " position, and how far each layer is from the final output (KL)", LensTab::build);

    private LensTab() {
    }

    private static BuiltView build(ViewHost host) {
        LensPanel panel = new LensPanel();
        panel.setId("lensPanel");
        Memo<LensData> memo = new Memo<>();
        LongWork work = new LongWork();
        ViewFeed<LensData> feed = host.feed("Logit lens", (s, c) -> LensData.from(s, c, memo, work));
        panel.data.bind(feed.dataProperty());
        panel.placeholder.bind(work.placeholder("Reading each layer through the lens (its progress is above).", feed.errorProperty(),
                "The logit lens could not be computed: ", "The logit lens is computed once a prompt is accepted."));
        return BuiltView.of(WorkBar.around(panel, new WorkBar(work, SPEC.camelId(), host::refresh)));
    }
}
