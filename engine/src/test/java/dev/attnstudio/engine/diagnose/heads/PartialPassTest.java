package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The faster report card (passes run only through the last attention sub-layer, skipping the last MLP, the final norm
 * and the unembedding) gives exactly the numbers of the old path, which ran every pass to its end; the base loss read
 * from the gradient pass equals the separate forward pass it replaces.
 */
class PartialPassTest {

    private static final ModelConfig CONFIG = new ModelConfig(3, 4, 32, 64, 97, 1e-5, ModelConfig.Activation.GELU_NEW);

    @Test
    void theCardEqualsTheOneOverCompletePasses() {
        try (LoadedModel m = LoadedModel.of("tiny", CONFIG, RandomGpt2.tensors(CONFIG, 3, 0.3f), null,
                DjlRuntime.DeviceChoice.CPU)) {
            Batch batch = Batch.pad(List.of(new long[] {5, 9, 12, 40, 5, 9, 12, 40, 7}, new long[] {3, 4, 5, 6},
                    new long[] {60, 61, 62, 63, 64, 65}), null, Batch.Padding.RIGHT, 0);
            ReportCards.Options options = ReportCards.Options.DEFAULT.withAblation(HeadImportance.Ablation.MEAN);
            ReportCard fast = ReportCards.of(m.model(), List.of(batch), options);
            ReportCard old;
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
                s.reset(batch);
                s.runToEnd(); // the old path: the whole pass, logits included
                old = ReportCards.of(m.model(), s, options);
            }
            assertEquals(old.heads().size(), fast.heads().size());
            for (int i = 0; i < old.heads().size(); i++) {
                assertEquals(old.heads().get(i), fast.heads().get(i), "head " + old.heads().get(i).name());
            }
            assertEquals(old.baseLoss(), fast.baseLoss());
            assertEquals(old.queryRows(), fast.queryRows());
        }
    }

    @Test
    void theProbeScoresEqualThoseOfACompletePass() {
        try (LoadedModel m = LoadedModel.of("tiny", CONFIG, RandomGpt2.tensors(CONFIG, 4, 0.3f), null,
                DjlRuntime.DeviceChoice.CPU)) {
            InductionProbe probe = InductionProbe.forModel(m.model());
            Map<AttentionLayer, InductionProbe.Scores[]> fast = probe.measure(m.model());
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
                s.reset(Batch.of(probe.ids()));
                s.runToEnd();
                assertTrue(s.groups().get(0).trace().complete());
                PassView pass = PassView.of(s).get(0);
                for (AttentionLayer l : AttentionLayer.all(m.model().capabilities())) {
                    AllowedCells cells = AllowedCells.of(l, pass.intended(l));
                    TensorData p = pass.pattern(l);
                    for (int h = 0; h < CONFIG.nHead(); h++) {
                        assertEquals(probe.score(p, cells, h, 0), fast.get(l)[h].duplicate(), l + " H" + h);
                        assertEquals(probe.score(p, cells, h, 1), fast.get(l)[h].induction(), l + " H" + h);
                    }
                }
            }
        }
    }

    @Test
    void theBaseLossFromTheGradientPassEqualsASeparateForwardPass() {
        try (LoadedModel m = LoadedModel.of("tiny", CONFIG, RandomGpt2.tensors(CONFIG, 6, 0.3f), null,
                DjlRuntime.DeviceChoice.CPU)) {
            List<Batch> prompts = List.of(Batch.pad(List.of(new long[] {5, 9, 12, 40, 5, 9, 12, 40, 7},
                    new long[] {3, 4, 5, 6}), null, Batch.Padding.RIGHT, 0), Batch.of(new long[] {1, 2, 3, 4, 5}));
            for (int lossFrom : new int[] {0, 2}) {
                HeadImportance.Result r = HeadImportance.measure(m.model(), prompts, HeadImportance.Ablation.OFF, lossFrom);
                assertEquals(HeadImportance.loss(m.model(), prompts, dev.attnstudio.engine.intervene.Interventions.NONE,
                        lossFrom), r.baseLoss(), "lossFrom " + lossFrom);
            }
        }
    }

    @Test
    void runThroughStopsAfterTheLastAttentionSubLayer() {
        try (LoadedModel m = LoadedModel.of("tiny", CONFIG, RandomGpt2.tensors(CONFIG, 5, 0.3f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(new long[] {1, 2, 3});
            PassView.runThroughAttention(s, m.model().capabilities());
            assertFalse(s.groups().get(0).trace().complete(), "the logits are not computed");
            assertTrue(s.groups().get(0).trace().available("blocks.2.attn.hook_pattern"));
            assertFalse(s.groups().get(0).trace().available("hook_logits"));
        }
    }
}
