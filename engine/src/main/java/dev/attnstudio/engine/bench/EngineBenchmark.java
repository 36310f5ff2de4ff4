package dev.attnstudio.engine.bench;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.Trace;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prints the engine's speed and memory on a GPT-2-small-shaped model with random weights (12 layers, 12 heads,
 * d_model 768, vocab 50257): plain vs capture forward at 64/256/1024 tokens, decode per token with and without
 * the KV cache at 128/512 tokens of context, and the bytes a trace keeps. Times are medians of warm runs.
 *
 * <p>{@code --layers N} shrinks the model for a quick look; {@code --runs N} sets repetitions.
 */
public final class EngineBenchmark {

    private EngineBenchmark() {
    }

    public static void main(String[] args) {
        DjlRuntime.forceOffline();
        ModelConfig config = ModelConfig.gpt2Small();
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value (use --layers N, --runs N)");
            }
            switch (args[i]) {
                case "--layers" -> config = config.withLayers(Integer.parseInt(args[++i]));
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --layers N, --runs N)");
            }
        }
        System.out.printf(Locale.ROOT, "model: GPT-2-small shape, random weights: %d layers, %d heads, d_model %d, vocab %d%n",
                config.nLayer(), config.nHead(), config.dModel(), config.vocabSize());
        System.out.printf(Locale.ROOT, "threads: %d cores visible; java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        long start = System.nanoTime();
        try (LoadedModel m = LoadedModel.of("gpt2-small-random", config, RandomGpt2.tensors(config, 1, 0.02f), null,
                DjlRuntime.DeviceChoice.AUTO)) {
            System.out.printf(Locale.ROOT, "device: %s; weights made and loaded in %d ms%n%n", m.device(), ms(start));
            forward(m, runs);
            decode(m, Math.max(3, runs));
            memory(m);
        }
    }

    private static void forward(LoadedModel m, int runs) {
        System.out.println("forward pass (ms, median of warm runs; the three modes take turns run by run)");
        System.out.println("tokens   plain   compact  ratio    full  ratio");
        Capture[] modes = {Capture.OFF, Capture.COMPACT, Capture.FULL};
        for (int tokens : new int[] {64, 256, 1024}) {
            long[] ids = ids(m, tokens);
            int n = tokens >= 1024 ? Math.max(3, runs / 2) : runs;
            double[][] t = new double[modes.length][n];
            Stepper[] steppers = new Stepper[modes.length];
            try {
                for (int j = 0; j < modes.length; j++) {
                    steppers[j] = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(modes[j]).withCache(false));
                }
                for (int i = -2; i < n; i++) {
                    for (int j = 0; j < modes.length; j++) {
                        long start = System.nanoTime();
                        steppers[j].reset(ids);
                        steppers[j].runToEnd();
                        if (i >= 0) {
                            t[j][i] = (System.nanoTime() - start) / 1e6;
                        }
                        steppers[j].reset(ids); // free this mode's trace before the next mode runs
                    }
                }
            } finally {
                for (Stepper s : steppers) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
            double plain = median(t[0]);
            double compact = median(t[1]);
            double full = median(t[2]);
            System.out.printf(Locale.ROOT, "%6d %7.1f %9.1f %6.3f %7.1f %6.3f%n",
                    tokens, plain, compact, compact / plain, full, full / plain);
        }
        System.out.println();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void decode(LoadedModel m, int tokensOut) {
        System.out.println("decode, ms per generated token (greedy)");
        System.out.println("context   cached  recompute  speed-up");
        for (int context : new int[] {128, 512}) {
            double cached = perToken(m, context, true, tokensOut * 4);
            double recompute = perToken(m, context, false, tokensOut);
            System.out.printf(Locale.ROOT, "%7d %8.2f %10.2f %8.1fx%n", context, cached, recompute, recompute / cached);
        }
        System.out.println();
    }

    private static double perToken(LoadedModel m, int context, boolean cache, int tokens) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(cache))) {
            s.reset(ids(m, context));
            Sampler sampler = new Sampler(SamplingConfig.GREEDY);
            s.generate(sampler);
            s.runToEnd(); // warm-up token
            long start = System.nanoTime();
            for (int i = 0; i < tokens; i++) {
                s.generate(sampler);
                s.runToEnd();
            }
            return (System.nanoTime() - start) / 1e6 / tokens;
        }
    }

    private static void memory(LoadedModel m) {
        System.out.println("trace memory at 1024 tokens");
        long[] ids = ids(m, 1024);
        for (Capture capture : new Capture[] {Capture.COMPACT, Capture.FULL}) {
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(capture).withCache(false))) {
                s.reset(ids);
                s.runToEnd();
                Trace t = s.group().trace();
                long reachable = t.program().names().stream().filter(t::available).count();
                System.out.printf(Locale.ROOT, "%-8s kept %7.1f MiB in %4d tensors; %d of %d hooks reachable%n",
                        capture.name().toLowerCase(Locale.ROOT), t.retainedBytes() / 1048576.0, t.keptNames().size(),
                        reachable, t.program().size());
            }
        }
    }

    private static long[] ids(LoadedModel m, int n) {
        SplittableRandom r = new SplittableRandom(n);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(m.config().vocabSize());
        }
        return ids;
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
