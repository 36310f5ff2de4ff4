package dev.attnstudio.engine.diagnose.diff;

import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays a training run from its saved weight checkpoints: the head report card at every step, so scores such as the
 * induction score can be followed as the heads form.
 */
public final class TrainingReplay {

    /** Where the checkpoints of one run come from (a bundled sample's, or a folder of them). */
    public interface Checkpoints {
        /** The steps there are checkpoints for, in order. */
        List<Integer> steps();

        /** Opens the checkpoint of one step (the caller closes it). */
        LoadedModel open(int step);
    }

    /** One checkpoint's card. */
    public record Point(int step, ReportCard card) {
    }

    private TrainingReplay() {
    }

    /** The report card of every checkpoint whose step is in {@code steps} (every one when null), in step order. */
    public static List<Point> cards(Checkpoints source, List<Integer> steps, List<Batch> prompts,
                                    ReportCards.Options options) {
        List<Point> out = new ArrayList<>();
        for (int step : source.steps()) {
            if (steps != null && !steps.contains(step)) {
                continue;
            }
            try (LoadedModel m = source.open(step)) {
                out.add(new Point(step, ReportCards.of(m.model(), prompts, options)));
            }
        }
        return out;
    }
}
