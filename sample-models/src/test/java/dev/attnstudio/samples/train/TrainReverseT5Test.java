package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;
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

/** A short run of the training command end to end on a smaller T5: a folder that opens, a card, and a passing check. */
class TrainReverseT5Test {

    @TempDir
    Path dir;

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void aShortRunWritesAFolderWhoseNumbersCheckOut() throws IOException {
        Path out = dir.resolve("tiny-reverse");
        TrainReverseT5.Options o = TrainReverseT5.Options.parse(new String[] {"--out", out.toString(), "--steps", "30",
                "--seed", "3", "--every", "15", "--batch", "16", "--d-model", "32", "--heads", "2", "--layers", "1"});
        ReverseT5Metrics m = TrainReverseT5.train(o, quiet());

        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", ReverseT5Metrics.FILE,
                ReverseT5Card.README, ReverseT5Card.LOSS_FIGURE, ReverseT5Card.ALIGNMENT_FIGURE)) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        ModelConfig c = ModelConfig.read(out.resolve("config.json"));
        assertEquals(ModelConfig.Architecture.T5, c.architecture());
        assertEquals(1, ((ModelConfig.T5) c.extra()).nDecoderLayers());
        assertEquals(TrainReverseT5.MAX_DISTANCE, ((ModelConfig.T5) c.extra()).maxDistance());

        assertEquals(List.of(0, 15, 30), m.training().curve().stream().map(ReverseT5Metrics.CurvePoint::step).toList());
        assertTrue(m.training().curve().get(2).heldOutLoss() < m.training().curve().get(0).heldOutLoss(),
                "held-out loss falls: " + m.training().curve());
        ReverseT5Metrics read = ReverseT5Metrics.read(out.resolve(ReverseT5Metrics.FILE));
        assertEquals(m.measured().exactMatch(), read.measured().exactMatch());
        assertTrue(read.training().command().contains("--steps 30 --seed 3 --batch 16 --every 15 --d-model 32"
                + " --heads 2 --layers 1"), read.training().command());
        assertTrue(Files.readString(out.resolve(ReverseT5Card.README)).contains(read.training().command()));

        ByteArrayOutputStream check = new ByteArrayOutputStream();
        assertEquals(List.of(), CheckReverseT5.checkFolder(out, CheckInduction.TOLERANCE,
                new PrintStream(check, true, StandardCharsets.UTF_8)), check.toString(StandardCharsets.UTF_8));

        // a card whose number no longer matches the weights is caught
        String json = Files.readString(out.resolve(ReverseT5Metrics.FILE));
        String loss = "\"loss\" : " + read.measured().loss();
        assertTrue(json.contains(loss), json);
        Files.writeString(out.resolve(ReverseT5Metrics.FILE), json.replace(loss, "\"loss\" : 0.01"));
        List<String> problems = CheckReverseT5.checkFolder(out, CheckInduction.TOLERANCE, quiet());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("loss:"), problems.get(0));
    }

    @Test
    void badCommandLinesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TrainReverseT5.Options.parse(new String[] {"--steps", "5"}));
        assertThrows(IllegalArgumentException.class,
                () -> TrainReverseT5.Options.parse(new String[] {"--out", "x", "--steps", "many"}));
        assertThrows(IllegalArgumentException.class,
                () -> TrainReverseT5.Options.parse(new String[] {"--out", "x", "--bogus", "1"}));
        assertThrows(IllegalArgumentException.class,
                () -> TrainReverseT5.Options.parse(new String[] {"--out", "x", "--heads", "3", "--d-model", "64"}));
    }
}
