package dev.attnstudio.app.timeline;

import dev.attnstudio.app.diff.DiffInput;
import dev.attnstudio.engine.diagnose.diff.TrainingReplay;
import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.train.SampleCheckpoints;
import javafx.concurrent.Task;

import java.util.List;

/**
 * Replays one checkpoint off the FX thread: the engine's {@link TrainingReplay} report card at that step on the
 * window's prompt, then every head's pattern on it under those weights.
 */
final class TimelineJob extends Task<TimelinePoint> {

    private final DiffInput input;
    private final int step;

    TimelineJob(DiffInput input, int step) {
        this.input = input;
        this.step = step;
    }

    /** The checkpoints of a bundled sample, opened on the CPU. */
    static TrainingReplay.Checkpoints of(String sample) {
        return new TrainingReplay.Checkpoints() {
            @Override
            public List<Integer> steps() {
                return SampleCheckpoints.list(sample).steps();
            }

            @Override
            public LoadedModel open(int s) {
                return SampleCheckpoints.open(sample, s, DjlRuntime.DeviceChoice.CPU);
            }
        };
    }

    @Override
    protected TimelinePoint call() {
        String sample = input.sample();
        TrainingReplay.Checkpoints source = of(sample);
        updateMessage("step " + step + ": report card …");
        List<TrainingReplay.Point> points = TrainingReplay.cards(source, List.of(step), List.of(input.batch()),
                ReportCards.Options.DEFAULT);
        ReportCard card = points.get(0).card();
        if (isCancelled()) {
            return null;
        }
        updateMessage("step " + step + ": patterns …");
        try (LoadedModel m = source.open(step);
             Stepper stepper = new Stepper(m.model(), Stepper.Options.DEFAULT.withCache(false))) {
            stepper.reset(input.batch());
            stepper.runToEnd();
            int layers = m.config().nLayer();
            int heads = m.config().nHead();
            float[][][] patterns = new float[layers][heads][];
            int t = 0;
            int k = 0;
            for (int l = 0; l < layers; l++) {
                TensorData p = stepper.groups().get(0).trace().read(HookName.Block.PATTERN.at(l));
                t = (int) p.shape()[2];
                k = (int) p.shape()[3];
                for (int h = 0; h < heads; h++) {
                    patterns[l][h] = new float[t * k];
                    System.arraycopy(p.values(), h * t * k, patterns[l][h], 0, t * k);
                }
            }
            return new TimelinePoint(step, card, patterns, t, k);
        }
    }
}
