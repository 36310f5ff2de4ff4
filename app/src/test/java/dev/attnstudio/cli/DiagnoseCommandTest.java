package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.attnstudio.engine.diagnose.report.DiagnosisJson;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code diagnose} and {@code diff}: the report files, the schema, the exit codes, and the bugs it catches. */
class DiagnoseCommandTest {

    /** A prompt each bundled sample can read: byte-level text, induction-2l's a0..a63 words, letters for reverse-t5. */
    private static final Map<String, List<String>> INPUT = Map.of(
            "induction-2l", List.of("--ids", "3,9,14,22,3,9,14,22"),
            "induction-2l-collapsed", List.of("--ids", "3,9,14,22,3,9,14,22"),
            "reverse-t5", List.of("--prompt", "attention"));

    private static JsonSchema schema;

    @TempDir
    Path dir;

    @BeforeAll
    static void readSchema() throws IOException {
        try (InputStream in = DiagnosisJson.schema()) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    static Stream<String> samples() {
        return SampleModels.catalog().stream().map(SampleModels.Sample::name);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyBundledSampleIsDiagnosedIntoValidFiles(String sample) throws IOException {
        Path out = dir.resolve(sample);
        List<String> args = new java.util.ArrayList<>(List.of("diagnose", "--model", sample, "--out", out.toString()));
        args.addAll(INPUT.getOrDefault(sample, List.of("--prompt", "In the beginning")));
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertTrue(Files.exists(out.resolve("diagnosis.json")), r.err());
        JsonNode report = new ObjectMapper().readTree(out.resolve("diagnosis.json").toFile());
        assertEquals(Set.of(), schema.validate(report), "the report follows the committed schema");
        boolean error = report.path("severity").asText().equals("ERROR");
        assertEquals(error ? 1 : 0, r.code(), r.err());
        assertEquals(sample.equals("induction-2l-collapsed"), error, "only the deliberately broken sample has errors: "
                + r.out());
        assertEquals(Files.readString(out.resolve("diagnosis.md")), r.out(), "the printed summary is diagnosis.md");
        Npy.Float32 rollout = Npy.readFloat32(out.resolve("rollout.npy"));
        assertEquals(3, rollout.shape().length);
        assertEquals(rollout.shape()[1], rollout.shape()[2], "[B, T, T]");
        boolean decoder = !report.path("family").asText().equals("bert");
        assertEquals(decoder, Files.exists(out.resolve("logit_lens.json")), "decoders have a logit lens");
    }

    @Test
    void theCollapsedSampleFailsAndFailOnTurnsAnyKindIntoAnExitCode() {
        MainTest.Result collapsed = MainTest.run("diagnose", "--model", "induction-2l-collapsed", "--ids", "3,9,14,22,3,9,14,22");
        assertEquals(1, collapsed.code(), collapsed.err());
        assertTrue(collapsed.out().contains("| collapsed | ERROR |"), collapsed.out());

        MainTest.Result sinks = MainTest.run("diagnose", "--model", "all-minilm-l6-v2", "--prompt", "The cat sat.",
                "--fail-on", "sink");
        assertEquals(1, sinks.code(), "MiniLM parks attention on [CLS]/[SEP]: " + sinks.out());
        assertTrue(sinks.out().contains("## Asked to fail on") && sinks.out().contains("- sink L"), sinks.out());
        MainTest.Result clean = MainTest.run("diagnose", "--model", "all-minilm-l6-v2", "--prompt", "The cat sat.");
        assertEquals(0, clean.code(), "sinks alone are not errors: " + clean.out());

        MainTest.Result bad = MainTest.run("diagnose", "--model", "tiny-gpt", "--prompt", "x", "--fail-on", "wobbly");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("'wobbly' is not a kind of finding (kinds: mask-leak, future-key-mass"), bad.err());
        assertEquals(2, MainTest.run("diagnose", "--model", "no-such-model", "--prompt", "x").code());
        assertEquals(2, MainTest.run("diagnose", "--model", "tiny-gpt").code(), "no prompt");
    }

    @Test
    void theLinterCatchesEveryInjectedMaskBug() {
        Map<MaskBug, String> kind = Map.of(MaskBug.BROADCAST, "padding-key-mass", MaskBug.AFTER_SOFTMAX, "row-sum",
                MaskBug.FLIPPED, "future-key-mass", MaskBug.PADDING_IN_LOSS, "loss-counts-padding",
                MaskBug.STALE_CACHE, "cache-divergence", MaskBug.OFF_BY_ONE, "allowed-key-blocked");
        for (MaskBug bug : MaskBug.values()) {
            // the broadcast bug shows on a padded encoder batch, the loss bug on a padded decoder batch
            List<String> model = switch (bug) {
                case BROADCAST -> List.of("--model", "all-minilm-l6-v2", "--prompt", "the cat sat on the mat", "--prompt", "a dog");
                case PADDING_IN_LOSS -> List.of("--model", "tiny-gpt", "--prompts", prompts("And God said", "God").toString());
                default -> List.of("--model", "tiny-gpt", "--prompt", "And God said");
            };
            List<String> args = new java.util.ArrayList<>(List.of("diagnose", "--mask-bug", bug.bugName()));
            args.addAll(model);
            MainTest.Result r = MainTest.run(args.toArray(String[]::new));
            assertEquals(1, r.code(), bug + ": " + r.err());
            assertTrue(r.out().contains("| " + kind.get(bug) + " |"), bug + " is caught as " + kind.get(bug) + ":\n" + r.out());
        }
    }

    private Path prompts(String... lines) {
        try {
            return Files.write(dir.resolve("prompts-" + lines.length + ".txt"), List.of(lines));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void diffComparesOneArchitectureAndRefusesTwo() throws IOException {
        Path out = dir.resolve("diff");
        MainTest.Result r = MainTest.run("diff", "--model", "induction-2l", "--against", "induction-2l-collapsed", "--ids",
                "3,9,14,22,3,9,14,22", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode diff = new ObjectMapper().readTree(out.resolve("diff.json").toFile());
        assertEquals(8, diff.path("heads").size(), "2 layers x 4 heads");
        assertTrue(diff.path("mean_kl").asDouble() > 0.1, "a collapsed model predicts differently");
        assertTrue(r.out().contains("L1 H"), r.out());
        MainTest.Result refused = MainTest.run("diff", "--model", "induction-2l", "--against", "tiny-gpt", "--ids", "3,9");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("n_layer 2 (A) vs 4 (B)"), refused.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("trace", "diagnose", "diff")) {
            MainTest.Result r = MainTest.run(command, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("usage: attn-studio " + command), r.out());
        }
        MainTest.Result trace = MainTest.run("trace", "--help");
        for (MaskBug bug : MaskBug.values()) {
            assertTrue(trace.out().contains(bug.spec()), "trace --help lists " + bug.spec());
        }
        for (String spec : List.of("ablate:L.H", "mean-ablate:L.H", "no-scaling", "no-positions", "mask:bidirectional",
                "mask:causal", "mask:window:N")) {
            assertTrue(trace.out().contains(spec), "trace --help lists " + spec);
        }
    }
}
