package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.diagnose.Work;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the head report card ({@link ReportCard}) of a model: pattern statistics over one prompt, a prompt set (a
 * padded batch, or several batches run one after the other) or a generation (every pass of a stepper), the induction
 * probe, redundancy between heads, output norms, and importance.
 */
public final class ReportCards {

    /**
     * What to measure.
     *
     * @param special           special tokens watched for sinks (besides the first position)
     * @param probe             the induction probe, or null for {@link InductionProbe#forModel}
     * @param ablation          how heads are ablated for importance
     * @param ablationHeadLimit heads above which ablation is skipped ({@link CardThresholds#ABLATION_HEAD_LIMIT});
     *                          {@link Integer#MAX_VALUE} always ablates
     * @param lossFrom          the first position whose next-token loss counts for importance (0: all)
     * @param work              told before each pass, the probe, each head's ablation and the gradient pass; may stop
     *                          the card by throwing {@link java.util.concurrent.CancellationException}
     */
    public record Options(SpecialTokens special, InductionProbe probe, HeadImportance.Ablation ablation,
                          int ablationHeadLimit, int lossFrom, Work work) {

        public static final Options DEFAULT = new Options(SpecialTokens.NONE, null, HeadImportance.Ablation.MEAN,
                CardThresholds.ABLATION_HEAD_LIMIT, 0, Work.NONE);

        public Options withSpecial(SpecialTokens s) {
            return new Options(s, probe, ablation, ablationHeadLimit, lossFrom, work);
        }

        public Options withProbe(InductionProbe p) {
            return new Options(special, p, ablation, ablationHeadLimit, lossFrom, work);
        }

        /** Ablates this way whatever the number of heads. */
        public Options withAblation(HeadImportance.Ablation a) {
            return new Options(special, probe, a, Integer.MAX_VALUE, lossFrom, work);
        }

        /** Counts the loss from position {@code p} on (e.g. the repeated half of repeated random tokens). */
        public Options withLossFrom(int p) {
            return new Options(special, probe, ablation, ablationHeadLimit, p, work);
        }

        /** Reports progress to {@code w}, which may stop the card. */
        public Options withWork(Work w) {
            return new Options(special, probe, ablation, ablationHeadLimit, lossFrom, w == null ? Work.NONE : w);
        }
    }

    private ReportCards() {
    }

    /** Runs every batch of prompts (each a pass) and builds the card over all of them. */
    public static ReportCard of(TransformerModel model, List<Batch> prompts, Options options) {
        Pooled pooled = new Pooled(model);
        try (Stepper s = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
            for (int i = 0; i < prompts.size(); i++) {
                Batch b = prompts.get(i);
                options.work().step("running the prompts", i, prompts.size());
                s.reset(b);
                // only as far as the last attention sub-layer: the card reads no logits here (importance runs its own)
                PassView.runThroughAttention(s, model.capabilities());
                pooled.add(PassView.prompt(s), options.special());
            }
        }
        return pooled.card(prompts, options);
    }

    /**
     * The card over every completed pass of a stepper (a prompt and the tokens generated after it). Importance is
     * measured on the whole sequence (a decoder) or the prompt batch (an encoder-decoder, teacher-forced).
     */
    public static ReportCard of(TransformerModel model, Stepper stepper, Options options) {
        Pooled pooled = new Pooled(model);
        PassView.of(stepper).forEach(p -> pooled.add(p, options.special()));
        Batch first = stepper.groups().get(0).inputs();
        Batch lossBatch = model.capabilities().readsSource() ? first.withDecoder(new long[][] {stepper.tokens()})
                : stepper.groups().size() > 1 ? Batch.of(stepper.tokens()) : first;
        return pooled.card(List.of(lossBatch), options);
    }

    /** What the passes add up to, per attention sub-layer. */
    private static final class Pooled {
        private final TransformerModel model;
        private final Capabilities caps;
        private final Map<AttentionLayer, PatternStats> stats = new LinkedHashMap<>();
        private final Map<AttentionLayer, Redundancy> redundancy = new LinkedHashMap<>();
        private final Map<AttentionLayer, HeadOutputNorms> norms = new LinkedHashMap<>();
        private int passes;

        Pooled(TransformerModel model) {
            this.model = model;
            this.caps = model.capabilities();
            for (AttentionLayer l : AttentionLayer.all(caps)) {
                stats.put(l, new PatternStats(l, caps.heads()));
                redundancy.put(l, new Redundancy(l, caps.heads(), caps.kvHeads()));
                norms.put(l, new HeadOutputNorms(l, caps.heads()));
            }
        }

        void add(PassView pass, SpecialTokens special) {
            passes++;
            Map<String, AllowedCells> bySite = new LinkedHashMap<>();
            NDManager manager = model.manager();
            for (AttentionLayer l : stats.keySet()) {
                if (!pass.has(l)) {
                    continue;
                }
                AllowedCells cells = bySite.computeIfAbsent(l.siteLabel(), k -> AllowedCells.of(l, pass.intended(l)));
                TensorData p = pass.pattern(l);
                long[][] keyIds = new long[pass.batch()][];
                for (int b = 0; b < keyIds.length; b++) {
                    keyIds[b] = pass.keyIds(l, b);
                }
                stats.get(l).add(p, cells, keyIds, special);
                redundancy.get(l).add(p, cells);
                norms.get(l).add(pass, cells, manager);
            }
        }

        ReportCard card(List<Batch> lossPrompts, Options options) {
            InductionProbe probe = options.probe() != null ? options.probe() : InductionProbe.forModel(model);
            options.work().step("induction probe", 0, 1);
            Map<AttentionLayer, InductionProbe.Scores[]> probed = probe.measure(model);
            int totalHeads = stats.size() * caps.heads();
            HeadImportance.Ablation ablation = options.ablation();
            String importance;
            if (!caps.generates()) {
                importance = "none: an encoder has no next-token loss";
            } else if (!HeadImportance.hasTargets(caps, lossPrompts)) {
                importance = "none: the output has a single position, so there is no next token to predict (give "
                        + "the decoder more tokens)";
            } else if (ablation != HeadImportance.Ablation.OFF && totalHeads > options.ablationHeadLimit()) {
                importance = String.format(Locale.ROOT, "gradient only: ablation skipped (%d heads > %d, one forward"
                        + " pass each; ask for it with Options.withAblation)", totalHeads, options.ablationHeadLimit());
                ablation = HeadImportance.Ablation.OFF;
            } else {
                importance = ablation == HeadImportance.Ablation.OFF ? "gradient only"
                        : ablation.name().toLowerCase(Locale.ROOT) + " ablation and gradient";
            }
            boolean measured = caps.generates() && HeadImportance.hasTargets(caps, lossPrompts);
            if (measured) {
                importance += String.format(Locale.ROOT, ", on the first %d prompt rows", CardThresholds.IMPORTANCE_ROWS);
            }
            HeadImportance.Result imp = HeadImportance.measure(model, firstRows(lossPrompts, CardThresholds.IMPORTANCE_ROWS),
                    ablation, options.lossFrom(), options.work());
            boolean ablated = measured && ablation != HeadImportance.Ablation.OFF;

            List<HeadCard> cards = new ArrayList<>();
            for (AttentionLayer l : stats.keySet()) {
                PatternStats st = stats.get(l);
                Redundancy r = redundancy.get(l);
                for (int h = 0; h < caps.heads(); h++) {
                    int near = r.nearest(h);
                    int inGroup = r.nearestInGroup(h);
                    InductionProbe.Scores ps = probed.get(l)[h];
                    HeadCard bare = new HeadCard(l.siteLabel(), l.layer(), h, st.entropyMean(h), st.entropySpread(h),
                            st.confidence(h), st.previousToken(h), st.sinkAlpha(h), st.specialMass(h), ps.duplicate(),
                            ps.induction(), near, near < 0 ? Double.NaN : r.js(h, near), inGroup,
                            inGroup < 0 ? Double.NaN : r.js(h, inGroup), norms.get(l).ratio(h),
                            imp.ablationDelta().get(l)[h], imp.gradient().get(l)[h], imp.gradientNormalized().get(l)[h],
                            List.of());
                    String nearName = near < 0 ? null : HeadCard.name(l.siteLabel(), l.layer(), near);
                    List<HeadFlag> flags = st.rows(h) == 0 ? List.of() : HeadFlags.of(bare, nearName, ablated);
                    cards.add(bare.withFlags(flags));
                }
            }
            AttentionLayer first = stats.keySet().iterator().next();
            return new ReportCard(caps.family(), passes, stats.get(first).rows(0), probe, imp.baseLoss(), importance,
                    HeadFlags.collapse(cards));
        }

        /** The first {@code n} rows of the prompt batches, as batches. */
        private static List<Batch> firstRows(List<Batch> batches, int n) {
            List<Batch> out = new ArrayList<>();
            int left = n;
            for (Batch b : batches) {
                if (left <= 0) {
                    break;
                }
                int k = Math.min(left, b.size());
                out.add(k == b.size() ? b : new Batch(java.util.Arrays.copyOf(b.ids(), k),
                        java.util.Arrays.copyOf(b.tokenTypes(), k), java.util.Arrays.copyOf(b.attentionMask(), k),
                        b.decoderIds() == null ? null : java.util.Arrays.copyOf(b.decoderIds(), k)));
                left -= k;
            }
            return out;
        }
    }
}
