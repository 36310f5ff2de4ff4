package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.Trace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused path ({@code runToEnd}, {@code runTo}, generation: what nobody looks at runs as one fused run, with the
 * fast kernels of {@link Op.Fast}) against the step path (one {@code step()} at a time, every hook called) for every
 * family: the same prompt and three generated tokens, every hook of every pass that the capture mode lets one read,
 * compared value by value. They must agree within 1e-6; the fast kernels compute the same values in the same layout,
 * so they agree bit for bit, and the test says so when they do not.
 *
 * <p>Three runs per family: full capture with nothing attached; compact capture with a head ablated (a hook inside a
 * block) and a breakpoint in the middle of the second block's attention (the fused run stops before it, the
 * breakpointed step runs on its own, the rest runs fused again); and a plain pass (capture off), where only the
 * logits and the cached keys and values stay.
 */
class FastPathTest {

    private static final long[] PROMPT = {5, 17, 3, 38, 41, 41, 0, 36, 12, 7, 33, 2};
    private static final int GENERATED = 3;
    private static final double TOLERANCE = 1e-6;

    static Stream<Arguments> families() {
        return Stream.of(
                Arguments.of("gpt2", TinyModels.CONFIG, "ablate:0.1", (Maker) c -> RandomGpt2.tensors(c, 3, 0.3f)),
                Arguments.of("bert", BertModelTest.CONFIG, "ablate:0.1", (Maker) c -> RandomBert.tensors(c, 4, 0.3f)),
                Arguments.of("llama-gqa", LlamaModelTest.GQA, "ablate:0.1", (Maker) c -> RandomLlama.tensors(c, 5, 0.25f)),
                Arguments.of("t5", T5ModelTest.config(true, false), "ablate:decoder.0.1",
                        (Maker) c -> RandomT5.tensors(c, 6, 0.3f)),
                Arguments.of("gpt_neox-parallel", NeoXModelTest.PARALLEL, "ablate:0.1",
                        (Maker) c -> RandomNeoX.tensors(c, 7, 0.25f)),
                Arguments.of("gpt_neox-sequential", NeoXModelTest.SEQUENTIAL, "ablate:0.1",
                        (Maker) c -> RandomNeoX.tensors(c, 8, 0.25f)),
                Arguments.of("qwen2", LlamaVariantsTest.QWEN2, "ablate:0.1", (Maker) c -> RandomLlama.tensors(c, 9, 0.25f)),
                Arguments.of("qwen3", LlamaVariantsTest.QWEN3, "ablate:0.1", (Maker) c -> RandomLlama.tensors(c, 10, 0.25f)),
                Arguments.of("mistral", LlamaVariantsTest.MISTRAL, "ablate:0.1",
                        (Maker) c -> RandomLlama.tensors(c, 11, 0.25f)),
                Arguments.of("gemma2", LlamaVariantsTest.GEMMA2, "ablate:0.1",
                        (Maker) c -> RandomLlama.tensors(c, 12, 0.25f)));
    }

    @FunctionalInterface
    interface Maker {
        Map<String, dev.attnstudio.engine.io.SafeTensors.Tensor> make(ModelConfig c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void fusedRunsEqualTheStepPath(String family, ModelConfig config, String ablation, Maker weights) {
        try (LoadedModel m = LoadedModel.of("fast-" + family, config, weights.make(config), null,
                DjlRuntime.DeviceChoice.CPU)) {
            long[] prompt = Arrays.stream(PROMPT).map(id -> id % config.vocabSize()).toArray();

            Stepper.Options full = Stepper.Options.DEFAULT.withCapture(Capture.FULL);
            compare(family + " full capture", m, full, prompt, null);

            Stepper.Options ablated = Stepper.Options.DEFAULT.withCapture(Capture.COMPACT)
                    .withInterventions(Interventions.NONE.with(Interventions.parse(ablation)));
            compare(family + " compact, " + ablation + ", breakpoint", m, ablated, prompt, s -> {
                String breakpoint = middleOfSecondBlock(s.group().trace().program());
                assertEquals(breakpoint, s.runTo(breakpoint).name(), "the run stops at the breakpoint");
            });

            compare(family + " capture off", m, Stepper.Options.DEFAULT.withCapture(Capture.OFF), prompt, null);
        }
    }

    /** The scores of the second block's first attention: a step in the middle of a block. */
    private static String middleOfSecondBlock(Program p) {
        for (Op op : p.ops()) {
            if (op.kind() == Op.Kind.APPLY_MASK && op.site().layer() == 1) {
                return op.name();
            }
        }
        throw new AssertionError("no second block with attention in " + p.names());
    }

    /**
     * Runs the prompt and {@link #GENERATED} tokens twice, one step at a time and fused (after {@code firstMoves}, if
     * any), and compares every readable hook of every pass.
     */
    private static void compare(String what, LoadedModel m, Stepper.Options options, long[] prompt,
                                Consumer<Stepper> firstMoves) {
        Map<String, float[]> stepped;
        Map<String, float[]> fused;
        int passes;
        try (Stepper s = new Stepper(m.model(), options)) {
            run(s, m, prompt, stepper -> {
                while (stepper.step() != null) {
                    // the step path: each step computed on its own, its hooks called
                }
            }, null);
            stepped = readable(s);
        }
        try (Stepper s = new Stepper(m.model(), options)) {
            run(s, m, prompt, Stepper::runToEnd, firstMoves);
            fused = readable(s);
            passes = s.groups().size();
            if (m.model().capabilities().generates()) {
                Program decode = s.groups().get(1).trace().program();
                assertTrue(decode.ops().stream().anyMatch(op -> op.kind() == Op.Kind.QK_RAW && op.fast() != null),
                        what + ": a decode pass has fast kernels reading the cache in place");
            }
        }
        assertEquals(stepped.keySet(), fused.keySet(), what + ": the same hooks are readable");
        double worst = 0;
        int exact = 0;
        for (Map.Entry<String, float[]> e : stepped.entrySet()) {
            float[] a = e.getValue();
            float[] b = fused.get(e.getKey());
            assertEquals(a.length, b.length, what + ": " + e.getKey());
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                if (Float.isNaN(a[i]) || Float.isNaN(b[i]) || Float.isInfinite(a[i]) || Float.isInfinite(b[i])) {
                    assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), what + ": " + e.getKey() + "[" + i + "]");
                } else {
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
            }
            assertTrue(diff <= TOLERANCE, what + ": " + e.getKey() + " differs by " + diff);
            worst = Math.max(worst, diff);
            exact += Arrays.equals(a, b) ? 1 : 0;
        }
        System.getLogger(FastPathTest.class.getName()).log(System.Logger.Level.INFO, String.format(
                "%s: %d values compared over %d passes, %d bit for bit, largest difference %.3g", what, stepped.size(),
                passes, exact, worst));
    }

    private static void run(Stepper s, LoadedModel m, long[] prompt, Consumer<Stepper> toEnd, Consumer<Stepper> firstMoves) {
        s.reset(Batch.of(prompt));
        if (firstMoves != null) {
            firstMoves.accept(s);
        }
        toEnd.accept(s);
        if (!m.model().capabilities().generates()) {
            return;
        }
        Sampler greedy = new Sampler(SamplingConfig.GREEDY);
        for (int i = 0; i < GENERATED; i++) {
            s.generate(greedy);
            toEnd.accept(s);
        }
        assertTrue(s.finished());
    }

    /** Every hook each pass lets one read, as "pass/name" -> values. */
    private static Map<String, float[]> readable(Stepper s) {
        Map<String, float[]> out = new LinkedHashMap<>();
        List<Stepper.Group> groups = new ArrayList<>(s.groups());
        for (int g = 0; g < groups.size(); g++) {
            Trace t = groups.get(g).trace();
            assertTrue(t.complete());
            for (String name : t.program().names()) {
                if (t.available(name)) {
                    out.put(g + "/" + name, t.read(name).values());
                }
            }
            assertFalse(t.firstNonFinite().isPresent(), "pass " + g + " is finite");
        }
        return out;
    }
}
