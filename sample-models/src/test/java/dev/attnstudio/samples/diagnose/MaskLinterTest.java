package dev.attnstudio.samples.diagnose;

import dev.attnstudio.engine.diagnose.Severity;
import dev.attnstudio.engine.diagnose.lint.FindingKind;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import dev.attnstudio.engine.diagnose.lint.MaskLinter;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The mask linter on bundled samples: each of the six mask bugs is caught with the kind that names it, the same runs
 * without the bug yield nothing, and neither does any bundled sample's own mask.
 */
class MaskLinterTest {

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

    private static Batch paddedEncoderBatch() {
        return Batch.pad(List.of(minilm.tokenizer().encode("the cat sat on the mat").ids(),
                minilm.tokenizer().encode("a dog").ids()), null, Batch.Padding.RIGHT, 0);
    }

    private static Batch paddedDecoderBatch() {
        return Batch.pad(List.of(prompt, gpt.tokenizer().encode("God").ids()), null, Batch.Padding.RIGHT, 0);
    }

    private static List<MaskFinding> lint(LoadedModel m, Batch b, Interventions iv) {
        return MaskLinter.lint(m.model(), b, iv, MaskLinter.Options.DEFAULT.withDecodeSteps(2));
    }

    private static Set<FindingKind> kinds(List<MaskFinding> f) {
        return f.stream().map(MaskFinding::kind).collect(Collectors.toSet());
    }

    /** Lints with the bug (expecting its kind) and without it (expecting nothing). */
    private static void caught(MaskBug bug, LoadedModel m, Batch batch, FindingKind expected) {
        List<MaskFinding> found = lint(m, batch, Interventions.NONE.with(bug));
        found.forEach(f -> System.out.println(bug.bugName() + ": " + f.kind() + " " + f.message()));
        assertTrue(kinds(found).contains(expected), bug + " should be reported as " + expected + ", got " + kinds(found));
        MaskFinding f = found.stream().filter(x -> x.kind() == expected).findFirst().orElseThrow();
        assertEquals(Severity.ERROR, f.severity());
        assertEquals(expected.hint, f.hint());
        assertTrue(f.magnitude() > 0 || Double.isNaN(f.magnitude()), f.toString());
        assertEquals(List.of(), lint(m, batch, Interventions.NONE), "the same run without " + bug);
    }

    @Test
    void broadcastIsPaddingMass() {
        caught(MaskBug.BROADCAST, minilm, paddedEncoderBatch(), FindingKind.PADDING_KEY_MASS);
    }

    @Test
    void afterSoftmaxIsRowSum() {
        caught(MaskBug.AFTER_SOFTMAX, gpt, Batch.of(prompt), FindingKind.ROW_SUM);
    }

    @Test
    void flippedIsFutureMass() {
        caught(MaskBug.FLIPPED, gpt, Batch.of(prompt), FindingKind.FUTURE_KEY_MASS);
    }

    @Test
    void paddingInTheLossIsLossCountsPadding() {
        caught(MaskBug.PADDING_IN_LOSS, gpt, paddedDecoderBatch(), FindingKind.LOSS_COUNTS_PADDING);
    }

    @Test
    void staleCacheIsCacheDivergence() {
        caught(MaskBug.STALE_CACHE, gpt, Batch.of(prompt), FindingKind.CACHE_DIVERGENCE);
    }

    @Test
    void offByOneIsAnAllowedKeyBlockedAndABlankFirstRow() {
        caught(MaskBug.OFF_BY_ONE, gpt, Batch.of(prompt), FindingKind.ALLOWED_KEY_BLOCKED);
        Set<FindingKind> k = kinds(lint(gpt, Batch.of(prompt), Interventions.NONE.with(MaskBug.OFF_BY_ONE)));
        assertTrue(k.contains(FindingKind.NON_FINITE_ROW), "the first query sees nothing: " + k);
    }

    @Test
    void leftPaddingOfAnAbsolutePositionEncoderIsReported() {
        Batch left = Batch.pad(List.of(minilm.tokenizer().encode("the cat sat on the mat").ids(),
                minilm.tokenizer().encode("a dog").ids()), null, Batch.Padding.LEFT, 0);
        List<MaskFinding> found = lint(minilm, left, Interventions.NONE);
        assertTrue(kinds(found).contains(FindingKind.POSITION_IDS), kinds(found).toString());
        assertTrue(kinds(found).contains(FindingKind.PADDED_ROW_CHANGED), "the shifted positions change the short row");
    }

    @Test
    void everyBundledSamplesOwnMaskIsClean() {
        assertEquals(List.of(), lint(gpt, paddedDecoderBatch(), Interventions.NONE), "tiny-gpt, padded");
        assertEquals(List.of(), lint(minilm, paddedEncoderBatch(), Interventions.NONE), "all-minilm-l6-v2, padded");
        for (String name : List.of("random-gpt2-tiny", "induction-2l", "tiny-llama", "bge-small-en-v1.5", "reverse-t5")) {
            try (LoadedModel m = SampleModels.open(name, DjlRuntime.DeviceChoice.CPU)) {
                long[] a = m.tokenizer().encode(name.startsWith("induction") ? "a3 a17 a5 a3 a17" : "abc de").ids();
                long[] b = m.tokenizer().encode(name.startsWith("induction") ? "a1 a2" : "xy").ids();
                assertEquals(List.of(), lint(m, Batch.of(a), Interventions.NONE), name);
                if (m.model().capabilities().paddedBatches()) {
                    Batch padded = Batch.pad(List.of(a, b), null, Batch.Padding.RIGHT, 0);
                    if (m.model().capabilities().readsSource()) {
                        long start = m.model().capabilities().decoderStartToken();
                        padded = padded.withDecoder(new long[][] {{start}, {start}});
                    }
                    assertEquals(List.of(), lint(m, padded, Interventions.NONE), name + ", padded");
                }
            }
        }
    }
}
