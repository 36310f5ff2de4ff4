package dev.attnstudio.samples.diagnose;

import dev.attnstudio.engine.diagnose.diff.CheckpointDiff;
import dev.attnstudio.engine.diagnose.diff.TrainingReplay;
import dev.attnstudio.engine.diagnose.heads.HeadImportance;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.samples.SampleModels;
import dev.attnstudio.samples.train.InductionTask;
import dev.attnstudio.samples.train.SampleCheckpoints;
import dev.attnstudio.samples.train.TrainingCheckpoints;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** The induction samples' weight checkpoints: listed, opened, replayed, and diffed. */
class TrainingTimelineTest {

    static final List<Integer> STEPS = IntStream.rangeClosed(0, 20).map(i -> i * 100).boxed().toList();

    @Test
    void bothSamplesShipACheckpointEvery100Steps() {
        for (String name : List.of("induction-2l", "induction-2l-collapsed")) {
            TrainingCheckpoints c = SampleCheckpoints.list(name);
            assertEquals(STEPS, c.steps(), name);
            assertEquals("F16", c.dtype());
            long folder = SampleModels.find(name).orElseThrow().sizeBytes() + c.totalBytes();
            System.out.printf(Locale.ROOT, "%s: %d checkpoints, %,d bytes; folder with them %,d bytes%n", name,
                    c.checkpoints().size(), c.totalBytes(), folder);
            assertTrue(folder < 12L * 1024 * 1024, name + " stays under 12 MB: " + folder);
        }
        assertFalse(SampleCheckpoints.has("tiny-gpt"));
    }

    @Test
    void theInductionScoreOfLayerOneRisesAcrossTheTimeline() {
        Batch prompts = Batch.of(InductionTask.sequences(new SplittableRandom(11), 4, 12));
        TrainingReplay.Checkpoints source = new TrainingReplay.Checkpoints() {
            @Override
            public List<Integer> steps() {
                return SampleCheckpoints.list("induction-2l").steps();
            }

            @Override
            public LoadedModel open(int step) {
                return SampleCheckpoints.open("induction-2l", step, DjlRuntime.DeviceChoice.CPU);
            }
        };
        ReportCards.Options options = ReportCards.Options.DEFAULT.withAblation(HeadImportance.Ablation.OFF)
                .withProbe(new InductionProbe(12, 2, 4, 0, 0, InductionTask.TOKENS, -1));
        List<TrainingReplay.Point> points = TrainingReplay.cards(source, List.of(0, 200, 400, 1000, 2000), List.of(prompts),
                options);
        double[] best = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            var card = points.get(i).card();
            best[i] = IntStream.range(0, 3).mapToDouble(h -> card.head(1, h).induction()).average().orElseThrow();
            System.out.printf(Locale.ROOT, "step %4d: mean induction score of heads 1.0-1.2 %.3f%n", points.get(i).step(),
                    best[i]);
        }
        assertTrue(best[0] < 0.15, "random weights: near chance, " + best[0]);
        assertTrue(best[best.length - 1] > 0.5, "trained: " + best[best.length - 1]);
        for (int i = 1; i < best.length; i++) {
            assertTrue(best[i] > best[i - 1] - 0.05, "no large drop between checkpoints: " + java.util.Arrays.toString(best));
        }
    }

    @Test
    void aCheckpointDiffShowsTheInductionHeadsMovingAndRefusesAnotherArchitecture() {
        Batch prompts = Batch.of(InductionTask.sequences(new SplittableRandom(12), 4, 12));
        InductionProbe probe = new InductionProbe(12, 2, 4, 0, 0, InductionTask.TOKENS, -1);
        try (LoadedModel early = SampleCheckpoints.open("induction-2l", 100, DjlRuntime.DeviceChoice.CPU);
             LoadedModel last = SampleCheckpoints.open("induction-2l", 2000, DjlRuntime.DeviceChoice.CPU);
             LoadedModel other = SampleModels.open("tiny-gpt", DjlRuntime.DeviceChoice.CPU)) {
            CheckpointDiff d = CheckpointDiff.of(early.model(), last.model(), List.of(prompts), probe);
            CheckpointDiff.HeadDiff h10 = d.head("self", 1, 0);
            System.out.printf(Locale.ROOT, "step 100 -> 2000: L1 H0 JS %.3f, entropy %.3f -> %.3f, induction %.3f -> %.3f;"
                    + " mean output KL %.3f%n", h10.js(), h10.entropyA(), h10.entropyB(), h10.inductionA(), h10.inductionB(),
                    d.meanKl());
            assertTrue(h10.inductionDelta() > 0.4, "the induction head formed between the checkpoints");
            assertTrue(h10.js() > 0.05, "its pattern moved");
            assertTrue(d.meanKl() > 0.1, "the outputs moved");
            CheckpointDiff same = CheckpointDiff.of(last.model(), last.model(), List.of(prompts), probe);
            assertEquals(0, same.head("self", 1, 0).js(), 1e-9, "a checkpoint against itself");
            assertEquals(0, same.meanKl(), 1e-9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckpointDiff.of(last.model(), other.model(), List.of(prompts), probe));
            assertTrue(e.getMessage().contains("n_layer 2 (A) vs 4 (B)"), e.getMessage());
        }
    }
}
