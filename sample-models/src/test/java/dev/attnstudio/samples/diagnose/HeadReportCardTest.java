package dev.attnstudio.samples.diagnose;

import dev.attnstudio.engine.diagnose.Severity;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.diagnose.heads.CardThresholds;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.intervene.HeadAblation;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.TokenLoss;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import dev.attnstudio.samples.train.InductionTask;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The head report card on real weights: collapse, induction heads and their ablation, an encoder's sink. */
class HeadReportCardTest {

    /** Held-out-style sequences of the induction task (H = 12): 8 rows, a seed the trainer never used. */
    static Batch inductionPrompts() {
        return Batch.of(InductionTask.sequences(new SplittableRandom(99), 8, 12));
    }

    /** The probe in the task's own terms: 12 distinct task tokens, repeated once (H = 12). */
    static final InductionProbe PROBE = new InductionProbe(12, 2, 8, 0, 0, InductionTask.TOKENS, -1);

    /** The card over the prompts, the loss counted on the repeated half (the first half is random by design). */
    static ReportCard card(LoadedModel m) {
        return ReportCards.of(m.model(), List.of(inductionPrompts()),
                ReportCards.Options.DEFAULT.withProbe(PROBE).withLossFrom(12));
    }

    @Test
    void theCollapsedTwinIsFlaggedCollapsedAndTheHealthyModelIsNot() {
        try (LoadedModel collapsed = SampleModels.open("induction-2l-collapsed", DjlRuntime.DeviceChoice.CPU);
             LoadedModel healthy = SampleModels.open("induction-2l", DjlRuntime.DeviceChoice.CPU)) {
            ReportCard bad = card(collapsed);
            ReportCard good = card(healthy);
            for (HeadCard h : bad.heads()) {
                System.out.printf(Locale.ROOT, "collapsed %s: entropy %.5f confidence %.4f%n", h.name(), h.entropyMean(),
                        h.confidence());
                HeadFlag f = h.flag(HeadFlag.Kind.COLLAPSED);
                assertNotNull(f, h.name() + " should be flagged collapsed: " + h.flags());
                assertEquals(Severity.ERROR, f.severity());
                assertEquals(h.entropyMean(), f.evidence().get("entropyMean"));
            }
            for (HeadCard h : good.heads()) {
                System.out.printf(Locale.ROOT, "healthy %s: entropy %.3f confidence %.3f flags %s%n", h.name(),
                        h.entropyMean(), h.confidence(), h.flags().stream().map(HeadFlag::kind).toList());
                assertFalse(h.flagged(HeadFlag.Kind.COLLAPSED), h.name() + " " + h.flags());
            }
        }
    }

    @Test
    void theInductionHeadsAreFoundByTheirScoreAndTheirAblationRaisesTheRepeatedHalfLoss() {
        try (LoadedModel m = SampleModels.open("induction-2l", DjlRuntime.DeviceChoice.CPU)) {
            ReportCard card = card(m);
            List<String> induction = card.heads().stream().filter(h -> h.induction() > 0.4).map(HeadCard::name).toList();
            card.heads().forEach(h -> System.out.printf(Locale.ROOT, "%s: induction %.3f duplicate %.3f previous %.3f"
                    + " ablation %+.4f gradient %.4f%n", h.name(), h.induction(), h.duplicateToken(), h.previousToken(),
                    h.ablationDelta(), h.gradientNormalized()));
            assertEquals(List.of("L1 H0", "L1 H1", "L1 H2"), induction, "the card's induction heads 1.0 1.1 1.2");
            assertTrue(card.head(1, 3).induction() < 0.2);
            // alone, 1.0 and 1.1 each cost more than the non-induction head 1.3; 1.2 is backed up by the other two (the
            // sample's card: accuracy 1.00 with 1.2 ablated), which the three-head ablation below covers
            for (int h = 0; h < 2; h++) {
                assertTrue(card.head(1, h).ablationDelta() > card.head(1, 3).ablationDelta() + 0.03,
                        "ablating induction head 1." + h + " costs more than ablating head 1.3");
            }
            for (int h = 0; h < 2; h++) {
                assertTrue(card.head(0, h).previousToken() > 0.2 && card.head(0, h).previousToken()
                        > Math.max(card.head(0, 2).previousToken(), card.head(0, 3).previousToken()) + 0.05,
                        "the previous-token heads 0.0 and 0.1 look back one token most");
            }

            Batch prompts = inductionPrompts();
            Interventions all = Interventions.NONE.with(HeadAblation.zero(1, 0)).with(HeadAblation.zero(1, 1))
                    .with(HeadAblation.zero(1, 2));
            double before = repeatedHalfLoss(m, prompts, Interventions.NONE);
            double after = repeatedHalfLoss(m, prompts, all);
            System.out.printf(Locale.ROOT, "repeated-half loss %.4f -> %.4f with 1.0-1.2 ablated%n", before, after);
            assertTrue(before < 0.1 && after > before + 1.0, before + " -> " + after);
        }
    }

    /** Mean next-token loss at the positions whose target is in the repeated half (H .. 2H-2). */
    static double repeatedHalfLoss(LoadedModel m, Batch prompts, Interventions iv) {
        try (Stepper s = new Stepper(m.model(), new Stepper.Options(Capture.OFF, iv, false))) {
            s.reset(prompts);
            s.runToEnd();
            float[][] loss = TokenLoss.of(s).perToken();
            int half = prompts.length() / 2;
            double sum = 0;
            int n = 0;
            for (float[] row : loss) {
                for (int p = half; p < prompts.length() - 1; p++) {
                    sum += row[p];
                    n++;
                }
            }
            return sum / n;
        }
    }

    @Test
    void aRealEncodersSinkIsFlaggedWithItsEvidence() {
        try (LoadedModel m = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU)) {
            Tokenizer tok = m.tokenizer();
            Tokenizer.Tokens a = tok.encode("The cat sat on the mat and looked at the door.");
            Tokenizer.Tokens b = tok.encode("Attention heads often park their weight on separator tokens.");
            Batch batch = Batch.pad(List.of(a.ids(), b.ids()), null, Batch.Padding.RIGHT, 0);
            ReportCard card = ReportCards.of(m.model(), List.of(batch),
                    ReportCards.Options.DEFAULT.withSpecial(SpecialTokens.of(a, b)));
            List<HeadCard> sinks = card.flagged(HeadFlag.Kind.SINK);
            assertFalse(sinks.isEmpty(), "MiniLM has heads that park their weight on [CLS] or [SEP]");
            HeadCard strongest = sinks.stream().max((x, y) -> Double.compare(x.specialMass(), y.specialMass())).orElseThrow();
            HeadFlag f = strongest.flag(HeadFlag.Kind.SINK);
            System.out.printf(Locale.ROOT, "%d sink heads of %d; strongest %s: %s evidence %s%n", sinks.size(),
                    card.heads().size(), strongest.name(), f.message(), f.evidence());
            double best = Math.max(f.evidence().getOrDefault("alpha[[CLS]]", 0.0), f.evidence().getOrDefault("alpha[[SEP]]", 0.0));
            assertTrue(best > 0.3, "the evidence names [CLS] or [SEP] above Gu et al.'s 0.3: " + f.evidence());
            assertEquals(0.3, f.evidence().get("threshold"));
            assertTrue(Double.isNaN(strongest.ablationDelta()), "an encoder has no loss to ablate against");
            assertEquals(Severity.INFO, f.severity());
            assertTrue(card.flagged(HeadFlag.Kind.COLLAPSED).isEmpty(), "a real model is not collapsed: "
                    + card.flagged(HeadFlag.Kind.COLLAPSED).stream().map(HeadCard::name).toList());
        }
    }

    @Test
    void aFewSharpHeadsAreOneHotNotCollapsed() {
        try (LoadedModel m = SampleModels.open("tiny-llama", DjlRuntime.DeviceChoice.CPU)) {
            Batch prompt = Batch.of(m.tokenizer().encode("In the beginning God created the heaven and the earth.").ids());
            ReportCard card = ReportCards.of(m.model(), List.of(prompt), ReportCards.Options.DEFAULT);
            List<HeadCard> oneHot = card.flagged(HeadFlag.Kind.ONE_HOT);
            System.out.printf(Locale.ROOT, "tiny-llama one-hot heads: %s%n", oneHot.stream().map(HeadCard::name).toList());
            assertFalse(oneHot.isEmpty(), "tiny-llama's last layer has sharp positional heads");
            assertTrue(oneHot.size() < card.heads().size() * CardThresholds.COLLAPSED_SHARE, oneHot.size() + " heads");
            assertTrue(card.flagged(HeadFlag.Kind.COLLAPSED).isEmpty(), "too few to be entropy collapse");
            assertEquals(Severity.WARNING, oneHot.get(0).flag(HeadFlag.Kind.ONE_HOT).severity());
        }
    }
}
