package dev.attnstudio.engine.diagnose.lint;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.diagnose.Work;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.metrics.TokenLoss;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds mask bugs in a run: runs the batch under the given interventions (the run as the user has it), generates a
 * few tokens where the model generates, and checks
 * <ul>
 *   <li>every pass's attention against the mask the model intends (its own rule plus the batch's padding; see
 *       {@link PatternChecks}): weight on later, padding or other-segment keys, NaN/Inf rows, all-zero rows, rows that
 *       do not sum to 1, and allowed cells the applied mask blocks;</li>
 *   <li>the reported loss of a padded batch against the loss over its real targets only;</li>
 *   <li>position ids against left padding (a model with learned absolute positions numbers every row from 0);</li>
 *   <li>each real row of a padded batch against the same row run alone (and, where the model takes both, padded on
 *       the other side): its outputs must not change with padding ({@link PaddingCheck});</li>
 *   <li>cached decoding against a second stepper that recomputes the whole sequence without a cache: max |difference|
 *       of every layer's pattern and of the logits ({@link CacheCheck}).</li>
 * </ul>
 * Each finding carries its kind, location, magnitude and a one-line hint; all are error-level.
 */
public final class MaskLinter {

    /**
     * @param decodeSteps       tokens to generate greedily for the cache check (0: no cache check)
     * @param checkPadding      compare padded rows with the same rows alone
     * @param segmentsIsolated  whether the model must not attend across token types (off for BERT, whose sentence pairs
     *                          attend to each other)
     * @param tolerance         max |difference| two runs of the same numbers may show (float32 batch arithmetic)
     */
    public record Options(int decodeSteps, boolean checkPadding, boolean segmentsIsolated, double tolerance) {
        public static final Options DEFAULT = new Options(3, true, false, 1e-3);

        public Options withDecodeSteps(int n) {
            return new Options(n, checkPadding, segmentsIsolated, tolerance);
        }
    }

    private MaskLinter() {
    }

    /** Lints a run of {@code batch} under {@code interventions}. */
    public static List<MaskFinding> lint(TransformerModel model, Batch batch, Interventions interventions, Options o) {
        return lint(model, batch, interventions, o, Work.NONE);
    }

    /**
     * Lints a run of {@code batch} under {@code interventions}, telling {@code work} before each phase (the run, the
     * cache check, each layer's patterns, the padding checks), where the caller may stop it.
     */
    public static List<MaskFinding> lint(TransformerModel model, Batch batch, Interventions interventions, Options o,
                                         Work work) {
        Capabilities c = model.capabilities();
        List<MaskFinding> out = new ArrayList<>();
        try (Stepper run = new Stepper(model, new Stepper.Options(Capture.COMPACT, interventions, true))) {
            work.step("running the prompt", 0, 1);
            run.reset(batch);
            run.runToEnd();
            boolean finite = finiteLogits(run, model);
            if (c.generates() && batch.size() == 1 && o.decodeSteps() > 0 && finite) {
                work.step("cached decoding against a full recompute", 0, 1);
                out.addAll(CacheCheck.check(model, run, interventions, o.decodeSteps(), o.tolerance()));
            }
            List<PassView> passes = PassView.of(run);
            List<AttentionLayer> layers = AttentionLayer.all(c);
            for (int g = 0; g < passes.size(); g++) {
                for (int i = 0; i < layers.size(); i++) {
                    AttentionLayer layer = layers.get(i);
                    work.step("checking each layer's attention", g * layers.size() + i, passes.size() * layers.size());
                    if (passes.get(g).has(layer)) {
                        out.addAll(PatternChecks.check(passes.get(g), g, layer,
                                o.segmentsIsolated() ? batch.tokenTypes() : null));
                    }
                }
            }
            if (c.generates() && batch.padded() && batch.decoderIds() == null) {
                lossCountsPadding(run, batch).ifPresent(out::add);
            }
        }
        out.addAll(positionIds(model, batch));
        if (o.checkPadding() && batch.padded()) {
            work.step("each padded row against the same row alone", 0, 1);
            out.addAll(PaddingCheck.check(model, batch, interventions, o.tolerance()));
        }
        return out;
    }

    private static boolean finiteLogits(Stepper run, TransformerModel model) {
        for (float v : run.groups().get(0).trace().read(model.outputHook()).values()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** The loss the run reports against the mean over real targets only. */
    private static Optional<MaskFinding> lossCountsPadding(Stepper run, Batch batch) {
        if (batch.decoderIds() != null || batch.length() < 2) {
            return Optional.empty(); // no next-token loss over the padded sequence to check
        }
        TokenLoss reported = TokenLoss.of(run);
        TensorData logits = run.groups().get(0).trace().read(HookName.Model.LOGITS.id);
        TokenLoss real = TokenLoss.of(logits, batch.ids(), batch.attentionMask(), false);
        double diff = Math.abs(reported.mean() - real.mean());
        if (!(diff > 1e-9)) {
            return Optional.empty();
        }
        long padded = 0;
        for (int b = 0; b < batch.size(); b++) {
            for (int p = 0; p < reported.counted()[b].length; p++) {
                if (reported.counted()[b][p] && !real.counted()[b][p]) {
                    padded++;
                }
            }
        }
        return Optional.of(MaskFinding.of(FindingKind.LOSS_COUNTS_PADDING, null, -1, -1, -1, -1, -1, diff,
                padded, 0, String.format(Locale.ROOT, "the run's mean loss %.4f counts %d padding targets; over real"
                        + " targets it is %.4f", reported.mean(), padded, real.mean())));
    }

    /** Whether the model adds learned position embeddings numbered from 0 in every row (GPT-2, BERT). */
    static boolean absolutePositions(TransformerModel model) {
        if (model.capabilities().readsSource()) {
            return false;
        }
        return model.program(new Pass(1, 1, 0, null)).ops().stream().anyMatch(op -> op.kind() == Op.Kind.POS_EMBED);
    }

    /** Left-padded rows of a model that adds learned absolute position embeddings numbered from 0 in every row. */
    private static List<MaskFinding> positionIds(TransformerModel model, Batch batch) {
        if (batch.paddedOnTheRight() || model.capabilities().readsSource()) {
            return List.of(); // T5's positions are relative: padding on either side shifts nothing
        }
        if (!absolutePositions(model)) {
            return List.of();
        }
        List<MaskFinding> out = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            long[] mask = batch.attentionMask()[b];
            int first = 0;
            while (first < mask.length && mask[first] == 0) {
                first++;
            }
            if (first > 0 && first < mask.length) {
                out.add(MaskFinding.of(FindingKind.POSITION_IDS, null, -1, -1, b, first, -1, first, 1, 0,
                        String.format(Locale.ROOT, "row %d is padded on the left: its first real token gets position id"
                                + " %d instead of 0", b, first)));
            }
        }
        return out;
    }
}
