package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Gpt2Model;
import dev.attnstudio.engine.model.LlamaModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.load.Gpt2Folder;
import dev.attnstudio.engine.load.LlamaFolder;
import dev.attnstudio.engine.train.Optimization;
import dev.attnstudio.engine.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains {@code tiny-gpt} or {@code tiny-llama}, a small byte-level language model on a plain text file (the King
 * James Bible from Debian's {@code bible-kjv-text}), and writes it as a Hugging Face folder with its model card,
 * {@code metrics.json} and the validation slice it was scored on:
 *
 * <pre>
 * TrainTinyLm --arch gpt2|llama --data FILE --out DIR [--steps 1200] [--seed 1] [--batch 16] [--lr 0.004] [--every 50]
 * </pre>
 *
 * Everything is seeded: initial weights ({@link RandomGpt2} / {@link RandomLlama}, std {@value #INIT_STD}, from the
 * seed) and the training windows ({@link SplittableRandom} from the seed + 1). The split and the validation windows
 * are fixed by the text alone ({@link TinyLmCorpus}).
 */
public final class TrainTinyLm {

    static final double INIT_STD = 0.02;
    static final float WEIGHT_DECAY = 0.01f;
    static final float CLIP_NORM = 1f;
    static final int WARMUP = 50;
    /** Tokens per window: the models' whole context. */
    static final int CONTEXT = 128;
    /** Validation windows: 128 x 127 + 1 = 16,257 bytes from the start of the held-out part. */
    static final int VALIDATION_WINDOWS = 128;
    static final String VALIDATION_FILE = "validation.txt";
    static final String CARD_FILE = "MODEL_CARD.md";
    /** Bytes generated for the card (the context is full before that: 128 - 12 prompt bytes). */
    static final int GENERATED = 200;
    /** DJL's setting for PyTorch's intra-op threads. */
    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    /** The two architectures, at one size class: 4 layers, 4 heads, d_model 128, 128 positions, 256 byte tokens. */
    enum Arch {
        /** GPT-2: LayerNorm, learned positions, 4 d_model MLP with tanh GELU, tied unembedding. */
        GPT2("gpt2", new ModelConfig(ModelConfig.Architecture.GPT2, 4, 4, 128, 512, CONTEXT, 256, 0, 1e-5,
                ModelConfig.Activation.GELU_NEW)),
        /**
         * LLaMA: RMSNorm, rotary positions (base 10000), grouped-query attention (4 query heads share 2 key/value
         * heads), SwiGLU MLP of 344 (about 8/3 d_model, so the parameter count matches GPT-2's 4 d_model MLP), no
         * biases, untied lm_head.
         */
        LLAMA("llama", new ModelConfig(ModelConfig.Architecture.LLAMA, 4, 4, 128, 344, CONTEXT, 256, 0, 1e-5,
                ModelConfig.Activation.SILU, new ModelConfig.Llama(2, 10000, false)));

        final String id;
        final ModelConfig config;

        Arch(String id, ModelConfig config) {
            this.id = id;
            this.config = config;
        }

        static Arch parse(String s) {
            for (Arch a : values()) {
                if (a.id.equals(s)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("--arch must be gpt2 or llama, was " + s);
        }

        Map<String, SafeTensors.Tensor> initialWeights(long seed) {
            return this == GPT2 ? RandomGpt2.tensors(config, seed, (float) INIT_STD)
                    : RandomLlama.tensors(config, seed, (float) INIT_STD);
        }

        void write(Path folder, LoadedModel m, Map<String, String> metadata) throws IOException {
            String tokenizer = ByteLevelVocab.tokenizerJson();
            if (this == GPT2) {
                Gpt2Folder.write(folder, (Gpt2Model) m.model(), tokenizer, metadata);
            } else {
                LlamaFolder.write(folder, (LlamaModel) m.model(), tokenizer, metadata);
            }
        }

        /** The geometry in words, for the card. */
        String geometry() {
            ModelConfig c = config;
            return this == GPT2
                    ? String.format(Locale.ROOT, "GPT-2: %d layers x %d heads of %d, d_model %d, d_mlp %d (gelu_new),"
                            + " LayerNorm eps %.0e, learned positions (%d), tied unembedding, %d byte tokens", c.nLayer(),
                            c.nHead(), c.dHead(), c.dModel(), c.dMlp(), c.layerNormEps(), c.nPositions(), c.vocabSize())
                    : String.format(Locale.ROOT, "LLaMA: %d layers x %d query heads of %d sharing %d key/value heads"
                            + " (GQA), d_model %d, SwiGLU d_mlp %d, RMSNorm eps %.0e, RoPE base %.0f over %d positions,"
                            + " untied lm_head, no biases, %d byte tokens", c.nLayer(), c.nHead(), c.dHead(),
                            c.nKvHeads(), c.dModel(), c.dMlp(), c.layerNormEps(),
                            ((ModelConfig.Llama) c.extra()).ropeTheta(), c.nPositions(), c.vocabSize());
        }
    }

    /** The command line. */
    record Options(Arch arch, Path data, Path out, int steps, long seed, int batch, float learningRate, int every) {

        static Options parse(String[] args) {
            Arch arch = null;
            Path data = null;
            Path out = null;
            int steps = 1200;
            long seed = 1;
            int batch = 16;
            float lr = 4e-3f;
            int every = 50;
            for (Arguments.Option a : Arguments.parse(args)) {
                switch (a.name()) {
                    case "--arch" -> arch = Arch.parse(a.value());
                    case "--data" -> data = a.path();
                    case "--out" -> out = a.path();
                    case "--steps" -> steps = a.integer();
                    case "--seed" -> seed = a.longInteger();
                    case "--batch" -> batch = a.integer();
                    case "--lr" -> lr = a.number();
                    case "--every" -> every = a.integer();
                    default -> throw new IllegalArgumentException("unknown option " + a.name()
                            + " (known: --arch --data --out --steps --seed --batch --lr --every)");
                }
            }
            if (arch == null || data == null || out == null) {
                throw new IllegalArgumentException("--arch, --data and --out are required");
            }
            if (steps < 1 || every < 1 || batch < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("--steps, --every, --batch and --lr must be positive");
            }
            return new Options(arch, data, out, steps, seed, batch, lr, every);
        }

        Optimization optimization() {
            return TrainingLoop.schedule(learningRate, WEIGHT_DECAY, WARMUP, steps).withClipNorm(CLIP_NORM);
        }

        /** The arguments in a canonical order, defaults left out (what the card quotes). */
        String arguments() {
            StringBuilder s = new StringBuilder("--arch " + arch.id + " --data " + data + " --out " + out
                    + " --steps " + steps + " --seed " + seed);
            if (batch != 16) {
                s.append(" --batch ").append(batch);
            }
            if (learningRate != 4e-3f) {
                s.append(" --lr ").append(learningRate);
            }
            if (every != 50) {
                s.append(" --every ").append(every);
            }
            return s.toString();
        }

        /** The Maven command that reproduces the run from the repository root. */
        String command() {
            return "mvn -q -B -o -pl sample-models exec:java -Dexec.mainClass=" + TrainTinyLm.class.getName()
                    + " -Dexec.args=\"" + arguments() + "\" -Dai.djl.offline=true -DOPT_OUT_TRACKING=true"
                    + " -DDJL_CACHE_DIR=target/djl-cache";
        }
    }

    private TrainTinyLm() {
    }

    public static void main(String[] args) throws IOException {
        // One PyTorch thread unless told otherwise, set before the engine starts: on the 2-core machine the samples
        // were trained on, two intra-op threads spin-wait against any other busy process (a training step measured
        // 5x slower), and one thread fixes the order of float reductions, so a rerun gives the same weights.
        if (System.getProperty(THREADS_PROPERTY) == null) {
            System.setProperty(THREADS_PROPERTY, "1");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TrainTinyLm: " + e.getMessage());
            System.err.println("usage: TrainTinyLm --arch gpt2|llama --data FILE --out DIR [--steps 1200] [--seed 1]"
                    + " [--batch 16] [--lr 0.004] [--every 50]");
            System.exit(2);
            return;
        }
        TinyLmMetrics m = train(options, System.out);
        System.out.printf(Locale.ROOT, "%s: validation loss %.4f nats/byte, perplexity %.3f; training %.0f s%n",
                m.sample(), m.validation().loss(), m.validation().perplexity(), m.training().trainingSeconds());
    }

    /** Trains, writes the folder, re-opens it and measures it; returns what {@code metrics.json} holds. */
    static TinyLmMetrics train(Options o, PrintStream log) throws IOException {
        DjlRuntime.forceOffline();
        long start = System.nanoTime();
        String name = o.out().getFileName().toString();
        TinyLmCorpus corpus = TinyLmCorpus.read(o.data());
        byte[] validationText = corpus.validationSlice(VALIDATION_WINDOWS, CONTEXT);
        List<long[]> validation = TinyLmCorpus.windows(validationText, CONTEXT);
        Optimization optimization = o.optimization();
        ModelConfig config = o.arch().config;
        log.printf(Locale.ROOT, "%s: %s%n%d bytes (sha256 %s), training on the first %d, validating on %d windows of %d"
                        + " from byte %d%n%d steps of %d windows, %s, seed %d%n", name, o.arch().geometry(), corpus.size(),
                corpus.sha256(), corpus.trainingBytes(), validation.size(), CONTEXT, corpus.heldOutStart(), o.steps(),
                o.batch(), optimization, o.seed());

        List<TinyLmMetrics.CurvePoint> curve = new ArrayList<>();
        long trainingNanos;
        long parameters;
        try (LoadedModel m = LoadedModel.of(name, config, o.arch().initialWeights(o.seed()), null,
                DjlRuntime.DeviceChoice.CPU);
             Trainer trainer = new Trainer(m.model(), optimization, Interventions.NONE, (int) o.seed())) {
            parameters = m.model().parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            trainingNanos = TrainingLoop.run(trainer, o.steps(), o.seed(),
                    data -> corpus.trainingBatch(data, o.batch(), CONTEXT), TrainingLoop.every(o.every(), o.steps()),
                    (step, rate, trainLoss) -> point(curve, m, validation, step, rate, trainLoss, log));
            o.arch().write(o.out(), m, Map.of("sample", name,
                    "trained_by", TrainTinyLm.class.getName() + " " + o.arguments()));
        }
        TinyLmMetrics.CurvePoint last = curve.get(curve.size() - 1);
        double lastValidation = last.validationLoss();
        double finalTrainLoss = last.trainLoss();
        double trainingSeconds = trainingNanos / 1e9;
        Files.write(o.out().resolve(VALIDATION_FILE), validationText);
        log.printf(Locale.ROOT, "training steps took %.1f s; measuring the written folder%n", trainingSeconds);

        try (LoadedModel reopened = LoadedModel.open(o.out(), DjlRuntime.DeviceChoice.CPU)) {
            TinyLmEvaluation v = TinyLmEvaluation.of(reopened.model(), validation);
            if (Math.abs(v.loss() - lastValidation) > 1e-4) {
                throw new IllegalStateException("the written weights score " + v.loss() + " on validation, in memory "
                        + lastValidation);
            }
            List<long[]> heldOutWindows = TinyLmCorpus.windows(corpus.heldOut(), CONTEXT);
            TinyLmEvaluation h = TinyLmEvaluation.of(reopened.model(), heldOutWindows);
            TinyLmHeads heads = TinyLmHeads.measure(reopened.model(), validation);
            List<TinyLmMetrics.Generation> generations = List.of(
                    TinyLmMetrics.Generation.of(TinyLmGeneration.of(reopened, TinyLmGeneration.PROMPT,
                            SamplingConfig.GREEDY, GENERATED)),
                    TinyLmMetrics.Generation.of(TinyLmGeneration.of(reopened, TinyLmGeneration.PROMPT,
                            TinyLmGeneration.SAMPLED, GENERATED)));
            double totalSeconds = (System.nanoTime() - start) / 1e9;
            TinyLmMetrics metrics = new TinyLmMetrics(name, o.arch().id, o.arch().geometry(), parameters,
                    TinyLmCard.kjvData(o.data().toString(), corpus),
                    new TinyLmMetrics.Training(o.command(), o.seed(), o.steps(), o.batch(), CONTEXT,
                            optimization.toString(), INIT_STD, Integer.parseInt(System.getProperty(THREADS_PROPERTY, "0")),
                            trainingSeconds, totalSeconds, finalTrainLoss, o.every(), curve),
                    TinyLmMetrics.Score.of(VALIDATION_FILE, validation.size(), CONTEXT, validationText.length, v),
                    TinyLmMetrics.Score.of("the whole held-out part (bytes " + corpus.heldOutStart() + ".." + corpus.size()
                            + " of the data file)", heldOutWindows.size(), CONTEXT,
                            heldOutWindows.size() * (CONTEXT - 1) + 1, h),
                    generations, heads);
            metrics.write(o.out());
            TinyLmCard.write(o.out().resolve(CARD_FILE), metrics, Files.size(o.out().resolve("model.safetensors")));
            log.printf(Locale.ROOT, "held-out part: loss %.4f, perplexity %.3f over %d windows%n", h.loss(),
                    h.perplexity(), heldOutWindows.size());
            generations.forEach(g -> log.println(g.sampling() + ": " + g.prompt() + g.text()));
            return metrics;
        }
    }

    /** Scores the validation windows, logs and records a row of the curve. */
    private static void point(List<TinyLmMetrics.CurvePoint> curve, LoadedModel m, List<long[]> validation, int step,
                              float rate, Double trainLoss, PrintStream log) {
        TinyLmEvaluation v = TinyLmEvaluation.of(m.model(), validation);
        curve.add(new TinyLmMetrics.CurvePoint(step, rate, trainLoss, v.loss()));
        log.printf(Locale.ROOT, "step %5d  lr %.5f  train loss %s  validation loss %.4f  perplexity %.3f%n", step, rate,
                trainLoss == null ? "   -  " : String.format(Locale.ROOT, "%.4f", trainLoss), v.loss(), v.perplexity());
    }
}
