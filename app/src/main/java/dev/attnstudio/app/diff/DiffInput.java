package dev.attnstudio.app.diff;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.train.SampleCheckpoints;
import dev.attnstudio.samples.SampleModels;
import dev.attnstudio.app.views.ViewContext;

import java.util.List;

/**
 * What the Diff and Timeline views start from, read on the engine thread: the model the window shows, the prompt of
 * its first pass, the token labels, and the checkpoint steps its sample ships (empty: none).
 */
public record DiffInput(LoadedModel loaded, Batch batch, List<String> labels, List<Integer> steps) {

    public DiffInput {
        labels = List.copyOf(labels);
        steps = List.copyOf(steps);
    }

    /** The feed's factory: null before a pass exists. */
    public static DiffInput from(Stepper stepper, ViewContext context) {
        if (stepper.groups().isEmpty() || context.loaded() == null) {
            return null;
        }
        String name = context.loaded().name();
        return new DiffInput(context.loaded(), stepper.groups().get(0).inputs(), context.labels(), steps(name));
    }

    /** The checkpoint steps a bundled sample ships; empty for other samples and models. */
    static List<Integer> steps(String name) {
        boolean trainedHere = SampleModels.find(name).map(s -> s.source() instanceof SampleModels.BundledFolder)
                .orElse(false);
        return trainedHere && SampleCheckpoints.has(name) ? SampleCheckpoints.list(name).steps() : List.of();
    }

    /** The bundled sample's name when the model is one, else null. */
    public String sample() {
        return SampleModels.find(loaded.name()).isPresent() ? loaded.name() : null;
    }
}
