package dev.attnstudio.engine.diagnose.bench;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.diagnose.heads.HeadImportance;
import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.diagnose.rollout.AttentionRollout;
import dev.attnstudio.engine.diagnose.rollout.LayerPatterns;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times the diagnostics on a GPT-2-small-shaped model with random weights (12 layers x 12 heads, d_model 768, vocab
 * 50257): the head report card over 16 prompts of 128 tokens (targets: under 30 s), ablation importance of all 144
 * heads on one prompt (which the default card skips above 64 heads), and rollout of a 512-token prompt (target: under
 * 1 s). Prints the figures; it asserts nothing.
 *
 * <pre>
 * java -cp ... dev.attnstudio.engine.diagnose.bench.DiagnosticsBenchmark [--no-ablation]
 * </pre>
 */
public final class DiagnosticsBenchmark {

    private DiagnosticsBenchmark() {
    }

    /** CPU time of this process (every thread, PyTorch's included), or 0 where the JVM does not tell. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    public static void main(String[] args) {
        DjlRuntime.forceOffline();
        ModelConfig config = ModelConfig.gpt2Small();
        SplittableRandom random = new SplittableRandom(7);
        long[][] rows = new long[16][128];
        for (long[] row : rows) {
            for (int t = 0; t < row.length; t++) {
                row[t] = random.nextInt(config.vocabSize());
            }
        }
        try (LoadedModel m = LoadedModel.of("gpt2-small-random", config, RandomGpt2.tensors(config, 1, 0.02f), null,
                DjlRuntime.DeviceChoice.CPU)) {
            // warm-up: one small card so the natives and the JIT are loaded
            ReportCards.of(m.model(), List.of(Batch.of(rows[0])), ReportCards.Options.DEFAULT);

            long t0 = System.nanoTime();
            long cpu0 = cpuNanos();
            ReportCard card = ReportCards.of(m.model(), List.of(Batch.of(rows)), ReportCards.Options.DEFAULT);
            double cardSeconds = (System.nanoTime() - t0) / 1e9;
            double cardCpu = (cpuNanos() - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "report card, 16 prompts x 128 tokens, %d heads: %.2f s (target < 30 s); "
                    + "process CPU %.2f s on %d cores, load average %.1f (a shared machine: the wall time grows with the "
                    + "load); importance: %s%n", card.heads().size(), cardSeconds, cardCpu,
                    Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage(), card.importance());

            if (!List.of(args).contains("--no-ablation")) {
                long t1 = System.nanoTime();
                HeadImportance.measure(m.model(), List.of(Batch.of(rows[0])), HeadImportance.Ablation.MEAN, 0);
                System.out.printf(Locale.ROOT, "mean-ablation and gradient importance of all 144 heads, 1 prompt x 128"
                        + " tokens: %.2f s%n", (System.nanoTime() - t1) / 1e9);
            }

            long[] longPrompt = new long[512];
            for (int t = 0; t < longPrompt.length; t++) {
                longPrompt[t] = random.nextInt(config.vocabSize());
            }
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
                long t2 = System.nanoTime();
                s.reset(Batch.of(longPrompt));
                s.runToEnd();
                long t3 = System.nanoTime();
                LayerPatterns p = LayerPatterns.of(m.model().capabilities(), s, 0);
                long t4 = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    AttentionRollout.of(p, m.model().manager(), false);
                }
                long t5 = System.nanoTime();
                long cpu5 = cpuNanos();
                AttentionRollout.of(p, m.model().manager(), false);
                long t6 = System.nanoTime();
                double rolloutCpu = (cpuNanos() - cpu5) / 1e9;
                AttentionRollout.of(p, m.model().manager(), true);
                long t7 = System.nanoTime();
                System.out.printf(Locale.ROOT, "rollout, 512 tokens, 12 layers: %.3f s, process CPU %.3f s (target < 1 s;"
                                + " reading the 12"
                                + " patterns out of the trace %.3f s more; the forward pass %.2f s); with every head rolled"
                                + " out too: %.2f s%n", (t6 - t5) / 1e9, rolloutCpu, (t4 - t3) / 1e9, (t3 - t2) / 1e9,
                        (t7 - t6) / 1e9);
            }
        }
    }
}
