package dev.attnstudio.engine.bench;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A long session in one JVM, as a day of teaching makes it: {@code cycles} times (default 1000) a new prompt of 8 to 40
 * tokens in compact or full capture, a few steps, a step back, step over, run to the end and a generated token, on a
 * GPT-2-shaped model with random weights (2 layers, 4 heads, d_model 128, 1024 positions). Prints resident
 * memory (VmRSS), heap in use after a GC and the model's managed native arrays at the start (after a warm-up that
 * meets the longest prompt in both capture modes, then 20 cycles), the middle and the end, and the growth from start to end; exits 1 when resident memory grew by more than
 * {@link #MAX_GROWTH} (the reliability target), so a script can gate on it.
 *
 * <p>{@code --cycles N} sets the number of cycles.
 */
public final class SoakBenchmark {

    /** Resident-memory growth from start to end that counts as a leak: 10% (the reliability target). */
    static final double MAX_GROWTH = 0.10;
    private static final int WARM_UP = 20;
    private static final int MAX_PROMPT = 40;

    private SoakBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        DjlRuntime.forceOffline();
        int cycles = 1000;
        if (args.length == 2 && args[0].equals("--cycles")) {
            cycles = Integer.parseInt(args[1]);
        } else if (args.length != 0) {
            throw new IllegalArgumentException("usage: SoakBenchmark [--cycles N]");
        }
        ModelConfig config = new ModelConfig(2, 4, 128, 1024, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
        SplittableRandom random = new SplittableRandom(2026);
        try (LoadedModel model = LoadedModel.of("soak-gpt2", config, RandomGpt2.tensors(config, 7, 0.1f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            Sampler sampler = new Sampler(new SamplingConfig(0.8, 40, 0.95, 11));
            // the warm-up meets the largest sizes first (the longest prompt in both capture modes), so the start reading
            // already holds what the allocator and the KV cache keep for them: growth after it is a leak, not a first use
            cycle(stepper, sampler, random, config, MAX_PROMPT, Capture.COMPACT);
            cycle(stepper, sampler, random, config, MAX_PROMPT, Capture.FULL);
            for (int i = 0; i < WARM_UP; i++) {
                cycle(stepper, sampler, random, config);
            }
            Reading start = Reading.now(model);
            Reading middle = null;
            long t0 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                cycle(stepper, sampler, random, config);
                if (i == cycles / 2) {
                    middle = Reading.now(model);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Reading end = Reading.now(model);
            double growth = (double) (end.rssKb - start.rssKb) / start.rssKb;
            System.out.printf(Locale.ROOT, "soak: %d step/reset/generate cycles in %.1f s (%.1f ms each)%n", cycles, seconds,
                    1000 * seconds / cycles);
            System.out.println("  start  " + start);
            System.out.println("  middle " + middle);
            System.out.println("  end    " + end);
            System.out.printf(Locale.ROOT, "  resident memory growth start -> end: %+.1f%% (limit %.0f%%)%n", 100 * growth,
                    100 * MAX_GROWTH);
            if (growth > MAX_GROWTH) {
                System.exit(1);
            }
        }
    }

    /** One cycle of what a user does with a prompt of 8 to {@link #MAX_PROMPT} tokens, in compact or full capture. */
    private static void cycle(Stepper stepper, Sampler sampler, SplittableRandom random, ModelConfig config) {
        cycle(stepper, sampler, random, config, 8 + random.nextInt(MAX_PROMPT - 7),
                random.nextBoolean() ? Capture.COMPACT : Capture.FULL);
    }

    private static void cycle(Stepper stepper, Sampler sampler, SplittableRandom random, ModelConfig config, int length,
                              Capture capture) {
        long[] ids = new long[length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(config.vocabSize());
        }
        stepper.setOptions(Stepper.Options.DEFAULT.withCapture(capture));
        stepper.reset(ids);
        for (int i = 0; i < 3; i++) {
            stepper.step();
        }
        stepper.stepBack();
        stepper.stepOver();
        stepper.runToEnd();
        stepper.generate(sampler);
        stepper.runToEnd();
    }

    /** Memory at one moment: resident (kB), heap in use after a GC (bytes), the model manager's native arrays. */
    private record Reading(long rssKb, long heapBytes, int arrays) {

        static Reading now(LoadedModel model) throws IOException {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
            return new Reading(rss, rt.totalMemory() - rt.freeMemory(), model.model().manager().getManagedArrays().size());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "resident %.1f MiB, heap %.1f MiB, model arrays %d", rssKb / 1024.0,
                    heapBytes / 1048576.0, arrays);
        }
    }
}
