package dev.attnstudio.app.lint;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.PromptKey;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.diagnose.Work;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import dev.attnstudio.engine.diagnose.lint.MaskLinter;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The mask linter's findings on the open prompt, run as the user has it (under the window's interventions, mask bugs
 * included), and what was checked.
 *
 * @param findings      what the linter found, in its order
 * @param checked       one paragraph: what was checked (so an empty list says something)
 * @param interventions the interventions the run was linted under (their specs), empty for the model as it is
 * @param millis        how long the lint took
 */
public record LintData(List<MaskFinding> findings, String checked, List<String> interventions, long millis) {

    public LintData {
        findings = List.copyOf(findings);
        interventions = List.copyOf(interventions);
    }

    /**
     * Lints the prompt pass of {@code stepper} under its interventions, under {@code work} (progress, stop); null while
     * the view waits after a stop. Engine thread only.
     */
    public static LintData from(Stepper stepper, ViewContext c, Memo<LintData> memo, LongWork work) {
        if (work.isStopped()) {
            return null;
        }
        return memo.get(PromptKey.of(c.loaded(), stepper, null), () -> work.run("mask lint",
                w -> compute(c.loaded(), stepper.groups().get(0).inputs(), stepper.interventions(), w)));
    }

    /** Lints {@code batch} under {@code interventions} with the linter's default options. */
    public static LintData compute(LoadedModel loaded, Batch batch, Interventions interventions) {
        return compute(loaded, batch, interventions, Work.NONE);
    }

    /** As {@link #compute(LoadedModel, Batch, Interventions)}, telling {@code work} its progress (which may stop it). */
    public static LintData compute(LoadedModel loaded, Batch batch, Interventions interventions, Work work) {
        long start = System.nanoTime();
        Interventions iv = interventions == null ? Interventions.NONE : interventions;
        MaskLinter.Options o = MaskLinter.Options.DEFAULT;
        List<MaskFinding> findings = MaskLinter.lint(loaded.model(), batch, iv, o, work);
        return new LintData(findings, checked(loaded.model().capabilities(), batch, o), iv.specs(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private static String checked(Capabilities c, Batch batch, MaskLinter.Options o) {
        List<String> what = new ArrayList<>();
        what.add("every layer's attention against the mask the model intends (weight on later, padding or other-segment"
                + " keys; NaN/Inf, all-zero and unnormalised rows; allowed keys the applied mask blocks)");
        if (c.generates() && batch.size() == 1 && o.decodeSteps() > 0) {
            what.add(String.format(Locale.ROOT, "cached decoding against a full recompute over %d generated tokens",
                    o.decodeSteps()));
        }
        if (batch.padded()) {
            what.add("the loss over padding targets, position ids under left padding, and each padded row against the"
                    + " same row alone");
        } else {
            what.add("position ids (the prompt has no padding, so the padding checks had nothing to check)");
        }
        return String.format(Locale.ROOT, "Checked %d prompt row%s of %d tokens: %s.", batch.size(),
                batch.size() == 1 ? "" : "s", batch.length(), String.join("; ", what));
    }
}
