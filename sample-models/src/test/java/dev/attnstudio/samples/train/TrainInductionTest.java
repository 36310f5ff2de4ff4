package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A short run of the training command end to end: a folder that opens, a card, a timeline, and a passing check. */
class TrainInductionTest {

    @TempDir
    Path dir;

    @Test
    void aShortRunWritesAFolderWhoseNumbersCheckOut() throws IOException {
        Path out = dir.resolve("tiny-induction");
        TrainInduction.Options o = TrainInduction.Options.parse(new String[] {
                "--out", out.toString(), "--steps", "20", "--seed", "3", "--every", "10", "--batch", "16"});
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainInduction.Run run = TrainInduction.train(o, new PrintStream(log, true, StandardCharsets.UTF_8));

        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", Metrics.FILE, "timeline.json",
                ModelCard.README, ModelCard.LOSS_FIGURE, ModelCard.HEADS_FIGURE)) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        Timeline t = new ObjectMapper().readValue(out.resolve("timeline.json").toFile(), Timeline.class);
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 20), t.checkpoints().stream().map(Timeline.Checkpoint::step).toList());
        assertEquals(20, t.stepLoss().length);
        double early = (t.stepLoss()[0] + t.stepLoss()[1] + t.stepLoss()[2]) / 3;
        double late = (t.stepLoss()[17] + t.stepLoss()[18] + t.stepLoss()[19]) / 3;
        assertTrue(late < early, "training loss " + early + " -> " + late);
        assertTrue(t.checkpoints().get(6).evalLoss() < t.checkpoints().get(0).evalLoss());

        Metrics m = Metrics.read(out.resolve(Metrics.FILE));
        assertEquals("tiny-induction", m.sample());
        assertEquals("trained", m.label());
        assertTrue(m.command().contains("--steps 20 --seed 3 --every 10 --batch 16"), m.command());
        assertEquals(run.metrics().accuracy(), m.accuracy());
        String card = Files.readString(out.resolve(ModelCard.README));
        assertTrue(card.contains(m.command()), "the card quotes the command");

        ByteArrayOutputStream check = new ByteArrayOutputStream();
        assertEquals(List.of(), CheckInduction.checkFolder(out, CheckInduction.TOLERANCE,
                new PrintStream(check, true, StandardCharsets.UTF_8)));
    }

    @Test
    void theCheckNoticesWeightsThatDoNotMatchTheCard() throws IOException {
        Path out = dir.resolve("tampered");
        TrainInduction.train(TrainInduction.Options.parse(new String[] {
                "--out", out.toString(), "--steps", "5", "--seed", "4", "--every", "5", "--batch", "8"}),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        String json = Files.readString(out.resolve(Metrics.FILE));
        Metrics m = Metrics.read(out.resolve(Metrics.FILE));
        String accuracy = "\"accuracy\" : " + m.accuracy();
        assertTrue(json.contains(accuracy), json);
        Files.writeString(out.resolve(Metrics.FILE), json.replace(accuracy, "\"accuracy\" : 0.97"));
        List<String> problems = CheckInduction.checkFolder(out, CheckInduction.TOLERANCE,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("accuracy:"), problems.get(0));
    }

    @Test
    void badCommandLinesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TrainInduction.Options.parse(new String[] {"--steps", "5"}));
        assertThrows(IllegalArgumentException.class,
                () -> TrainInduction.Options.parse(new String[] {"--out", "x", "--steps", "many"}));
        assertThrows(IllegalArgumentException.class, () -> TrainInduction.Options.parse(new String[] {"--out", "x", "--bogus", "1"}));
        assertThrows(IllegalArgumentException.class,
                () -> TrainInduction.Options.parse(new String[] {"--out", "x", "--heads", "3", "--d-model", "64"}));
        TrainInduction.Options o = TrainInduction.Options.parse(new String[] {"--out", "x", "--collapse"});
        assertTrue(o.collapse());
        assertEquals(0.1f, o.optimization().learningRate(), 1e-6f);
        assertTrue(o.command().endsWith("-Dexec.args=\"--out x --steps 2000 --seed 1 --collapse\""), o.command());
    }
}
