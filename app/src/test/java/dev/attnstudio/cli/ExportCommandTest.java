package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.*;

/** {@code export}: files read back (npy values equal the engine's tensors, png sizes), the manifest, bad flags. */
class ExportCommandTest {

    private static final String IDS = "3,9,14,22,3,9,14,22";

    @TempDir
    Path dir;

    @Test
    void npyFilesHoldTheEnginesPatternsAndScoresHeadByHead() throws IOException {
        Path out = dir.resolve("npy");
        MainTest.Result r = MainTest.run("export", "--model", "induction-2l", "--ids", IDS, "--stages", "pattern,scores",
                "--format", "npy", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals("attn-studio export", manifest.path("tool").asText());
        List<String> listed = new ArrayList<>();
        manifest.path("files").forEach(f -> listed.add(f.path("file").asText()));
        try (LoadedModel model = SampleModels.open("induction-2l", DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            int layers = model.config().nLayer();
            int heads = model.config().nHead();
            assertEquals(layers * heads * 2, listed.size(), "every layer x head x stage: " + listed);
            stepper.reset(TraceOptions.parseIds("--ids", IDS));
            stepper.runToEnd();
            for (String hook : List.of("attn.hook_pattern", "attn.hook_attn_scores")) {
                for (int l = 0; l < layers; l++) {
                    TensorData t = stepper.groups().get(0).trace().read("blocks." + l + "." + hook);
                    for (int h = 0; h < heads; h++) {
                        String name = "blocks." + l + "." + hook + ".h" + h + ".npy";
                        assertTrue(listed.contains(name), name + " is in the manifest");
                        Npy.Float32 file = Npy.readFloat32(out.resolve(name));
                        assertArrayEquals(new long[] {8, 8}, file.shape());
                        float[] expected = java.util.Arrays.copyOfRange(t.values(), h * 64, (h + 1) * 64); // [1, H, 8, 8]
                        assertArrayEquals(expected, file.values(), name);
                    }
                }
            }
        }
        assertTrue(r.err().contains("wrote " + listed.size() + " npy files"), r.err());
    }

    @Test
    void pngFilesAreTheAppsMapsWithCaptionsAtTheScaleAsked() throws IOException {
        Path out = dir.resolve("png");
        MainTest.Result r = MainTest.run("export", "--model", "induction-2l", "--ids", IDS, "--layers", "1",
                "--heads", "0,2", "--format", "png", "--scale", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode files = new ObjectMapper().readTree(out.resolve("manifest.json").toFile()).path("files");
        assertEquals(2, files.size());
        for (JsonNode f : files) {
            assertEquals(1, f.path("layer").asInt());
            BufferedImage image = ImageIO.read(out.resolve(f.path("file").asText()).toFile());
            assertNotNull(image, f.toString());
            assertEquals(f.path("width").asInt(), image.getWidth());
            assertEquals(f.path("height").asInt(), image.getHeight());
            assertTrue(image.getWidth() >= 300 && image.getHeight() > image.getWidth() - 100, "a map with a caption: "
                    + image.getWidth() + " x " + image.getHeight());
        }
        assertTrue(Files.exists(out.resolve("blocks.1.attn.hook_pattern.h2.png")));
        MainTest.Result twice = MainTest.run("export", "--model", "induction-2l", "--ids", IDS, "--format", "png",
                "--scale", "2", "--layers", "1", "--heads", "0", "--out", out.toString(), "--force");
        assertEquals(0, twice.code(), twice.err());
        BufferedImage big = ImageIO.read(out.resolve("blocks.1.attn.hook_pattern.h0.png").toFile());
        assertTrue(big.getWidth() >= 600, "scale 2 doubles the pixels: " + big.getWidth());
    }

    @Test
    void svgAndJsonAreWritten() throws IOException {
        Path out = dir.resolve("svg");
        assertEquals(0, MainTest.run("export", "--model", "induction-2l", "--ids", IDS, "--layers", "0", "--heads", "1",
                "--format", "svg", "--out", out.toString()).code());
        String svg = Files.readString(out.resolve("blocks.0.attn.hook_pattern.h1.svg"));
        assertTrue(svg.startsWith("<svg") || svg.contains("<svg"), svg.substring(0, 80));
        assertTrue(svg.contains("induction-2l"), "the caption names the model");
        Path json = dir.resolve("json");
        assertEquals(0, MainTest.run("export", "--model", "induction-2l", "--ids", IDS, "--layers", "0", "--heads", "1",
                "--format", "json", "--out", json.toString()).code());
        JsonNode j = new ObjectMapper().readTree(json.resolve("blocks.0.attn.hook_pattern.h1.json").toFile());
        assertEquals(8, j.path("values").size());
        assertEquals(8, j.path("query_tokens").size());
    }

    @Test
    void badFlagsExitTwoSayingWhatToChange() {
        String out = dir.resolve("bad").toString();
        assertBad("--format takes png, svg, npy, json", "export", "--model", "induction-2l", "--ids", IDS, "--format", "gif",
                "--out", out);
        assertBad("--layers: layer 7 does not exist", "export", "--model", "induction-2l", "--ids", IDS, "--layers", "7",
                "--out", out);
        assertBad("--heads takes 'all' or numbers", "export", "--model", "induction-2l", "--ids", IDS, "--heads", "x",
                "--out", out);
        assertBad("--stages: unknown stage 'values'", "export", "--model", "induction-2l", "--ids", IDS, "--stages",
                "values", "--out", out);
        assertBad("missing --out", "export", "--model", "induction-2l", "--ids", IDS);
        assertBad("unknown option '--colour' for export", "export", "--colour", "red");
        assertBad("no-such-model", "export", "--model", "no-such-model", "--ids", IDS, "--out", out);
        MainTest.Result help = MainTest.run("export", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("usage: attn-studio export"), help.out());
    }

    private static void assertBad(String expected, String... args) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
