package dev.attnstudio.app.lens;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.PromptKey;
import dev.attnstudio.app.diagnostics.TokenText;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.diagnose.Work;
import dev.attnstudio.engine.diagnose.lens.LogitLens;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;

/**
 * The logit lens of the prompt (one batch row): every residual stage of every block of the output stack read through
 * the model's own final norm and unembedding, as the engine's {@link LogitLens} computes it.
 *
 * @param reason    why there is no lens for this model (an encoder has no unembedding), else null
 * @param stages    the engine's stages, layer by layer ({@code pre}, {@code mid}, {@code post})
 * @param positions the tokens read at each position (the lens predicts the token after each)
 */
public record LensData(String reason, List<LogitLens.Stage> stages, List<String> positions) {

    /** Tokens listed per cell. */
    public static final int TOP_K = 5;

    public LensData {
        stages = List.copyOf(stages);
        positions = List.copyOf(positions);
    }

    /**
     * Engine thread only: the lens of the prompt pass of {@code stepper}, the context's batch row, under {@code work}
     * (progress, stop); null while the view waits after a stop.
     */
    public static LensData from(Stepper stepper, ViewContext c, Memo<LensData> memo, LongWork work) {
        if (work.isStopped()) {
            return null;
        }
        Batch batch = stepper.groups().get(0).inputs();
        int row = Math.min(c.batchRow(), batch.size() - 1);
        return memo.get(PromptKey.of(c.loaded(), stepper, row), () -> work.run("logit lens",
                w -> compute(c.loaded(), batch, row, stepper.interventions(), w)));
    }

    /** Runs the prompt (under the interventions) and reads every stage through the lens. */
    public static LensData compute(LoadedModel loaded, Batch batch, int row, Interventions iv) {
        return compute(loaded, batch, row, iv, Work.NONE);
    }

    /** As {@link #compute(LoadedModel, Batch, int, Interventions)}, telling {@code work} its progress (which may stop it). */
    public static LensData compute(LoadedModel loaded, Batch batch, int row, Interventions iv, Work work) {
        Capabilities caps = loaded.model().capabilities();
        if (!caps.generates()) {
            return new LensData("The logit lens needs an unembedding; this " + caps.family() + " encoder has none (its"
                    + " output is the last hidden state).", List.of(), List.of());
        }
        Stepper.Options o = Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false);
        if (iv != null) {
            o = o.withInterventions(iv);
        }
        try (Stepper s = new Stepper(loaded.model(), o)) {
            work.step("running the prompt", 0, 1);
            s.reset(batch);
            s.runToEnd();
            var tokenizer = loaded.tokenizer();
            List<LogitLens.Stage> stages = LogitLens.of(loaded.model(), s, row, TOP_K,
                    tokenizer == null ? null : id -> TokenText.of(tokenizer, id), work);
            long[] ids = caps.readsSource() ? batch.decoderIds()[row] : batch.ids()[row];
            List<String> positions = new ArrayList<>();
            int t = stages.isEmpty() ? 0 : stages.get(0).kl().length;
            for (int p = 0; p < t; p++) {
                positions.add(p < ids.length ? TokenText.of(tokenizer, ids[p]) : "#" + p);
            }
            return new LensData(null, stages, positions);
        }
    }

    /** The top token's text at a stage and position ({@code #id} without a tokenizer). */
    public String topText(int stage, int position) {
        LogitLens.Stage s = stages.get(stage);
        return s.topText() == null ? "#" + s.topIds()[position][0] : s.topText()[position][0];
    }

    /** The top token's probability at a stage and position. */
    public float topProb(int stage, int position) {
        return stages.get(stage).topProbs()[position][0];
    }

    /** {@code L1 mid}. */
    public String stageLabel(int stage) {
        LogitLens.Stage s = stages.get(stage);
        return "L" + s.layer() + " " + s.stage();
    }

    /** The largest mean KL of any stage (the strip's scale), at least a tiny positive number. */
    public double maxMeanKl() {
        double max = 1e-9;
        for (LogitLens.Stage s : stages) {
            if (Double.isFinite(s.meanKl())) {
                max = Math.max(max, s.meanKl());
            }
        }
        return max;
    }
}
