package dev.attnstudio.samples.intervene;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.TokenLoss;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Model.LOGITS;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Each of the six mask bugs, injected on a trained sample, shows the symptom it shows in real code, and a run without
 * it afterwards gives exactly the numbers of a run that never had it.
 */
class MaskBugsTest {

    private static LoadedModel gpt;
    private static LoadedModel minilm;
    private static long[] prompt;

    @BeforeAll
    static void open() {
        gpt = SampleModels.open("tiny-gpt", DjlRuntime.DeviceChoice.CPU);
        minilm = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU);
        prompt = gpt.tokenizer().encode("And God said").ids();
    }

    @AfterAll
    static void close() {
        gpt.close();
        minilm.close();
    }

    private static Stepper run(LoadedModel m, Batch batch, Interventions iv) {
        Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withInterventions(iv));
        s.reset(batch);
        s.runToEnd();
        return s;
    }

    private static Interventions bug(MaskBug b) {
        return Interventions.NONE.with(b);
    }

    /** Sum of a pattern row [B, H, T, K] over the keys. */
    private static double rowSum(TensorData p, int b, int h, int q) {
        double sum = 0;
        for (float v : p.row(b, h, q)) {
            sum += v;
        }
        return sum;
    }

    /** Runs without the bug before and after it ran, and checks both give the same numbers. */
    private static void unbuggedRunUnchanged(LoadedModel m, Batch batch, float[] before) {
        try (Stepper s = run(m, batch, Interventions.NONE)) {
            assertArrayEquals(before, s.read(m.model().outputHook()).values(), 0f, "the run without the bug is unchanged");
            assertTrue(s.group().trace().patchedNames().isEmpty(), "nothing is patched without an intervention");
        }
    }

    private static float[] plainOutput(LoadedModel m, Batch batch) {
        try (Stepper s = run(m, batch, Interventions.NONE)) {
            return s.read(m.model().outputHook()).values();
        }
    }

    private static Batch padded() {
        return Batch.pad(List.of(minilm.tokenizer().encode("the cat sat on the mat").ids(),
                minilm.tokenizer().encode("a dog").ids()), null, Batch.Padding.RIGHT, 0);
    }

    @Test
    void broadcastOverQueriesLeaksPaddingKeysAndBlanksPaddedQueries() {
        Batch batch = padded();
        int real = (int) Arrays.stream(batch.attentionMask()[1]).sum();
        int len = batch.length();
        float[] before = plainOutput(minilm, batch);
        try (Stepper plain = run(minilm, batch, Interventions.NONE);
             Stepper s = run(minilm, batch, bug(MaskBug.BROADCAST))) {
            TensorData p = s.read(PATTERN.at(0));
            double leak = 0;
            for (int h = 0; h < 12; h++) {
                for (int q = 0; q < real; q++) {
                    for (int k = real; k < len; k++) {
                        leak += p.get(1, h, q, k);
                        assertEquals(0f, plain.read(PATTERN.at(0)).get(1, h, q, k), 0f);
                    }
                }
                assertTrue(Float.isNaN(p.get(1, h, len - 1, 0)), "a padded query sees nothing: a NaN row");
            }
            assertTrue(leak > 0.1, "real queries read the padding keys: " + leak);
            assertArrayEquals(plain.read(PATTERN.at(0)).row(0, 3, 2), p.row(0, 3, 2), 0f, "the unpadded row is unchanged");
            assertTrue(s.group().trace().patches(MASK.at(0)).contains(MaskBug.BROADCAST.label()));
        }
        unbuggedRunUnchanged(minilm, batch, before);
    }

    @Test
    void afterSoftmaxLeavesRowsThatNoLongerSumToOne() {
        Batch batch = Batch.of(prompt);
        float[] before = plainOutput(gpt, batch);
        try (Stepper s = run(gpt, batch, bug(MaskBug.AFTER_SOFTMAX))) {
            TensorData p = s.read(PATTERN.at(0));
            int t = prompt.length;
            for (int q = 0; q < t - 1; q++) {
                assertTrue(rowSum(p, 0, 0, q) < 0.999, "row " + q + " lost the weight the softmax gave the future");
                for (int k = q + 1; k < t; k++) {
                    assertEquals(0f, p.get(0, 0, q, k), 0f, "masked weights are zeroed");
                }
            }
            assertEquals(1.0, rowSum(p, 0, 0, t - 1), 1e-5, "the last query sees every key: its row still sums to 1");
            for (float v : s.read(ATTN_SCORES.at(0)).values()) {
                assertTrue(Float.isFinite(v), "the scores were never masked");
            }
        }
        unbuggedRunUnchanged(gpt, batch, before);
    }

    @Test
    void flippedConventionAttendsToTheFutureAndBlanksTheLastRow() {
        Batch batch = Batch.of(prompt);
        float[] before = plainOutput(gpt, batch);
        try (Stepper s = run(gpt, batch, bug(MaskBug.FLIPPED))) {
            TensorData p = s.read(PATTERN.at(0));
            int t = prompt.length;
            assertEquals(0f, p.get(0, 0, 0, 0), 0f, "the first query may not see itself");
            assertEquals(1.0, rowSum(p, 0, 0, 0), 1e-5);
            double future = 0;
            for (int k = 1; k < t; k++) {
                future += p.get(0, 0, 0, k);
            }
            assertEquals(1.0, future, 1e-5, "all of the first query's weight is on future keys");
            assertTrue(Float.isNaN(p.get(0, 0, t - 1, 0)), "the last query may see nothing: a NaN row");
            assertTrue(Float.isNaN(s.read(LOGITS.id).get(0, t - 1, 0)), "the NaN reaches the logits");
        }
        unbuggedRunUnchanged(gpt, batch, before);
    }

    @Test
    void paddingInTheLossChangesTheLossButNotTheAttention() {
        Batch batch = Batch.pad(List.of(prompt, gpt.tokenizer().encode("God").ids()), null, Batch.Padding.RIGHT, 0);
        try (Stepper plain = run(gpt, batch, Interventions.NONE);
             Stepper s = run(gpt, batch, bug(MaskBug.PADDING_IN_LOSS))) {
            assertArrayEquals(plain.read(PATTERN.at(3)).values(), s.read(PATTERN.at(3)).values(), 0f);
            TokenLoss right = TokenLoss.of(plain);
            TokenLoss wrong = TokenLoss.of(s);
            double all = 0;
            double real = 0;
            int nReal = 0;
            int n = 0;
            for (int b = 0; b < 2; b++) {
                for (int p = 0; p < batch.length() - 1; p++) {
                    all += right.perToken()[b][p];
                    n++;
                    if (batch.attentionMask()[b][p + 1] == 1) {
                        real += right.perToken()[b][p];
                        nReal++;
                    }
                }
            }
            assertEquals(real / nReal, right.mean(), 1e-6, "without the bug the mean runs over real targets");
            assertEquals(all / n, wrong.mean(), 1e-6, "with it, over every position");
            assertNotEquals(right.mean(), wrong.mean(), 1e-3);
        }
    }

    @Test
    void staleCacheMaskBlocksTheNewestKeysWhileDecoding() {
        Batch batch = Batch.of(prompt);
        try (Stepper plain = run(gpt, batch, Interventions.NONE);
             Stepper s = run(gpt, batch, bug(MaskBug.STALE_CACHE))) {
            assertArrayEquals(plain.read(LOGITS.id).values(), s.read(LOGITS.id).values(), 0f, "the prompt is unaffected");
            Sampler greedy = new Sampler(SamplingConfig.GREEDY);
            boolean diverged = false;
            for (int i = 0; i < 3; i++) {
                long forced = plain.generate(greedy).token();
                s.generate(greedy);
                plain.runToEnd();
                s.runToEnd();
                TensorData p = s.read(PATTERN.at(1));        // [1, H, 1, K]
                int keys = (int) p.shape()[3];
                for (int k = prompt.length; k < keys; k++) {
                    assertEquals(0f, p.get(0, 2, 0, k), 0f, "key " + k + " came after the prompt: blocked");
                }
                assertEquals(1.0, rowSum(p, 0, 2, 0), 1e-5);
                diverged |= !Arrays.equals(plain.lastLogits(plain.group()), s.lastLogits(s.group()));
            }
            assertTrue(diverged, "the decode passes' logits differ from correct cached decoding");
        }
    }

    @Test
    void offByOneBlocksTheDiagonalAndTheFirstRow() {
        Batch batch = Batch.of(prompt);
        float[] before = plainOutput(gpt, batch);
        try (Stepper s = run(gpt, batch, bug(MaskBug.OFF_BY_ONE))) {
            TensorData p = s.read(PATTERN.at(0));
            TensorData mask = s.read(MASK.at(0));
            for (int q = 0; q < prompt.length; q++) {
                assertEquals(Float.NEGATIVE_INFINITY, mask.get(0, 0, q, q), "the diagonal is blocked");
            }
            for (int k = 0; k < prompt.length; k++) {
                assertTrue(Float.isNaN(p.get(0, 1, 0, k)), "the first query may see nothing: NaN");
            }
            for (int q = 1; q < prompt.length; q++) {
                assertEquals(0f, p.get(0, 1, q, q), 0f);
                assertEquals(1.0, rowSum(p, 0, 1, q), 1e-5);
            }
        }
        unbuggedRunUnchanged(gpt, batch, before);
    }
}
