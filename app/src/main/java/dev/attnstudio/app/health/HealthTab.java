package dev.attnstudio.app.health;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.WorkBar;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/**
 * The Health tab: the engine's head report card as a layer x head grid coloured by each head's worst flag; a head's
 * evidence on click, and a jump to it in the Head view.
 */
public final class HealthTab {

    public static final ViewSpec SPEC = new ViewSpec("health", "Health",
            "Head report card: every head coloured by its worst flag (collapsed, one-hot, near-uniform, sink, dead,"
                    + " duplicate, unimportant); click a head for the numbers behind it", HealthTab::build);

    /** The Head view's id, where a head is shown. */
    static final String HEAD_VIEW = "head";

    private HealthTab() {
    }

    private static BuiltView build(ViewHost host) {
        HealthPanel panel = new HealthPanel();
        panel.setId("healthPanel");
        Memo<HealthData> memo = new Memo<>();
        LongWork work = new LongWork();
        ViewFeed<HealthData> feed = host.feed("Health", (s, c) -> HealthData.from(s, c, memo, work));
        panel.data.bind(feed.dataProperty());
        panel.placeholder.bind(work.placeholder("Computing the report card (its progress is above).", feed.errorProperty(),
                "The report card could not be computed: ", "The report card is computed once a prompt is accepted."));
        panel.setOnOpen(h -> {
            host.attentionSourceProperty().set(AttentionSource.ofSite(h.site()));
            host.layerProperty().set(h.layer());
            host.headProperty().set(h.head());
            host.show(HEAD_VIEW);
        });
        panel.grid().cursor.addListener((obs, old, now) -> {
            HealthData d = panel.data.get();
            if (now != null && d != null) {
                host.attentionSourceProperty().set(AttentionSource.ofSite(d.rows().get(now.row()).site()));
                host.layerProperty().set(d.rows().get(now.row()).layer());
                host.headProperty().set(now.col());
            }
        });
        return BuiltView.of(WorkBar.around(panel, new WorkBar(work, SPEC.camelId(), host::refresh)));
    }
}
