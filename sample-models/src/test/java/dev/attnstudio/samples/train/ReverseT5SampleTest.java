package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code reverse-t5} as committed: it opens through the catalog the way a user's folder opens, and the numbers on its
 * card (exact match, token accuracy, the cross-attention scores) come back when recomputed from the weights.
 */
class ReverseT5SampleTest {

    static final String NAME = "reverse-t5";

    /** Recomputed once from the committed weights (a few seconds). */
    private static ReverseT5Measurement measured;
    private static ReverseT5Metrics recorded;

    @TempDir
    Path dir;

    @BeforeAll
    static void measure() throws IOException {
        try (InputStream in = resource(ReverseT5Metrics.FILE)) {
            recorded = ReverseT5Metrics.read(in);
        }
        try (LoadedModel m = SampleModels.open(NAME, DjlRuntime.DeviceChoice.CPU)) {
            measured = ReverseT5Measurement.of(m.model());
        }
    }

    private static SampleModels.BundledFolder folder() {
        return (SampleModels.BundledFolder) SampleModels.find(NAME).orElseThrow().source();
    }

    private static InputStream resource(String file) {
        return SampleModels.resource(folder(), file);
    }

    private static String text(String file) throws IOException {
        try (InputStream in = resource(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theExactMatchIsRecomputedFromTheCommittedWeights() throws IOException {
        assertTrue(measured.exactMatch() > 0.95, "exact match " + measured.exactMatch());
        assertEquals(recorded.measured().exactMatch(), measured.exactMatch(), 1e-9, "the same strings, the same weights");
        assertEquals(List.of(), measured.differences(recorded.measured(), CheckInduction.TOLERANCE));
        assertEquals(ReverseTask.EVAL_ROWS_PER_LENGTH * (ReverseTask.MAX_LENGTH - ReverseTask.MIN_LENGTH + 1),
                recorded.data().evalStrings());
        String percent = String.format(Locale.ROOT, "%.2f%%", 100 * measured.exactMatch());
        assertTrue(SampleModels.find(NAME).orElseThrow().card().contains(percent),
                "the catalog card quotes the measured exact match " + percent);
        assertTrue(text(ReverseT5Card.README).contains("**" + percent + "**"), "the model card quotes " + percent);
    }

    @Test
    void theCatalogOpensTheFolderThroughTheUsersPath() throws IOException {
        Path copy = SampleModels.extract(folder(), dir.resolve(NAME));
        long[] source = {3, 4, 5, 1};
        long[] decoder = {0, 5};
        float[] fromCatalog;
        try (LoadedModel m = SampleModels.open(NAME, DjlRuntime.DeviceChoice.CPU)) {
            assertEquals(NAME, m.name());
            assertEquals(ModelConfig.Architecture.T5, m.config().architecture());
            assertArrayEquals(source, m.tokenizer().encode("abc").ids(), "characters, then </s>");
            assertEquals("cba", m.tokenizer().decode(new long[] {5, 4, 3}));
            fromCatalog = logits(m, source, decoder);
        }
        try (LoadedModel m = LoadedModel.open(copy, DjlRuntime.DeviceChoice.CPU)) {
            assertArrayEquals(fromCatalog, logits(m, source, decoder), 0f);
        }
    }

    @Test
    void alignmentHeadsPutTheirWeightOnTheMirroredLetter() {
        CrossAlignment a = measured.alignment();
        assertFalse(measured.alignedHeads().isEmpty(), "no alignment head:\n" + HeadScores.table(a.mirror()));
        for (String head : measured.alignedHeads()) {
            int l = Integer.parseInt(head.substring(0, head.indexOf('.')));
            int h = Integer.parseInt(head.substring(head.indexOf('.') + 1));
            assertTrue(a.mirror()[l][h] > CrossAlignment.ALIGNED_THRESHOLD && a.mirror()[l][h] > 4 * a.chance(),
                    head + ": " + a.mirror()[l][h] + " (chance " + a.chance() + ")");
            assertTrue(a.mirrorArgmax()[l][h] > 0.5, head + " mostly peaks on the mirrored letter: " + a.mirrorArgmax()[l][h]);
        }
        assertEquals(new StringBuilder(measured.probeInput()).reverse() + "</s>", measured.probeOutput());
    }

    @Test
    void greedyThroughTheStepperAgreesWithTheBatchedLoop() {
        ReverseTask.Examples e = ReverseTask.evalSet().get(5); // 9 letters
        long[][] rows = java.util.Arrays.copyOf(e.encoder(), 8);
        try (LoadedModel m = SampleModels.open(NAME, DjlRuntime.DeviceChoice.CPU)) {
            long[][] batched = ReverseGreedy.batched(m.model(), Interventions.NONE, rows, ReverseTask.PAD, 10);
            for (int b = 0; b < rows.length; b++) {
                assertArrayEquals(batched[b], ReverseGreedy.stepper(m.model(), rows[b], 10), "row " + b);
            }
        }
    }

    @Test
    void theFolderIsSmallAndTheCardIsTheMetrics() throws IOException {
        long bytes = 0;
        for (String file : folder().files()) {
            try (InputStream in = resource(file)) {
                bytes += in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        assertTrue(bytes <= TinyLmTest.MAX_BYTES, NAME + " is " + bytes + " bytes");
        ReverseT5Metrics.Training t = recorded.training();
        assertEquals(t.steps(), t.curve().get(t.curve().size() - 1).step());
        assertEquals(recorded.measured().exactMatch(), t.curve().get(t.curve().size() - 1).exactMatch(), 1e-9,
                "the curve ends at the measured weights");
        String card = text(ReverseT5Card.README);
        assertTrue(card.contains(t.command()), "the card quotes the training command");
        assertTrue(card.contains(HeadScores.table(recorded.measured().alignment().mirror())), "the mirror table");
        assertTrue(text(ReverseT5Card.ALIGNMENT_FIGURE).startsWith("<svg"));
        assertTrue(text(ReverseT5Card.LOSS_FIGURE).startsWith("<svg"));
    }

    @Test
    void theCheckCommandAgreesWithTheCard() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> problems = CheckReverseT5.checkSample(NAME, CheckInduction.TOLERANCE,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(List.of(), problems, out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("OK"));
    }

    private static float[] logits(LoadedModel m, long[] source, long[] decoder) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(Batch.encoderDecoder(source, decoder));
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }
}
