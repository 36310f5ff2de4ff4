package dev.attnstudio.app.diff;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.diff.CheckpointDiff;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.train.SampleCheckpoints;
import dev.attnstudio.samples.SampleModels;
import javafx.concurrent.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * The comparison, off the FX thread: opens both models of its own (the sample afresh, so the window's engine thread
 * keeps its model to itself; a folder model is shared read-only), runs the engine's {@link CheckpointDiff}, and reads
 * every head's pattern under both. Cancel stops it between its stages.
 */
final class DiffJob extends Task<DiffResult> {

    /** The second model: a checkpoint step of the same sample, or a model folder. */
    record Other(Integer step, Path folder) {
        String label(String sample) {
            return step != null ? sample + "@step-" + step : String.valueOf(folder.getFileName());
        }
    }

    private final DiffInput input;
    private final Other other;

    DiffJob(DiffInput input, Other other) {
        this.input = input;
        this.other = other;
    }

    @Override
    protected DiffResult call() {
        String sample = input.sample();
        updateMessage("opening " + other.label(sample) + " …");
        updateProgress(0, 4);
        try (LoadedModel a = sample != null ? SampleModels.open(sample, DjlRuntime.DeviceChoice.CPU) : null;
             LoadedModel b = other.step() != null ? SampleCheckpoints.open(sample, other.step(), DjlRuntime.DeviceChoice.CPU)
                     : LoadedModel.open(other.folder(), DjlRuntime.DeviceChoice.CPU)) {
            TransformerModel ma = a != null ? a.model() : input.loaded().model();
            check();
            updateMessage("comparing every head …");
            updateProgress(1, 4);
            CheckpointDiff diff = CheckpointDiff.of(ma, b.model(), List.of(input.batch()), InductionProbe.forModel(ma));
            check();
            updateMessage("reading the patterns …");
            updateProgress(2, 4);
            Capabilities c = ma.capabilities();
            List<AttentionLayer> layers = AttentionLayer.all(c);
            int[][] shapes = new int[layers.size()][];
            float[][][] pa = patterns(ma, layers, c.heads(), shapes);
            check();
            float[][][] pb = patterns(b.model(), layers, c.heads(), new int[layers.size()][]);
            updateProgress(4, 4);
            List<String> rows = new ArrayList<>();
            List<String> sites = new ArrayList<>();
            List<Integer> layerIndex = new ArrayList<>();
            for (AttentionLayer l : layers) {
                rows.add((l.siteLabel().equals("self") ? "" : l.siteLabel() + " ") + "L" + l.layer());
                sites.add(l.siteLabel());
                layerIndex.add(l.layer());
            }
            return new DiffResult(sample != null ? sample : input.loaded().name(), b.name(), diff, rows, sites, layerIndex,
                    pa, pb, shapes);
        }
    }

    private void check() {
        if (isCancelled()) {
            throw new CancellationException("cancelled");
        }
    }

    /** Every attention layer's pattern, head by head, for batch row 0: [layer][head][T * K]. */
    private float[][][] patterns(TransformerModel model, List<AttentionLayer> layers, int heads, int[][] shapes) {
        float[][][] out = new float[layers.size()][heads][];
        try (Stepper stepper = new Stepper(model, Stepper.Options.DEFAULT.withCache(false))) {
            stepper.reset(input.batch());
            stepper.runToEnd();
            for (int i = 0; i < layers.size(); i++) {
                TensorData p = stepper.groups().get(0).trace().read(layers.get(i).hook(HookName.Block.PATTERN));
                int size = (int) (p.shape()[2] * p.shape()[3]);
                shapes[i] = new int[] {(int) p.shape()[2], (int) p.shape()[3]};
                for (int h = 0; h < heads; h++) {
                    out[i][h] = new float[size];
                    System.arraycopy(p.values(), h * size, out[i][h], 0, size);
                }
            }
        }
        return out;
    }
}
