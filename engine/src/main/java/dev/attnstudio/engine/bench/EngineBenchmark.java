package dev.attnstudio.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.model.RowBlockProduct;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where users feel the engine's speed, in one run on a GPT-2-small-shaped model with random weights (12 layers, 12
 * heads, d_model 768, vocab 50257, float32), side by side:
 * <ul>
 *   <li>the weight-streaming bound: one matrix-vector product over a matrix holding as many floats as all the
 *       weights. Decoding one token must read every weight once, so no batch-1 decoder can beat it (PyTorch runs it on
 *       one thread; the same product split over the threads is printed beside it);</li>
 *   <li>decode, ms per generated token over the KV cache at 128 and 512 tokens of context, as a ratio to the bound
 *       measured between the tokens;</li>
 *   <li>prefill (the prompt's pass) at 32, 64, 256 and 1024 tokens, plain (capture off) and compact (every hook
 *       reachable), and their ratio;</li>
 *   <li>an encoder (all-MiniLM-L6-v2, when the caller passes it: the engine does not bundle samples) at 32, 128 and
 *       512 tokens, plain and compact.</li>
 * </ul>
 * Times are medians of warm runs (two warm-up rounds; modes take turns run by run). The machine, the cores the JVM
 * may use and PyTorch's intra-op threads are printed first: {@code --threads N} sets the threads.
 *
 * <p>{@code --layers N} shrinks the model for a quick look; {@code --runs N} sets repetitions (default 7, fewer at 1024
 * tokens).
 */
public final class EngineBenchmark {

    private static final int[] PREFILL = {32, 64, 256, 1024};
    private static final int[] CONTEXT = {128, 512};
    private static final int[] ENCODER = {32, 128, 512};
    /**
     * Tokens generated before decode is timed: on 2 cores the JIT compiler competes with PyTorch's threads for the first
     * few dozen tokens (measured: 60-90 ms a token at first, 40-50 ms once compiled).
     */
    private static final int WARM_UP_TOKENS = 30;

    private final PrintStream out;
    private final int runs;

    private EngineBenchmark(PrintStream out, int runs) {
        this.out = out;
        this.runs = runs;
    }

    public static void main(String[] args) {
        run(args, System.out, null);
    }

    /**
     * Runs the benchmark.
     *
     * @param encoder an encoder to measure too (the CLI passes the bundled MiniLM), or null
     */
    public static void run(String[] args, PrintStream out, LoadedModel encoder) {
        DjlRuntime.forceOffline();
        ModelConfig config = ModelConfig.gpt2Small();
        int runs = 7;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value (use --layers N, --runs N, --threads N)");
            }
            switch (args[i]) {
                case "--layers" -> config = config.withLayers(Integer.parseInt(args[++i]));
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--threads" -> DjlRuntime.setIntraOpThreads(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --layers N, --runs N, --threads N)");
            }
        }
        EngineBenchmark bench = new EngineBenchmark(out, runs);
        out.printf(Locale.ROOT, "machine: %s; %d cores visible to the JVM; PyTorch intra-op threads %d; java %s%n",
                cpuName(), Runtime.getRuntime().availableProcessors(), DjlRuntime.intraOpThreads(),
                System.getProperty("java.version"));
        out.printf(Locale.ROOT, "model: GPT-2-small shape, random weights: %d layers, %d heads, d_model %d, vocab %d%n",
                config.nLayer(), config.nHead(), config.dModel(), config.vocabSize());
        long start = System.nanoTime();
        try (LoadedModel m = LoadedModel.of("gpt2-small-random", config, RandomGpt2.tensors(config, 1, 0.02f), null,
                DjlRuntime.DeviceChoice.AUTO)) {
            out.printf(Locale.ROOT, "device: %s; weights made and loaded in %d ms%n%n", m.device(),
                    (System.nanoTime() - start) / 1_000_000);
            // The random weights passed through Java arrays and grew the heap; collect them, or decoding's garbage lands
            // in fresh heap pages for hundreds of tokens (measured: 443-461 page faults a token, 12-35 after a
            // collection), which an app that has been running for a while does not see.
            System.gc();
            try (Bound bound = new Bound(m)) {
                bench.bound(bound);
                bench.decode(m, bound);
            }
            bench.prefill(m);
        }
        if (encoder != null) {
            bench.encoder(encoder);
        }
    }

    /**
     * The weight-streaming bound: one matrix-vector product over a matrix holding as many floats as the model's
     * weights, read back as a decode step reads its logits. PyTorch runs that product on one thread (MKL's
     * matrix-vector kernel), so the same product split over the intra-op threads ({@link RowBlockProduct}, as decoding's
     * large products are) is measured too: what the machine's cores stream together. Ratios are to the first, the
     * bound the speed targets are stated against.
     */
    private static final class Bound implements AutoCloseable {
        private final NDManager scratch;
        private final NDArray matrix;
        private final NDArray vector;
        private final NDArray row;

        Bound(LoadedModel m) {
            long params = m.model().manager().getManagedArrays().stream()
                    .filter(a -> a.getDataType().isFloating()).mapToLong(NDArray::size).sum();
            long d = m.config().dModel();
            scratch = m.model().manager().newSubManager();
            matrix = scratch.randomNormal(new Shape(params / d, d));
            vector = scratch.randomNormal(new Shape(d, 1));
            row = vector.transpose();
        }

        /** One product on one thread, in ms. */
        double once() {
            long t = System.nanoTime();
            try (NDArray y = matrix.matMul(vector)) {
                y.toFloatArray();
            }
            return (System.nanoTime() - t) / 1e6;
        }

        /** One product split over the intra-op threads, in ms. */
        double split() {
            long t = System.nanoTime();
            try (NDArray y = RowBlockProduct.timesTransposed(row, matrix)) {
                y.toFloatArray();
            }
            return (System.nanoTime() - t) / 1e6;
        }

        @Override
        public void close() {
            scratch.close();
        }
    }

    private void bound(Bound bound) {
        int n = runs * 3;
        double[][] ms = new double[2][n];
        for (int i = -2; i < n; i++) {
            double one = bound.once();
            double split = bound.split();
            if (i >= 0) {
                ms[0][i] = one;
                ms[1][i] = split;
            }
        }
        Shape s = bound.matrix.getShape();
        out.printf(Locale.ROOT, "weight-streaming bound: [%d, %d] . [%d] (%.1f M floats, %.0f MiB, as all weights) %.2f ms"
                        + " (one thread); split over %d threads %.2f ms%n%n", s.get(0), s.get(1), s.get(1), s.size() / 1e6,
                s.size() * 4 / 1048576.0, median(ms[0]), RowBlockProduct.parts(bound.row, bound.matrix), median(ms[1]));
    }

    /**
     * Decode, with the bound measured again before every token: the machine's speed drifts by tens of percent within
     * minutes, and a ratio of two figures taken minutes apart moved with it.
     */
    private void decode(LoadedModel m, Bound bound) {
        out.println("decode over the KV cache (ms per generated token, greedy, capture off; the bound measured between tokens)");
        out.println("context   ms/token   bound ms   x bound");
        for (int context : CONTEXT) {
            int tokens = runs * 6;
            double[] ms = new double[tokens];
            double[] bounds = new double[tokens];
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF))) {
                s.reset(ids(m.config().vocabSize(), context));
                Sampler sampler = new Sampler(SamplingConfig.GREEDY);
                for (int i = -WARM_UP_TOKENS; i < tokens; i++) {
                    double b = bound.once();
                    long t = System.nanoTime();
                    s.generate(sampler);
                    s.runToEnd();
                    if (i >= 0) {
                        ms[i] = (System.nanoTime() - t) / 1e6;
                        bounds[i] = b;
                    }
                }
            }
            double perToken = median(ms);
            double b = median(bounds);
            out.printf(Locale.ROOT, "%7d %10.2f %10.2f %9.2f%n", context, perToken, b, perToken / b);
        }
        out.println();
    }

    private void prefill(LoadedModel m) {
        out.println("prefill (ms; plain = capture off, compact = every hook reachable)");
        out.println("tokens     plain   compact   compact/plain");
        passes(m.model().config().vocabSize(), PREFILL, m);
        out.println();
    }

    private void encoder(LoadedModel m) {
        out.printf(Locale.ROOT, "encoder %s (%d layers, d_model %d; ms)%n", m.name(), m.config().nLayer(), m.config().dModel());
        out.println("tokens     plain   compact   compact/plain");
        passes(m.config().vocabSize(), ENCODER, m);
        out.println();
    }

    /** Plain and compact passes over random ids, taking turns, at each length. */
    private void passes(int vocab, int[] lengths, LoadedModel m) {
        for (int tokens : lengths) {
            if (tokens > m.config().nPositions()) {
                continue;
            }
            long[] ids = ids(vocab, tokens);
            int n = tokens >= 1024 ? Math.max(3, runs / 2) : runs;
            Capture[] modes = {Capture.OFF, Capture.COMPACT};
            double[][] t = new double[modes.length][n];
            for (int i = -2; i < n; i++) {
                for (int j = 0; j < modes.length; j++) {
                    try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(modes[j]).withCache(false))) {
                        long start = System.nanoTime();
                        s.reset(ids);
                        s.runToEnd();
                        if (i >= 0) {
                            t[j][i] = (System.nanoTime() - start) / 1e6;
                        }
                    }
                }
            }
            double plain = median(t[0]);
            double compact = median(t[1]);
            out.printf(Locale.ROOT, "%6d %9.1f %9.1f %11.3f%n", tokens, plain, compact, compact / plain);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Random ids from the upper half of the vocabulary (real tokens, not control symbols at its start). */
    private static long[] ids(int vocab, int n) {
        SplittableRandom r = new SplittableRandom(n);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = vocab / 2 + r.nextInt(vocab - vocab / 2);
        }
        return ids;
    }

    /** The processor's model name, from /proc/cpuinfo where there is one. */
    private static String cpuName() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown processor");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }
}
