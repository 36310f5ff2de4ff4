package dev.attnstudio.engine.step;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The estimate against what a trace really keeps, and the refusal of a pass that cannot fit: called directly (so a
 * model's own position limit does not get there first) and through {@link Stepper#reset}.
 */
class MemoryEstimateTest {

    private static final long GIB = 1L << 30;

    @Test
    void gpt2SmallAt8192TokensWithFullCaptureIsRefusedOnFourGib() {
        MemoryEstimate e = MemoryEstimate.of(ModelConfig.gpt2Small(), 1, 8192, 0, Capture.FULL, true);
        // 12 layers x 4 patterns x 12 heads x 8192^2 x 4 bytes = 144 GiB of patterns alone.
        assertEquals(12L * 4 * 12 * 8192 * 8192 * 4, e.patterns());
        MemoryEstimate.OverBudget refused = assertThrows(MemoryEstimate.OverBudget.class, () -> e.check(4 * GIB));
        String msg = refused.getMessage();
        System.out.println("memory guard: " + msg); // quoted in the README's Reliability section
        assertTrue(msg.contains("8192 tokens") && msg.contains("full capture") && msg.contains("4.00 GiB budget")
                && msg.contains("144.00 GiB") && msg.contains("[1, 12, 8192, 8192]") && msg.contains("compact capture")
                && msg.contains("shorter prompt"), msg);
        assertEquals(4 * GIB, refused.budget());
    }

    @Test
    void aSmallPassFits() {
        MemoryEstimate e = MemoryEstimate.of(ModelConfig.gpt2Small(), 1, 64, 0, Capture.FULL, true);
        assertTrue(e.total() < GIB, "GPT-2 small at 64 tokens: " + e.total());
        e.check(4 * GIB); // does not throw
        // GPT-2 small holds 124M parameters, 85M of them in the blocks (4d^2 + 8d^2 per layer) and 39M in embeddings.
        assertEquals((12L * 12 * 768 * 768 + 50257L * 768 + 1024L * 768) * 4, e.weights());
    }

    @Test
    void compactCaptureFitsWhereFullDoesNot() {
        MemoryEstimate full = MemoryEstimate.of(ModelConfig.gpt2Small(), 1, 1024, 0, Capture.FULL, true);
        MemoryEstimate compact = MemoryEstimate.of(ModelConfig.gpt2Small(), 1, 1024, 0, Capture.COMPACT, true);
        long budget = 3 * GIB;
        assertThrows(MemoryEstimate.OverBudget.class, () -> full.check(budget));
        compact.check(budget);
        assertEquals(0, compact.patterns());
    }

    private static final ModelConfig GPT2 = new ModelConfig(2, 4, 32, 64, 97, 1e-5, ModelConfig.Activation.GELU_NEW);
    private static final ModelConfig LLAMA = new ModelConfig(ModelConfig.Architecture.LLAMA, 2, 4, 32, 48, 64, 97, 0,
            1e-6, ModelConfig.Activation.SILU, new ModelConfig.Llama(2, 10000, false));

    /** Kept bytes and KV cache bytes within 5% of a real trace's; weights within 5% of the real tensors. */
    @Test
    void theEstimateMatchesWhatATraceKeeps() {
        for (ModelConfig c : new ModelConfig[] {GPT2, LLAMA}) {
            Map<String, SafeTensors.Tensor> tensors = c.architecture() == ModelConfig.Architecture.LLAMA
                    ? RandomLlama.tensors(c, 1, 0.1f) : RandomGpt2.tensors(c, 1, 0.1f);
            long weights = 4L * tensors.values().stream().mapToLong(t -> t.values().length).sum();
            try (LoadedModel m = LoadedModel.of("m", c, tensors, null, DjlRuntime.DeviceChoice.CPU)) {
                for (Capture capture : Capture.values()) {
                    try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(capture))) {
                        long[] ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
                        s.reset(ids);
                        s.runToEnd();
                        MemoryEstimate e = MemoryEstimate.of(c, 1, ids.length, 0, capture, true);
                        String what = c.architecture() + " " + capture;
                        long kept = s.group().trace().retainedBytes();
                        assertEquals(kept, e.kept(), kept * 0.05, what + " kept");
                        assertEquals(Arrays.stream(s.group().cacheBytes()).sum(), e.kvCache(), what + " KV cache");
                        assertEquals(weights, e.weights(), weights * 0.05, what + " weights");
                        boolean patternsKept = s.group().trace().keptNames().stream()
                                .anyMatch(n -> n.endsWith("hook_pattern"));
                        assertEquals(patternsKept, e.patterns() > 0, what + " patterns");
                    }
                }
            }
        }
    }

    @Test
    void stepperRefusesAPassOverTheBudgetAndRunsOneWithin() {
        try (LoadedModel m = LoadedModel.of("m", GPT2, RandomGpt2.tensors(GPT2, 1, 0.1f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.FULL))) {
            s.reset(new long[] {1, 2, 3}); // the machine's own budget: fits
            s.runToEnd();
            String old = System.getProperty(MemoryEstimate.BUDGET_PROPERTY);
            System.setProperty(MemoryEstimate.BUDGET_PROPERTY, "64k");
            try {
                MemoryEstimate.OverBudget e = assertThrows(MemoryEstimate.OverBudget.class,
                        () -> s.reset(new long[] {1, 2, 3, 4, 5, 6, 7, 8}));
                assertTrue(e.getMessage().contains("0.00 GiB budget") || e.getMessage().contains("budget"),
                        e.getMessage());
                assertEquals(64 * 1024, e.budget());
            } finally {
                if (old == null) {
                    System.clearProperty(MemoryEstimate.BUDGET_PROPERTY);
                } else {
                    System.setProperty(MemoryEstimate.BUDGET_PROPERTY, old);
                }
            }
        }
    }

    @Test
    void budgetsParse() {
        assertEquals(4 * GIB, MemoryEstimate.parseBytes("4g"));
        assertEquals(512L << 20, MemoryEstimate.parseBytes("512M"));
        assertEquals(1234, MemoryEstimate.parseBytes("1234"));
        assertThrows(IllegalArgumentException.class, () -> MemoryEstimate.parseBytes("lots"));
    }
}
