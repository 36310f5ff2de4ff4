package dev.attnstudio.app.lint;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.WorkBar;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewCell;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/**
 * The Lint tab: the mask linter's findings on the prompt under the window's interventions; a finding selects its
 * layer and head and shows its cell in the Mask or the Head view.
 */
public final class LintTab {

    public static final ViewSpec SPEC = new ViewSpec("lint", "Lint",
            "Mask linter: attention on keys the mask forbids, broken rows, padding, position and cache bugs, each with"
                    + " a hint; select one to go to its cell", LintTab::build);

    private LintTab() {
    }

    private static BuiltView build(ViewHost host) {
        LintPanel panel = new LintPanel();
        panel.setId("lintPanel");
        Memo<LintData> memo = new Memo<>();
        LongWork work = new LongWork();
        ViewFeed<LintData> feed = host.feed("Lint", (s, c) -> LintData.from(s, c, memo, work));
        panel.data.bind(feed.dataProperty());
        panel.placeholder.bind(work.placeholder("Linting the prompt (its progress is above).", feed.errorProperty(),
                "The linter could not run: ", "The mask linter runs once a prompt is accepted."));
        panel.selected.addListener((obs, old, f) -> {
            if (f != null && f.layer() >= 0) {
                host.attentionSourceProperty().set(AttentionSource.ofSite(f.site()));
                host.layerProperty().set(f.layer());
                if (f.head() >= 0) {
                    host.headProperty().set(f.head());
                }
            }
        });
        panel.setOnShow((f, view) -> {
            if (f != null) {
                host.show(view);
                host.cellProperty().set(f.query() >= 0 && f.key() >= 0 ? new ViewCell(f.query(), f.key()) : null);
            }
        });
        return BuiltView.of(WorkBar.around(panel, new WorkBar(work, SPEC.camelId(), host::refresh)));
    }
}
