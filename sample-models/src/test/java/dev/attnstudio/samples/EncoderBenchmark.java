package dev.attnstudio.samples;

import ai.djl.pytorch.jni.JniUtils;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Prints how fast the engine runs a real encoder, all-MiniLM-L6-v2 (6 layers, 12 heads, d_model 384), next to ONNX
 * Runtime on the same ONNX file: a plain forward pass ({@link Capture#OFF}), a pass that keeps every hook reachable
 * ({@link Capture#COMPACT}), and ONNX Runtime, at 32, 128 and 512 tokens (batch 1). Each figure is the median of
 * warm runs (after {@link #WARM_UP_NANOS} of warm-up rounds; the two engine modes are interleaved, ONNX Runtime is
 * timed on its own) and includes copying the last hidden state [1, T, 384] into Java.
 *
 * <p>Both runtimes get the same number of threads: ONNX Runtime's intra-op threads are set to
 * {@code Runtime.availableProcessors()}, which is what DJL's PyTorch uses by default on this machine (2 on the
 * 2-core build machine; {@code -Dai.djl.pytorch.num_threads=N} changes DJL's). The tokenizer.json truncates at 128
 * tokens but the model reads 512 positions, so the id sequences are made directly: [CLS], random word-piece ids,
 * [SEP].
 *
 * <p>Run it from the repository root (a test-scope program: ONNX Runtime is a test dependency):
 * <pre>
 * mvn -q -B -o install -DskipTests
 * mvn -q -B -o -pl sample-models test-compile exec:java -Dexec.mainClass=dev.attnstudio.samples.EncoderBenchmark \
 *     -Dexec.classpathScope=test -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -DDJL_CACHE_DIR=target/djl-cache
 * </pre>
 * {@code exec:java} runs in Maven's own JVM, so the {@code -D} switches are that JVM's system properties: offline,
 * no telemetry, and the same native cache as the tests. {@code -Dexec.args="--runs 40"} sets the repetitions (default 20, half of that at 512 tokens).
 */
public final class EncoderBenchmark {

    private static final int[] LENGTHS = {32, 128, 512};
    /**
     * Warm-up time per length: the JIT compiles the engine's Java side over the first seconds (measured at 32 tokens:
     * 43 ms a pass after 3 warm-up passes, 16.7 ms after 300), and two warm-up rounds were far from enough.
     */
    private static final long WARM_UP_NANOS = 5_000_000_000L;
    private static final Set<String> LAST_HIDDEN_STATE = Set.of("last_hidden_state");
    private static final long CLS = 101;
    private static final long SEP = 102;
    /** Ordinary word pieces of the uncased BERT vocabulary (below are [unused] slots and single characters). */
    private static final int FIRST_WORD = 1996;

    private EncoderBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        DjlRuntime.forceOffline();
        int runs = 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs") && i + 1 < args.length) {
                runs = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + " (use --runs N)");
            }
        }
        int threads = Runtime.getRuntime().availableProcessors();
        SampleModels.MavenOnnx source =
                (SampleModels.MavenOnnx) SampleModels.find("all-minilm-l6-v2").orElseThrow().source();
        long start = System.nanoTime();
        try (LoadedModel model = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU)) {
            System.out.printf(Locale.ROOT, "all-minilm-l6-v2: %d layers, %d heads, d_model %d; engine opened it in %d ms"
                            + " on %s%n", model.config().nLayer(), model.config().nHead(), model.config().dModel(),
                    (System.nanoTime() - start) / 1_000_000, model.device());
            byte[] onnx;
            try (InputStream in = SampleModels.resource(source, source.onnx())) {
                onnx = in.readAllBytes();
            }
            try (OrtEncoder ort = new OrtEncoder(onnx, threads)) {
                onnx = null; // ONNX Runtime keeps its own copy
                System.out.printf(Locale.ROOT, "threads: ONNX Runtime intra-op %d; PyTorch (DJL) intra-op %d, inter-op %d;"
                                + " %d cores visible; java %s; median of %d warm runs (%d at 512 tokens)%n%n", threads,
                        JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), threads,
                        System.getProperty("java.version"), runs, Math.max(3, runs / 2));
                System.out.println("tokens  engine plain  engine compact  onnxruntime  plain/ort  compact/plain");
                for (int tokens : LENGTHS) {
                    Batch batch = Batch.of(ids(tokens, model.config().vocabSize()));
                    int n = tokens >= 512 ? Math.max(3, runs / 2) : runs;
                    double[] ms = medians(n, engine(model, batch, Capture.OFF), engine(model, batch, Capture.COMPACT));
                    // Timed on its own: after a run, ONNX Runtime's pool threads spin for a while waiting for work,
                    // which would slow an engine pass that followed on this 2-core machine.
                    double reference = medians(n, () -> ort.run(batch, LAST_HIDDEN_STATE).get("last_hidden_state"))[0];
                    System.out.printf(Locale.ROOT, "%6d %10.2f ms %12.2f ms %9.2f ms %10.2f %14.2f%n",
                            tokens, ms[0], ms[1], reference, ms[0] / reference, ms[1] / ms[0]);
                }
            }
        }
    }

    /** One engine pass as a timed action: reset, run every step, copy the last hidden state out. */
    private static Supplier<TensorData> engine(LoadedModel model, Batch batch, Capture capture) {
        Stepper.Options options = Stepper.Options.DEFAULT.withCapture(capture).withCache(false);
        return () -> {
            try (Stepper s = new Stepper(model.model(), options)) {
                s.reset(batch);
                s.runToEnd();
                return s.read(model.model().outputHook());
            }
        };
    }

    /**
     * Warm-up rounds for at least {@link #WARM_UP_NANOS} (and two), then n timed rounds; a round runs every pass once, in
     * turn, so slow drifts of the machine (other processes, allocator growth) fall on all of them alike. Returns each
     * pass's median, in ms.
     */
    @SafeVarargs
    private static double[] medians(int n, Supplier<TensorData>... passes) {
        long warmUntil = System.nanoTime() + WARM_UP_NANOS;
        for (int round = 0; round < 2 || System.nanoTime() < warmUntil; round++) {
            for (Supplier<TensorData> pass : passes) {
                pass.get();
            }
        }
        double[][] t = new double[passes.length][n];
        for (int round = 0; round < n; round++) {
            for (int p = 0; p < passes.length; p++) {
                long start = System.nanoTime();
                TensorData out = passes[p].get();
                double ms = (System.nanoTime() - start) / 1e6;
                if (out.values().length == 0) {
                    throw new IllegalStateException("empty output");
                }
                t[p][round] = ms;
            }
        }
        double[] medians = new double[passes.length];
        for (int p = 0; p < passes.length; p++) {
            Arrays.sort(t[p]);
            medians[p] = t[p][n / 2];
        }
        return medians;
    }

    /** [CLS], tokens - 2 random word pieces (seeded by the length), [SEP]. */
    private static long[] ids(int tokens, int vocab) {
        SplittableRandom random = new SplittableRandom(tokens);
        long[] ids = new long[tokens];
        ids[0] = CLS;
        for (int i = 1; i < tokens - 1; i++) {
            ids[i] = random.nextInt(FIRST_WORD, vocab);
        }
        ids[tokens - 1] = SEP;
        return ids;
    }
}
