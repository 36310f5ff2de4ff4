package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The trained samples as committed: they open through the catalog the way a user's folder opens, and the numbers on
 * their cards come back when recomputed from the weights.
 */
class InductionSampleTest {

    static final String TRAINED = "induction-2l";
    static final String COLLAPSED = "induction-2l-collapsed";

    /** Recomputed once per sample from the committed weights (a few seconds each). */
    private static final Map<String, Measurement> MEASURED = new HashMap<>();
    private static final Map<String, Metrics> RECORDED = new HashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void measure() throws IOException {
        for (String name : List.of(TRAINED, COLLAPSED)) {
            RECORDED.put(name, Metrics.read(resource(name, Metrics.FILE)));
            try (LoadedModel m = SampleModels.open(name, DjlRuntime.DeviceChoice.CPU)) {
                MEASURED.put(name, Measurement.of(m.model()));
            }
        }
    }

    private static SampleModels.BundledFolder folder(String name) {
        return (SampleModels.BundledFolder) SampleModels.find(name).orElseThrow().source();
    }

    private static InputStream resource(String name, String file) {
        return SampleModels.resource(folder(name), file);
    }

    @Test
    void theCatalogOpensTheFolderThroughTheUsersPath() throws IOException {
        Path copy = SampleModels.extract(folder(TRAINED), dir.resolve(TRAINED));
        long[] prompt = InductionTask.probe();
        float[] fromCatalog;
        try (LoadedModel m = SampleModels.open(TRAINED, DjlRuntime.DeviceChoice.CPU)) {
            assertEquals(TRAINED, m.name());
            assertEquals("GPT2", m.config().architecture().name());
            assertArrayEquals(new long[] {3, 17, 5, 3, 17}, m.tokenizer().encode("a3 a17 a5 a3 a17").ids());
            fromCatalog = logits(m, prompt);
        }
        try (LoadedModel m = LoadedModel.open(copy, DjlRuntime.DeviceChoice.CPU)) {
            assertArrayEquals(fromCatalog, logits(m, prompt), 0f);
        }
    }

    @Test
    void theRepeatedHalfAccuracyIsRecomputedFromTheCommittedWeights() {
        Measurement now = MEASURED.get(TRAINED);
        Metrics card = RECORDED.get(TRAINED);
        assertTrue(now.accuracy() > 0.9, "repeated-half accuracy " + now.accuracy());
        assertEquals(card.accuracy(), now.accuracy(), 0.01);
        assertEquals(List.of(), now.differences(card.measured(), CheckInduction.TOLERANCE));
        String percent = String.format(Locale.ROOT, "%.2f%%", 100 * card.accuracy());
        assertTrue(SampleModels.find(TRAINED).orElseThrow().card().contains(percent),
                "the catalog card quotes the measured accuracy " + percent);
    }

    @Test
    void theNamedHeadsDoTheirJobs() {
        Measurement now = MEASURED.get(TRAINED);
        assertFalse(now.inductionHeads().isEmpty(), "no induction head");
        for (String head : now.inductionHeads()) {
            assertTrue(head.startsWith("1."), "induction head " + head + " should be in layer 1");
            int h = Integer.parseInt(head.substring(2));
            assertTrue(now.induction()[1][h] > HeadScores.INDUCTION_THRESHOLD, head + ": " + now.induction()[1][h]);
        }
        assertFalse(now.previousTokenHeads().isEmpty(), "no previous-token head");
        for (String head : now.previousTokenHeads()) {
            assertTrue(head.startsWith("0."), "previous-token head " + head + " should be in layer 0");
            int h = Integer.parseInt(head.substring(2));
            assertTrue(now.previousTokenFirstHalf()[0][h] > HeadScores.PREVIOUS_TOKEN_THRESHOLD);
        }
        // causal evidence: without them the copying fails
        assertTrue(now.accuracyWithoutInductionHeads() < 0.5, "without the induction heads: " + now.accuracyWithoutInductionHeads());
        assertTrue(now.accuracyWithoutPreviousTokenHeads() < now.accuracy() - 0.2,
                "without the previous-token heads: " + now.accuracyWithoutPreviousTokenHeads());
    }

    @Test
    void theCollapsedTwinIsLabelledAndItsHeadsCollapsed() throws IOException {
        Measurement now = MEASURED.get(COLLAPSED);
        Metrics card = RECORDED.get(COLLAPSED);
        assertTrue(card.collapsed());
        assertEquals(List.of(), now.differences(card.measured(), CheckInduction.TOLERANCE));
        for (float[] layer : now.probeEntropy()) {
            for (float e : layer) {
                assertTrue(e < 0.05, "a collapsed head's entropy: " + e);
            }
        }
        assertTrue(now.accuracy() < 0.1, "the collapsed run should not have learned: " + now.accuracy());
        assertTrue(SampleModels.find(COLLAPSED).orElseThrow().card().toLowerCase(Locale.ROOT).contains("deliberately"));
        try (InputStream in = resource(COLLAPSED, ModelCard.README)) {
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("Deliberately broken"));
        }
    }

    @Test
    void theTimelineReplaysTheHeadsForming() throws IOException {
        Timeline t;
        try (InputStream in = resource(TRAINED, "timeline.json")) {
            t = new ObjectMapper().readValue(in, Timeline.class);
        }
        Timeline.Checkpoint first = t.checkpoints().get(0);
        Timeline.Checkpoint last = t.checkpoints().get(t.checkpoints().size() - 1);
        assertEquals(0, first.step());
        assertEquals(RECORDED.get(TRAINED).steps(), last.step());
        assertEquals(RECORDED.get(TRAINED).steps(), t.stepLoss().length);
        assertEquals(RECORDED.get(TRAINED).accuracy(), last.accuracy(), 1e-4);
        String head = MEASURED.get(TRAINED).inductionHeads().get(0);
        int h = Integer.parseInt(head.substring(2));
        assertTrue(first.induction()[1][h] < 0.2 && last.induction()[1][h] > HeadScores.INDUCTION_THRESHOLD,
                "head " + head + " forms: " + first.induction()[1][h] + " -> " + last.induction()[1][h]);
        assertTrue(first.entropy()[1][h] > 0.95, "attention starts out uniform");
        int len = t.probeIds().length;
        assertEquals(len, last.patterns()[1][h].length);
        for (int q = 0; q < len; q++) {
            float[] row = last.patterns()[1][h][q];
            assertEquals(q + 1, row.length);
            double sum = 0;
            for (float w : row) {
                sum += w;
            }
            assertEquals(1, sum, 0.01, "row " + q);
        }
    }

    @Test
    void theCheckCommandAgreesWithTheCard() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> problems = CheckInduction.checkSample(TRAINED, CheckInduction.TOLERANCE,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(List.of(), problems, out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("OK"));
    }

    private static float[] logits(LoadedModel m, long[] prompt) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(prompt);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }
}
