package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Gpt2Model;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.load.Gpt2Folder;
import dev.attnstudio.engine.train.Optimization;
import dev.attnstudio.engine.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains {@code induction-2l} (or, with {@code --collapse}, its deliberately broken twin) and writes it as a Hugging
 * Face folder with its model card, measurements and training timeline:
 *
 * <pre>
 * TrainInduction --out DIR [--steps 2000] [--seed 1] [--every 50] [--batch 64] [--lr 0.001] [--heads 4]
 *                [--d-model 64] [--checkpoint-every 100] [--collapse]
 * </pre>
 *
 * The recipe: AdamW (weight decay {@value #WEIGHT_DECAY}), linear warm-up over {@value #WARMUP} steps to the peak
 * rate, cosine decay to a tenth of it; no dropout. {@code --collapse} multiplies the peak rate by
 * {@value #COLLAPSE_FACTOR} and changes nothing else.
 *
 * <p>Every {@code --checkpoint-every} steps (and after the last) the weights are also saved in half precision as
 * {@code checkpoints/step-NNNNN.safetensors}, listed in {@code checkpoints/index.json} ({@link TrainingCheckpoints}),
 * so the heads forming can be replayed from real weights; 0 saves none. Saving reads the weights and changes nothing.
 *
 * <p>Everything is seeded: initial weights ({@link RandomGpt2}, std {@value #INIT_STD}, from the seed), the training
 * data ({@link SplittableRandom} from the seed + 1) and the held-out set ({@link InductionTask#EVAL_SEED}).
 */
public final class TrainInduction {

    static final float COLLAPSE_FACTOR = 100f;
    static final float INIT_STD = 0.02f;
    static final float WEIGHT_DECAY = 0.01f;
    static final int WARMUP = 100;
    /** The offline switches, and the natives cache the build's tests use (else DJL unpacks 430 MiB into ~/.djl.ai). */
    static final String JVM_FLAGS = "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true -DDJL_CACHE_DIR=target/djl-cache";

    /**
     * The command line.
     *
     * @param collapse train with a learning rate {@value #COLLAPSE_FACTOR} times too high
     */
    record Options(Path out, int steps, long seed, int every, int batch, float learningRate, int heads, int dModel,
                   int checkpointEvery, boolean collapse) {

        /** Steps between saved weight checkpoints unless --checkpoint-every says otherwise. */
        static final int CHECKPOINT_EVERY = 100;

        static final String USAGE = "usage: TrainInduction --out DIR [--steps 2000] [--seed 1] [--every 50] [--batch 64]"
                + " [--lr 0.001] [--heads 4] [--d-model 64] [--checkpoint-every 100] [--collapse]";

        static Options parse(String[] args) {
            Path out = null;
            int steps = 2000;
            long seed = 1;
            int every = 50;
            int batch = 64;
            float lr = 1e-3f;
            int heads = 4;
            int dModel = 64;
            int checkpointEvery = CHECKPOINT_EVERY;
            boolean collapse = false;
            for (Arguments.Option a : Arguments.parse(args, "--collapse")) {
                switch (a.name()) {
                    case "--collapse" -> collapse = true;
                    case "--out" -> out = a.path();
                    case "--steps" -> steps = a.integer();
                    case "--seed" -> seed = a.longInteger();
                    case "--every" -> every = a.integer();
                    case "--batch" -> batch = a.integer();
                    case "--lr" -> lr = a.number();
                    case "--heads" -> heads = a.integer();
                    case "--d-model" -> dModel = a.integer();
                    case "--checkpoint-every" -> checkpointEvery = a.integer();
                    default -> throw new IllegalArgumentException("unknown option " + a.name());
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("--out DIR is required");
            }
            if (steps < 1 || every < 5 || batch < 1 || !(lr > 0) || heads < 1 || dModel < heads || dModel % heads != 0
                    || checkpointEvery < 0) {
                throw new IllegalArgumentException("--steps, --batch, --lr must be positive, --every at least 5,"
                        + " --checkpoint-every at least 0, and --d-model a multiple of --heads");
            }
            return new Options(out, steps, seed, every, batch, lr, heads, dModel, checkpointEvery, collapse);
        }

        Optimization optimization() {
            return TrainingLoop.schedule(collapse ? learningRate * COLLAPSE_FACTOR : learningRate, WEIGHT_DECAY, WARMUP,
                    steps);
        }

        /** The arguments, canonical order, defaults left out but for --out, --steps and --seed (what the card quotes). */
        String arguments() {
            StringBuilder s = new StringBuilder("--out " + out + " --steps " + steps + " --seed " + seed);
            if (every != 50) {
                s.append(" --every ").append(every);
            }
            if (batch != 64) {
                s.append(" --batch ").append(batch);
            }
            if (learningRate != 1e-3f) {
                s.append(" --lr ").append(learningRate);
            }
            if (heads != 4) {
                s.append(" --heads ").append(heads);
            }
            if (dModel != 64) {
                s.append(" --d-model ").append(dModel);
            }
            if (checkpointEvery != CHECKPOINT_EVERY) {
                s.append(" --checkpoint-every ").append(checkpointEvery);
            }
            return collapse ? s.append(" --collapse").toString() : s.toString();
        }

        /** The Maven command that reproduces this run from the repository root (after {@code mvn install -DskipTests}). */
        String command() {
            return "mvn -B -o -pl sample-models exec:java " + JVM_FLAGS
                    + " -Dexec.mainClass=" + TrainInduction.class.getName() + " -Dexec.args=\"" + arguments() + "\"";
        }

        /** Whether a checkpoint is taken after this many steps. */
        boolean checkpointAt(int step) {
            return step == 0 || step == steps || (step <= every ? step % (every / 5) == 0 : step % every == 0);
        }
    }

    /** A finished run: its timeline and what was measured on the weights as written. */
    record Run(Timeline timeline, Metrics metrics) {
    }

    private TrainInduction() {
    }

    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TrainInduction: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        Run run = train(options, System.out);
        System.out.println(run.metrics().summary());
    }

    /** Trains, writes the folder, re-opens it through {@code LoadedModel.open} and measures what was written. */
    static Run train(Options o, PrintStream log) throws IOException {
        DjlRuntime.forceOffline();
        long start = System.nanoTime();
        String name = o.out().getFileName().toString();
        String label = o.collapse()
                ? "deliberately collapsed: learning rate " + (int) COLLAPSE_FACTOR + "x too high" : "trained";
        Optimization optimization = o.optimization();
        ModelConfig config = InductionTask.config(o.heads(), o.dModel());
        log.printf(Locale.ROOT, "%s: %d steps of %d sequences, %s, seed %d%n", name, o.steps(), o.batch(),
                optimization, o.seed());

        List<Timeline.Checkpoint> checkpoints = new ArrayList<>();
        float[] stepLoss = new float[o.steps()];
        long trainingNanos;
        TrainingCheckpoints.Writer weights = new TrainingCheckpoints.Writer(o.out(), o.checkpointEvery(), o.steps());
        try (LoadedModel m = LoadedModel.of(name, config, RandomGpt2.tensors(config, o.seed(), INIT_STD), null,
                DjlRuntime.DeviceChoice.CPU);
             Trainer trainer = new Trainer(m.model(), optimization, Interventions.NONE, (int) o.seed())) {
            Gpt2Model model = (Gpt2Model) m.model();
            weights.maybeWrite(0, model);
            trainingNanos = TrainingLoop.run(trainer, o.steps(), o.seed(),
                    data -> InductionTask.trainingBatch(data, o.batch()), o::checkpointAt,
                    (step, rate, trainLoss) -> checkpoints.add(checkpoint(m, step, rate, trainLoss, log)),
                    (step, loss) -> {
                        stepLoss[step - 1] = round(loss, 5);
                        weights.maybeWrite(step, model);
                    });
            Gpt2Folder.write(o.out(), (Gpt2Model) m.model(), InductionTask.tokenizerJson(),
                    Map.of("sample", name, "trained_by", TrainInduction.class.getSimpleName() + " " + o.arguments()));
        }
        Timeline timeline = new Timeline(name, label, o.command(), o.every(), InductionTask.probe(),
                InductionTask.text(InductionTask.probe()), stepLoss, checkpoints);
        Metrics metrics;
        try (LoadedModel written = LoadedModel.open(o.out(), DjlRuntime.DeviceChoice.CPU)) {
            metrics = Metrics.measure(written, label, o.command(), o, optimization.toString(), trainingNanos / 1e9, start);
        }
        double inMemory = checkpoints.get(checkpoints.size() - 1).accuracy();
        if (Math.abs(inMemory - metrics.accuracy()) > 1e-5) {
            throw new IllegalStateException("the folder measures " + metrics.accuracy() + ", the model in memory "
                    + inMemory + ": the export lost something");
        }
        TrainingCheckpoints saved = weights.finish();
        if (!saved.checkpoints().isEmpty()) {
            log.printf(Locale.ROOT, "%d weight checkpoints (%s), %,d bytes in %s/%n", saved.checkpoints().size(),
                    saved.dtype(), saved.totalBytes(), TrainingCheckpoints.FOLDER);
        }
        metrics.write(o.out());
        new ObjectMapper().writeValue(o.out().resolve("timeline.json").toFile(), timeline);
        ModelCard.write(o.out(), metrics, timeline);
        return new Run(timeline, metrics);
    }

    private static Timeline.Checkpoint checkpoint(LoadedModel m, int step, float rate, Double trainLoss, PrintStream log) {
        double[] accLoss = InductionTask.accuracyAndLoss(m.model(), Interventions.NONE);
        HeadScores s = HeadScores.measure(m.model(), Interventions.NONE);
        Probe probe = Probe.measure(m.model(), Interventions.NONE);
        log.printf(Locale.ROOT, "step %5d  train loss %s  held-out loss %.4f  accuracy %.4f  entropy %s%n", step,
                trainLoss == null ? "  -   " : String.format(Locale.ROOT, "%.4f", trainLoss), accLoss[1], accLoss[0],
                Arrays.deepToString(round(probe.entropy(), 2)));
        return new Timeline.Checkpoint(step, rate, trainLoss == null ? null : (double) round(trainLoss.floatValue(), 5),
                round(accLoss[1], 5), round(accLoss[0], 5), round(s.previousToken(), 4), round(s.previousTokenFirstHalf(), 4),
                round(s.induction(), 4), round(probe.entropy(), 4), probe.patterns());
    }

    static float round(float v, int decimals) {
        double f = Math.pow(10, decimals);
        return (float) (Math.round(v * f) / f);
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    static double[][] round(double[][] v, int decimals) {
        double[][] r = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            r[i] = new double[v[i].length];
            for (int j = 0; j < v[i].length; j++) {
                r[i][j] = round(v[i][j], decimals);
            }
        }
        return r;
    }

    static float[][] round(float[][] v, int decimals) {
        float[][] r = new float[v.length][];
        for (int i = 0; i < v.length; i++) {
            r[i] = new float[v[i].length];
            for (int j = 0; j < v[i].length; j++) {
                r[i][j] = round(v[i][j], decimals);
            }
        }
        return r;
    }
}
