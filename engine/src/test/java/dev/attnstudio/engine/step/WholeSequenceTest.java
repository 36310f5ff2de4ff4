package dev.attnstudio.engine.step;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stitching passes into the whole sequence on a small random GPT-2: the rows are the passes' own, the result equals
 * a recompute of the whole sequence, and a pass in progress, a cursor moved back, recompute generation, masks and the
 * scores before the mask behave as documented.
 */
class WholeSequenceTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0};
    private static final int GENERATED = 5;
    private static final String PATTERN_1 = "blocks.1.attn.hook_pattern";
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = TinyModels.load(TinyModels.tensors(11));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Stepper generated(boolean cache) {
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCache(cache));
        s.reset(PROMPT);
        Sampler greedy = new Sampler(SamplingConfig.GREEDY);
        for (int i = 0; i < GENERATED; i++) {
            s.generate(greedy);
        }
        s.runToEnd();
        return s;
    }

    /** The hook over the whole sequence in one prompt pass, [1, H, T, K]. */
    private static TensorData recomputed(long[] sequence, String hook) {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            s.reset(sequence);
            s.runToEnd();
            return s.read(hook);
        }
    }

    @Test
    void stitchedRowsAreEachPassesOwnAndTheWholeEqualsARecompute() {
        try (Stepper s = generated(true)) {
            int t = PROMPT.length + GENERATED;
            for (int layer = 0; layer < 2; layer++) {
                String hook = "blocks." + layer + ".attn.hook_pattern";
                WholeSequence.Stitched w = WholeSequence.of(s, hook, 0);
                assertArrayEquals(new long[] {1, 4, t, t}, w.values().shape());
                assertEquals(GENERATED, w.lastPass());
                assertEquals(GENERATED + 1, w.passes());
                // rows 0..T0-1 from the prompt's pass, then one row per decode pass, zeros after its keys
                TensorData prompt = s.groups().get(0).trace().read(hook);
                for (int h = 0; h < 4; h++) {
                    for (int q = 0; q < t; q++) {
                        int pass = Math.max(0, q - PROMPT.length + 1);
                        assertEquals(pass, w.rowPass()[q]);
                        float[] own = pass == 0 ? prompt.row(0, h, q) : s.groups().get(pass).trace().read(hook).row(0, h, 0);
                        assertEquals(pass == 0 ? PROMPT.length : q + 1, own.length, "keys of pass " + pass);
                        assertEquals(own.length, w.rowKeys()[q]);
                        float[] stitched = w.values().row(0, h, q);
                        for (int k = 0; k < t; k++) {
                            assertEquals(k < own.length ? own[k] : 0f, stitched[k], 0f, "h" + h + " q" + q + " k" + k);
                        }
                    }
                }
                TensorData full = recomputed(s.tokens(), hook);
                assertArrayEquals(full.shape(), w.values().shape());
                assertArrayEquals(full.values(), w.values().values(), 1e-5f, hook);
            }
        }
    }

    @Test
    void recomputeGenerationStitchesTheNewRowOfEachPass() {
        try (Stepper cached = generated(true); Stepper recompute = generated(false)) {
            WholeSequence.Stitched a = WholeSequence.of(cached, PATTERN_1, 0);
            WholeSequence.Stitched b = WholeSequence.of(recompute, PATTERN_1, 0);
            assertArrayEquals(a.rowPass(), b.rowPass());
            assertArrayEquals(a.values().values(), b.values().values(), 1e-5f);
        }
    }

    @Test
    void masksAndMaskedScoresFillTheFutureWithMinusInfinityAndUnmaskedScoresWithNaN() {
        try (Stepper s = generated(true)) {
            long[] sequence = s.tokens();
            for (String hook : new String[] {"blocks.0.attn.hook_mask", "blocks.0.attn.hook_attn_scores"}) {
                WholeSequence.Stitched w = WholeSequence.of(s, hook, 0);
                TensorData full = recomputed(sequence, hook);
                assertArrayEquals(full.shape(), w.values().shape(), hook);
                assertArrayEquals(full.values(), w.values().values(), 1e-4f, hook);
            }
            WholeSequence.Stitched raw = WholeSequence.of(s, "blocks.0.attn.hook_qk_raw", 0);
            int t = sequence.length;
            int decoded = PROMPT.length + 1; // the second generated position: a decode pass's row
            assertTrue(Float.isNaN(raw.values().get(0, 0, decoded, decoded + 1)), "a later key that pass never met");
            assertTrue(Float.isFinite(raw.values().get(0, 0, decoded, decoded)));
            assertTrue(Float.isFinite(raw.values().get(0, 0, 0, t - GENERATED - 1)), "the prompt's pass met every prompt key");
        }
    }

    @Test
    void aPassInProgressAddsItsRowsLayerByLayerAndAnEarlierCursorStitchesLess() {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            assertNull(WholeSequence.of(s, PATTERN_1, 0), "nothing computed yet");
            s.runToEnd();
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runTo("blocks.0.attn.hook_pattern"); // into the decode pass, layer 0 only
            assertEquals(1, s.groups().indexOf(s.group()));
            assertEquals(PROMPT.length + 1, WholeSequence.of(s, "blocks.0.attn.hook_pattern", 0).rows());
            WholeSequence.Stitched pending = WholeSequence.of(s, PATTERN_1, 0);
            assertEquals(PROMPT.length, pending.rows(), "layer 1's new row is not computed yet");
            assertEquals(0, pending.lastPass());
            s.runToEnd();
            assertEquals(PROMPT.length + 1, WholeSequence.of(s, PATTERN_1, 0).rows());
            assertEquals(PROMPT.length, WholeSequence.of(s, PATTERN_1, 0, 0).rows(), "through the prompt's pass only");
            s.moveTo(0, 3);
            assertEquals(PROMPT.length, WholeSequence.of(s, "blocks.0.attn.hook_pattern", 0).rows(),
                    "the cursor back in the prompt's pass");
        }
    }

    @Test
    void refusesUnknownHooksPassesAndRows() {
        try (Stepper s = generated(true)) {
            assertThrows(IllegalArgumentException.class, () -> WholeSequence.of(s, "blocks.9.attn.hook_pattern", 0));
            assertThrows(IllegalArgumentException.class, () -> WholeSequence.of(s, PATTERN_1, 0, GENERATED + 1));
            assertThrows(IllegalArgumentException.class, () -> WholeSequence.of(s, PATTERN_1, 1));
        }
    }
}
