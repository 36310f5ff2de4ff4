package dev.attnstudio.app;

import dev.attnstudio.app.attention.AttentionGridTab;
import dev.attnstudio.app.attention.HeadTab;
import dev.attnstudio.app.attention.HeadViewTab;
import dev.attnstudio.app.attention.StagesTab;
import dev.attnstudio.app.diff.DiffTab;
import dev.attnstudio.app.health.HealthTab;
import dev.attnstudio.app.inspector.InspectorTab;
import dev.attnstudio.app.lens.LensTab;
import dev.attnstudio.app.lint.LintTab;
import dev.attnstudio.app.panels.EntropyTab;
import dev.attnstudio.app.panels.GenerationTab;
import dev.attnstudio.app.panels.KvCacheTab;
import dev.attnstudio.app.panels.MaskTab;
import dev.attnstudio.app.pipeline.PipelineTab;
import dev.attnstudio.app.rollout.RolloutTab;
import dev.attnstudio.app.timeline.TimelineTab;
import dev.attnstudio.app.views.ViewRegistry;

import java.util.List;

/**
 * The views of Attention Studio's window, in tab order, one line each. A new view is its package (its view, its
 * data and a {@code ...Tab} declaring its {@link dev.attnstudio.app.views.ViewSpec}) plus one line here; the tab,
 * its key, the View menu, the shortcut list, File > Export and {@code scripts/screenshot.sh} follow.
 */
public final class StudioViews {

    private StudioViews() {
    }

    /** Every view; the window opens on the Head tab. */
    public static ViewRegistry all() {
        return ViewRegistry.of(List.of(
                AttentionGridTab.SPEC,
                HeadTab.SPEC,
                HeadViewTab.SPEC,
                StagesTab.SPEC,
                MaskTab.SPEC,
                KvCacheTab.SPEC,
                EntropyTab.SPEC,
                GenerationTab.SPEC,
                PipelineTab.SPEC,
                InspectorTab.SPEC,
                HealthTab.SPEC,
                LintTab.SPEC,
                RolloutTab.SPEC,
                LensTab.SPEC,
                DiffTab.SPEC,
                TimelineTab.SPEC
        )).openingOn(HeadTab.SPEC.id());
    }
}
