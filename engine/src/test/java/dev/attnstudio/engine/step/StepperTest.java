package dev.attnstudio.engine.step;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskOverride;
import dev.attnstudio.engine.intervene.Switches;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static org.junit.jupiter.api.Assertions.*;

class StepperTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96, 12, 7, 63, 2};
    private static final String POS_EMBED_NAME = HookName.Model.POS_EMBED.id;
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        Map<String, SafeTensors.Tensor> w = TinyModels.tensors(7);
        model = TinyModels.load(w);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private Stepper stepper(Capture capture) {
        return new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(capture));
    }

    private float[] logits(Capture capture) {
        try (Stepper s = stepper(capture)) {
            s.reset(PROMPT);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }

    @Test
    void decodePassesRunFusedOnOneThreadAndPromptsOnAll() {
        try (Stepper s = stepper(Capture.OFF)) {
            s.reset(PROMPT);
            s.generate(new Sampler(SamplingConfig.GREEDY));
            assertFalse(s.groups().get(0).trace().narrow(), "the prompt's pass");
            assertTrue(s.groups().get(1).trace().narrow(), "a token over the KV cache");
        }
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(false))) {
            s.reset(new long[] {5, 17});
            s.generate(new Sampler(SamplingConfig.GREEDY));
            assertFalse(s.groups().get(1).trace().narrow(), "a token by recomputing the sequence");
        }
    }

    @Test
    void captureDoesNotChangeTheResult() {
        float[] plain = logits(Capture.OFF);
        assertArrayEquals(plain, logits(Capture.FULL), 1e-5f);
        assertArrayEquals(plain, logits(Capture.COMPACT), 1e-5f);
    }

    @Test
    void compactTraceDerivesEveryHookExactlyAndKeepsLess() {
        try (Stepper full = stepper(Capture.FULL); Stepper compact = stepper(Capture.COMPACT)) {
            full.reset(PROMPT);
            full.runToEnd();
            compact.reset(PROMPT);
            compact.runToEnd();
            Trace f = full.group().trace();
            Trace c = compact.group().trace();
            for (String name : f.program().names()) {
                assertTrue(c.available(name), name + " should be reachable");
                TensorData a = f.read(name);
                TensorData b = c.read(name);
                assertArrayEquals(a.shape(), b.shape(), name);
                assertArrayEquals(a.values(), b.values(), 0f, name);
            }
            assertTrue(c.retainedBytes() < f.retainedBytes() / 2,
                    "compact keeps " + c.retainedBytes() + " bytes, full " + f.retainedBytes());
        }
    }

    @Test
    void plainModeKeepsOnlyLogits() {
        try (Stepper s = stepper(Capture.OFF)) {
            s.reset(PROMPT);
            s.runToEnd();
            List<String> kept = s.group().trace().keptNames();
            assertTrue(kept.contains(HookName.Model.LOGITS.id));
            assertFalse(kept.contains(PATTERN.at(0)));
            assertThrows(IllegalStateException.class, () -> s.read(PATTERN.at(0)));
        }
    }

    @Test
    void hookNamesOfOneBlockInOrder() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            List<String> names = s.group().trace().program().names();
            assertEquals(List.of("hook_embed", "hook_pos_embed", "blocks.0.hook_resid_pre", "blocks.0.ln1.hook_normalized",
                    "blocks.0.attn.hook_q", "blocks.0.attn.hook_k", "blocks.0.attn.hook_v", "blocks.0.attn.hook_qk_raw",
                    "blocks.0.attn.hook_attn_scores_unmasked", "blocks.0.attn.hook_mask", "blocks.0.attn.hook_attn_scores",
                    "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z", "blocks.0.hook_attn_out", "blocks.0.hook_resid_mid",
                    "blocks.0.ln2.hook_normalized", "blocks.0.mlp.hook_pre", "blocks.0.mlp.hook_post", "blocks.0.hook_mlp_out",
                    "blocks.0.hook_resid_post", "blocks.1.hook_resid_pre"), names.subList(0, 21));
            assertEquals(List.of("ln_final.hook_normalized", "hook_logits"), names.subList(names.size() - 2, names.size()));
            names.forEach(HookName::parse);
        }
    }

    @Test
    void cursorMovesWithoutRecomputing() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            assertNull(s.current());
            assertEquals(POS_EMBED_NAME, s.stepOver().name(), "the embedding is one unit");
            s.reset(PROMPT);
            Stepper.StepInfo first = s.step();
            assertEquals("hook_embed", first.name());
            assertArrayEquals(new long[] {1, PROMPT.length, 32}, first.shape());
            Stepper.StepInfo hit = s.runTo("blocks.*.attn.hook_pattern");
            assertEquals(PATTERN.at(0), hit.name());
            assertArrayEquals(new long[] {1, 4, PROMPT.length, PROMPT.length}, hit.shape());
            assertFalse(hit.math().isBlank());
            int executed = s.group().trace().executed();

            assertEquals(ATTN_SCORES.at(0), s.stepBack().name());
            assertEquals(MASK.at(0), s.stepBack().name());
            assertEquals(executed, s.group().trace().executed(), "step back must not compute");
            assertEquals(ATTN_SCORES.at(0), s.step().name());
            assertEquals(PATTERN.at(0), s.step().name());
            assertEquals(executed, s.group().trace().executed(), "stepping over computed steps must not compute");

            assertEquals(PATTERN.at(1), s.runTo("blocks.*.attn.hook_pattern").name());
            assertEquals("blocks.1", s.current().unit());
            assertEquals(RESID_POST.at(1), s.stepOver().name(), "step over ends the block");
            assertEquals("hook_logits", s.stepOver().name());
            assertNull(s.step());
            assertTrue(s.finished());
        }
    }

    @Test
    void moveToJumpsBetweenComputedStepsOnly() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            assertThrows(IllegalArgumentException.class, () -> s.moveTo(0, 0), "nothing is computed yet");
            s.runTo("blocks.*.attn.hook_pattern");
            int executed = s.group().trace().executed();
            Stepper.StepInfo first = s.moveTo(0, 0);
            assertEquals("hook_embed", first.name());
            assertEquals(0, s.current().index());
            assertEquals(PATTERN.at(0), s.moveTo(0, executed - 1).name());
            assertEquals(executed, s.group().trace().executed(), "moving must not compute");
            assertThrows(IllegalArgumentException.class, () -> s.moveTo(0, executed), "not computed yet");
            assertThrows(IllegalArgumentException.class, () -> s.moveTo(1, 0), "no second pass");
            assertThrows(IllegalArgumentException.class, () -> s.moveTo(0, -1));
            assertEquals(PATTERN.at(0), s.current().name(), "a refused move leaves the cursor");

            s.generate(new Sampler(SamplingConfig.GREEDY)); // completes pass 0, appends pass 1
            s.step();
            s.moveTo(0, 2);
            assertEquals(0, s.current().group());
            assertEquals(2, s.current().index());
            Stepper.StepInfo back = s.moveTo(1, 0);
            assertEquals(1, back.group());
            assertEquals(PassKind.DECODE, back.pass());
            Stepper.StepInfo next = s.step();
            assertEquals(1, next.group(), "stepping continues from where the cursor moved");
            assertEquals(1, next.index());
        }
    }

    @Test
    void causalMaskPutsExactlyZeroOnFutureKeys() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.runToEnd();
            for (int l = 0; l < 2; l++) {
                TensorData p = s.read(PATTERN.at(l));
                TensorData mask = s.read(MASK.at(l));
                assertArrayEquals(new long[] {1, 1, PROMPT.length, PROMPT.length}, mask.shape());
                for (int q = 0; q < PROMPT.length; q++) {
                    for (int k = 0; k < PROMPT.length; k++) {
                        assertEquals(k <= q ? 0f : Float.NEGATIVE_INFINITY, mask.get(0, 0, q, k));
                        for (int h = 0; h < 4; h++) {
                            if (k > q) {
                                assertEquals(0f, p.get(0, h, q, k), "future key must get exactly 0");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void cachedDecodeEqualsRecomputeOver32Tokens() {
        double worst = DecodeParity.maxLogitDiff(model.model(), PROMPT, 32);
        assertTrue(worst <= 1e-4, "max |cached - recomputed logit| = " + worst);
    }

    @Test
    void decodeStepShowsTheCacheAndGrowsIt() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.generate(new Sampler(SamplingConfig.GREEDY));
            long bytesAfterPrompt = s.cache().bytes(0);
            assertEquals(2L * PROMPT.length * 32 * 4, bytesAfterPrompt);
            s.runToEnd();
            assertEquals(2L * (PROMPT.length + 1) * 32 * 4, s.cache().bytes(0));
            assertArrayEquals(new long[] {bytesAfterPrompt, bytesAfterPrompt}, s.groups().get(0).cacheBytes());
            assertEquals(2L * (PROMPT.length + 1) * 32 * 4, s.groups().get(1).cacheBytes()[1]);
            assertTrue(s.groups().get(1).computeMillis() > 0);
            TensorData pastK = s.read(PAST_K.at(1));
            assertArrayEquals(new long[] {1, PROMPT.length, 4, 8}, pastK.shape());
            assertArrayEquals(new long[] {1, 4, 1, PROMPT.length + 1}, s.read(PATTERN.at(1)).shape());
            // the cached keys are the prompt pass's keys
            TensorData promptK = s.groups().get(0).trace().read(K.at(1));
            assertArrayEquals(promptK.values(), pastK.values(), 0f);
        }
    }

    @Test
    void seededSamplingReplays() {
        SamplingConfig config = new SamplingConfig(1.5, 20, 0.9, 1234);
        assertArrayEquals(generate(config, 12), generate(config, 12));
        assertFalse(java.util.Arrays.equals(generate(config, 12),
                generate(new SamplingConfig(1.5, 20, 0.9, 99), 12)), "another seed should give another sequence");
    }

    private long[] generate(SamplingConfig config, int n) {
        try (Stepper s = stepper(Capture.OFF)) {
            s.reset(PROMPT);
            Sampler sampler = new Sampler(config);
            for (int i = 0; i < n; i++) {
                s.generate(sampler);
            }
            return s.tokens();
        }
    }

    @Test
    void entropyIsNormalizedByAllowedKeys() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.runToEnd();
            HeadEntropy e = HeadEntropy.of(s, 0);
            TensorData p = s.read(PATTERN.at(0));
            assertEquals(0f, e.normalized(0, 0, 0), "the first query sees one key");
            for (int q = 1; q < PROMPT.length; q++) {
                double expected = 0;
                for (float w : p.row(0, 2, q)) {
                    expected -= w > 0 ? w * Math.log(w) : 0;
                }
                assertEquals(expected, e.entropy(0, 2, q), 1e-5);
                assertEquals(expected / Math.log(q + 1), e.normalized(0, 2, q), 1e-5);
                assertTrue(e.normalized(0, 2, q) > 0 && e.normalized(0, 2, q) <= 1.00001);
            }
        }
    }

    @Test
    void interventionsChangeWhatTheyShould() {
        Interventions iv = Interventions.NONE.withAblatedHead(0, 1).with(Switches.NO_SCALING).with(Switches.NO_POSITIONS)
                .with(MaskOverride.BIDIRECTIONAL);
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withInterventions(iv))) {
            s.reset(PROMPT);
            s.runToEnd();
            TensorData z = s.read(Z.at(0));
            for (int t = 0; t < PROMPT.length; t++) {
                for (int e = 0; e < 8; e++) {
                    assertEquals(0f, z.get(0, t, 1, e), 0f, "ablated head 1 must output zeros");
                }
            }
            assertNotEquals(0f, z.get(0, 3, 0, 0));
            assertArrayEquals(s.read(QK_RAW.at(0)).values(), s.read(ATTN_SCORES_UNMASKED.at(0)).values(), 0f);
            for (float v : s.read(HookName.Model.POS_EMBED.id).values()) {
                assertEquals(0f, v, 0f);
            }
            assertTrue(s.read(PATTERN.at(0)).get(0, 0, 0, PROMPT.length - 1) > 0, "bidirectional: query 0 sees the last key");
        }
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withInterventions(
                Interventions.NONE.with(new MaskOverride("not-query-2", (q, k) -> q != 2 && k <= q))))) {
            s.reset(PROMPT);
            s.runToEnd();
            float[] blank = s.read(PATTERN.at(1)).row(0, 0, 2);
            for (float v : blank) {
                assertEquals(0f, v, 0f, "a query that may see nothing has a zero row, not NaN");
            }
        }
    }

    @Test
    void optionsChangedMidGenerationWaitForTheNextReset() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.setOptions(s.options().withInterventions(Interventions.NONE.with(Switches.NO_POSITIONS)).withCache(false));
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
            assertEquals(PassKind.DECODE, s.group().kind(), "still the cached generation it began as");
            float sum = 0;
            for (float v : s.read(HookName.Model.POS_EMBED.id).values()) {
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, "positions stay on until the next reset");
        }
    }

    @Test
    void plainGenerationFreesEachPassOnceItsTokenIsChosen() {
        try (Stepper s = stepper(Capture.OFF)) {
            s.reset(PROMPT);
            Sampler greedy = new Sampler(SamplingConfig.GREEDY);
            s.generate(greedy);
            s.generate(greedy);
            assertEquals(List.of(), s.groups().get(0).trace().keptNames());
            assertEquals(List.of(), s.groups().get(1).trace().keptNames());
            assertEquals(PROMPT.length + 2, s.cache().length() + 1, "the last pass is not run yet");
        }
    }

    @Test
    void badPromptsAreRefusedClearly() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> s.reset(new long[0]));
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> s.reset(new long[65]));
            assertTrue(tooLong.getMessage().contains("65") && tooLong.getMessage().contains("64"), tooLong.getMessage());
            IllegalArgumentException badId = assertThrows(IllegalArgumentException.class, () -> s.reset(new long[] {1, 97}));
            assertTrue(badId.getMessage().contains("97"), badId.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> s.reset(Batch.pad(List.of(new long[] {1, 2}, new long[0]), null, Batch.Padding.RIGHT, 0)));
        }
    }

    @Test
    void cancelStopsARun() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            List<String> seen = new ArrayList<>();
            s.setListener(info -> {
                seen.add(info.name());
                if (info.name().equals(Q.at(1))) {
                    s.cancel();
                }
            });
            assertThrows(java.util.concurrent.CancellationException.class, s::runToEnd);
            assertEquals(Q.at(1), s.current().name());
            assertFalse(s.finished());
            s.setListener(null);
            s.cancel(); // pressed before the next run starts: that run stops after one step
            int before = s.group().trace().executed();
            assertThrows(java.util.concurrent.CancellationException.class, s::runToEnd);
            assertEquals(before + 1, s.group().trace().executed());
            s.runToEnd();
            assertTrue(s.finished());
        }
    }

    @Test
    void aStopPressedDuringOneStepDoesNotCutShortTheNextRun() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.setListener(info -> s.cancel()); // Esc pressed while a single F10 step computes
            s.step();
            s.setListener(null);
            s.runToEnd(); // a later run goes through
            assertTrue(s.finished());
        }
    }

    @Test
    void nativeMemoryIsReturnedWhenTracesClose() {
        int baseline = model.model().manager().getManagedArrays().size();
        try (Stepper s = stepper(Capture.COMPACT)) {
            for (int round = 0; round < 3; round++) {
                s.reset(PROMPT);
                s.runToEnd();
                for (String name : s.group().trace().program().names()) {
                    s.read(name);
                }
                s.generate(new Sampler(SamplingConfig.GREEDY));
                s.runToEnd();
            }
        }
        assertEquals(baseline, model.model().manager().getManagedArrays().size(), "arrays left behind after close");
    }
}
