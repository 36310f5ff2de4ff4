package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomT5;
import dev.attnstudio.engine.model.T5Model;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.train.Optimization;
import dev.attnstudio.engine.load.T5Folder;
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
 * Trains {@code reverse-t5}, a tiny T5 encoder-decoder that writes a string of letters backwards
 * ({@link ReverseTask}), and writes it as a Hugging Face folder with its model card, {@code metrics.json} and figures:
 *
 * <pre>
 * TrainReverseT5 --out DIR [--steps 3000] [--seed 1] [--batch 64] [--lr 0.003] [--every 100] [--d-model 64]
 *                [--heads 4] [--layers 2]
 * </pre>
 *
 * The recipe: AdamW (weight decay {@value #WEIGHT_DECAY}), linear warm-up over {@value #WARMUP} steps, cosine decay to a
 * tenth of the peak rate, gradients clipped at norm {@value #CLIP_NORM}; no dropout. Everything is seeded: initial
 * weights ({@link RandomT5}, std {@value #INIT_STD}, from the seed), the training strings ({@link SplittableRandom}
 * from the seed + 1) and the held-out set ({@link ReverseTask#EVAL_SEED}). One PyTorch thread by default (as
 * {@link TrainTinyLm}), so a rerun gives the same weights.
 */
public final class TrainReverseT5 {

    static final float INIT_STD = 0.05f;
    static final float WEIGHT_DECAY = 0.01f;
    static final float CLIP_NORM = 1f;
    static final int WARMUP = 100;
    /**
     * Relative position buckets and the distance where they stop growing: 32 buckets of which T5 gives each direction
     * 16 in the encoder (8 exact distances, then log-spaced up to 16) and the causal decoder 32 (16 exact). With a
     * maximum distance of 16, every distance in these strings (at most 13 tokens) has a bucket of its own.
     */
    static final int BUCKETS = 32;
    static final int MAX_DISTANCE = 16;
    /** Positions the engine accepts per sequence: the longest source is 13 tokens, the longest decoder input 13. */
    static final int POSITIONS = 32;

    /** The command line. */
    record Options(Path out, int steps, long seed, int batch, float learningRate, int every, int dModel, int heads,
                   int layers) {

        static final String USAGE = "usage: TrainReverseT5 --out DIR [--steps 3000] [--seed 1] [--batch 64] [--lr 0.003]"
                + " [--every 100] [--d-model 64] [--heads 4] [--layers 2]";

        static Options parse(String[] args) {
            Path out = null;
            int steps = 3000;
            long seed = 1;
            int batch = 64;
            float lr = 3e-3f;
            int every = 100;
            int dModel = 64;
            int heads = 4;
            int layers = 2;
            for (Arguments.Option a : Arguments.parse(args)) {
                switch (a.name()) {
                    case "--out" -> out = a.path();
                    case "--steps" -> steps = a.integer();
                    case "--seed" -> seed = a.longInteger();
                    case "--batch" -> batch = a.integer();
                    case "--lr" -> lr = a.number();
                    case "--every" -> every = a.integer();
                    case "--d-model" -> dModel = a.integer();
                    case "--heads" -> heads = a.integer();
                    case "--layers" -> layers = a.integer();
                    default -> throw new IllegalArgumentException("unknown option " + a.name());
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("--out DIR is required");
            }
            if (steps < 1 || every < 1 || batch < 1 || !(lr > 0) || layers < 1 || heads < 1 || dModel % heads != 0) {
                throw new IllegalArgumentException("--steps, --every, --batch, --lr and --layers must be positive, and"
                        + " --d-model a multiple of --heads");
            }
            return new Options(out, steps, seed, batch, lr, every, dModel, heads, layers);
        }

        /**
         * {@code layers} encoder and decoder blocks of {@code heads} heads of d_model / heads, ReLU feed-forward of 4
         * d_model, tied embeddings, decoder start token {@code <pad>}.
         */
        ModelConfig config() {
            return new ModelConfig(ModelConfig.Architecture.T5, layers, heads, dModel, 4 * dModel, POSITIONS,
                    ReverseTask.VOCAB, 0, 1e-6, ModelConfig.Activation.RELU,
                    new ModelConfig.T5(dModel / heads, layers, BUCKETS, MAX_DISTANCE, false, true, ReverseTask.PAD));
        }

        Optimization optimization() {
            return TrainingLoop.schedule(learningRate, WEIGHT_DECAY, WARMUP, steps).withClipNorm(CLIP_NORM);
        }

        /** The arguments in a canonical order, defaults left out but for --out, --steps and --seed (what the card quotes). */
        String arguments() {
            StringBuilder s = new StringBuilder("--out " + out + " --steps " + steps + " --seed " + seed);
            if (batch != 64) {
                s.append(" --batch ").append(batch);
            }
            if (learningRate != 3e-3f) {
                s.append(" --lr ").append(learningRate);
            }
            if (every != 100) {
                s.append(" --every ").append(every);
            }
            if (dModel != 64) {
                s.append(" --d-model ").append(dModel);
            }
            if (heads != 4) {
                s.append(" --heads ").append(heads);
            }
            if (layers != 2) {
                s.append(" --layers ").append(layers);
            }
            return s.toString();
        }

        /** The Maven command that reproduces this run from the repository root (after {@code mvn install -DskipTests}). */
        String command() {
            return "mvn -q -B -o -pl sample-models exec:java " + TrainInduction.JVM_FLAGS
                    + " -Dexec.mainClass=" + TrainReverseT5.class.getName() + " -Dexec.args=\"" + arguments() + "\"";
        }
    }

    private TrainReverseT5() {
    }

    public static void main(String[] args) throws IOException {
        if (System.getProperty(TrainTinyLm.THREADS_PROPERTY) == null) {
            System.setProperty(TrainTinyLm.THREADS_PROPERTY, "1"); // see TrainTinyLm.main
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TrainReverseT5: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        ReverseT5Metrics m = train(options, System.out);
        System.out.println(ReverseT5Card.summary(m));
    }

    /** Trains, writes the folder, re-opens it through {@code LoadedModel.open} and measures what was written. */
    static ReverseT5Metrics train(Options o, PrintStream log) throws IOException {
        DjlRuntime.forceOffline();
        long start = System.nanoTime();
        String name = o.out().getFileName().toString();
        ModelConfig config = o.config();
        Optimization optimization = o.optimization();
        log.printf(Locale.ROOT, "%s: %s%n%d steps of %d strings, %s, seed %d%n", name, ReverseT5Card.geometry(config),
                o.steps(), o.batch(), optimization, o.seed());

        List<ReverseT5Metrics.CurvePoint> curve = new ArrayList<>();
        long trainingNanos;
        long parameters;
        try (LoadedModel m = LoadedModel.of(name, config, RandomT5.tensors(config, o.seed(), INIT_STD), null,
                DjlRuntime.DeviceChoice.CPU);
             Trainer trainer = new Trainer(m.model(), optimization, Interventions.NONE, (int) o.seed())) {
            parameters = m.model().parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            trainingNanos = TrainingLoop.run(trainer, o.steps(), o.seed(),
                    data -> ReverseT5Measurement.batch(ReverseTask.trainingExamples(data, o.batch())),
                    TrainingLoop.every(o.every(), o.steps()),
                    (step, rate, trainLoss) -> point(curve, m, step, rate, trainLoss, log));
            T5Folder.write(o.out(), (T5Model) m.model(), ReverseTask.tokenizerJson(),
                    Map.of("sample", name, "trained_by", TrainReverseT5.class.getName() + " " + o.arguments()));
        }
        double trainingSeconds = trainingNanos / 1e9;
        log.printf(Locale.ROOT, "training steps took %.1f s; measuring the written folder%n", trainingSeconds);

        try (LoadedModel written = LoadedModel.open(o.out(), DjlRuntime.DeviceChoice.CPU)) {
            ReverseT5Measurement measured = ReverseT5Measurement.of(written.model());
            ReverseT5Metrics.CurvePoint last = curve.get(curve.size() - 1);
            if (Math.abs(measured.exactMatch() - last.exactMatch()) > 1e-9
                    || Math.abs(measured.loss() - last.heldOutLoss()) > 1e-4) {
                throw new IllegalStateException("the folder measures exact match " + measured.exactMatch() + ", loss "
                        + measured.loss() + "; the model in memory " + last.exactMatch() + ", " + last.heldOutLoss()
                        + ": the export lost something");
            }
            ReverseT5Metrics metrics = new ReverseT5Metrics(name, ReverseT5Card.geometry(config), parameters,
                    ReverseT5Metrics.Data.of(),
                    new ReverseT5Metrics.Training(o.command(), o.seed(), o.steps(), o.batch(), optimization.toString(),
                            INIT_STD, Integer.parseInt(System.getProperty(TrainTinyLm.THREADS_PROPERTY, "0")),
                            trainingSeconds, (System.nanoTime() - start) / 1e9, o.every(), curve),
                    measured);
            metrics.write(o.out());
            ReverseT5Card.write(o.out(), metrics, CrossAlignment.patterns(written.model(), ReverseTask.probe()));
            return metrics;
        }
    }

    /** Scores the held-out strings, logs and records a row of the curve. */
    private static void point(List<ReverseT5Metrics.CurvePoint> curve, LoadedModel m, int step, float rate,
                              Double trainLoss, PrintStream log) {
        double[] accLoss = ReverseT5Measurement.teacherForced(m.model());
        double exact = Arrays.stream(ReverseT5Measurement.exactMatchByLength(m.model())).average().orElse(0);
        curve.add(new ReverseT5Metrics.CurvePoint(step, rate, trainLoss, accLoss[1], accLoss[0], exact));
        log.printf(Locale.ROOT, "step %5d  lr %.5f  train loss %s  held-out loss %.4f  token accuracy %.4f"
                        + "  exact match %.4f%n", step, rate,
                trainLoss == null ? "   -  " : String.format(Locale.ROOT, "%.4f", trainLoss), accLoss[1], accLoss[0],
                exact);
    }
}
