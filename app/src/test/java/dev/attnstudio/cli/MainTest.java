package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class MainTest {

    private static final String SAMPLE = "random-gpt2-tiny";
    private static final String PATTERN_0 = HookName.Block.PATTERN.at(0);
    /** A small GPT-2 for model-folder tests (no tokenizer). */
    private static final ModelConfig FOLDER_CONFIG = new ModelConfig(2, 2, 16, 32, 50, 1e-5, ModelConfig.Activation.GELU_NEW);

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode manifest(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    }

    private static long[] longs(JsonNode array) {
        long[] v = new long[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asLong();
        }
        return v;
    }

    private static JsonNode file(JsonNode group, String hook) {
        for (JsonNode f : group.path("files")) {
            if (f.path("hook").asText().equals(hook)) {
                return f;
            }
        }
        return fail("group " + group.path("index") + " lists no file for " + hook);
    }

    @Test
    void strictExitsOneWhenAPassComputedANonFiniteValueAndSaysWhere() {
        Result clean = run("trace", "--model", SAMPLE, "--ids", "3,17,5,88", "--out", dir.resolve("clean").toString(),
                "--strict");
        assertEquals(0, clean.code(), clean.err());
        assertFalse(clean.err().contains("first appeared"), clean.err());

        // the flipped mask leaves query 3 no key: plain softmax gives its row NaN
        Result warned = run("trace", "--model", SAMPLE, "--ids", "3,17,5,88", "--mask-bug", "flipped",
                "--out", dir.resolve("warned").toString());
        assertEquals(0, warned.code(), warned.err());
        assertTrue(warned.err().contains("warning: NaN first appeared at blocks.0.attn."), warned.err());

        Result strict = run("trace", "--model", SAMPLE, "--ids", "3,17,5,88", "--mask-bug", "flipped",
                "--out", dir.resolve("strict").toString(), "--strict");
        assertEquals(1, strict.code(), strict.err());
        assertTrue(strict.err().contains("error: NaN first appeared at blocks.0.attn.")
                && strict.err().contains("exit 1 (--strict)"), strict.err());
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("strict").resolve("manifest.json")),
                "the bundle is written all the same");
    }

    @Test
    void traceWritesEveryHookOfEveryPassAndAManifestThatDescribesThem() throws IOException {
        Path out = dir.resolve("trace");
        Result r = run("trace", "--model", SAMPLE, "--prompt", "Hello there", "--generate", "2", "--out", out.toString(),
                "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("loading model " + SAMPLE), r.err());
        assertTrue(r.err().contains("tracing 11 tokens"), r.err());
        assertTrue(r.err().contains("to " + out), r.err());
        assertEquals("", r.out(), "trace prints progress on stderr only");

        JsonNode m = manifest(out);
        assertEquals(SAMPLE, m.path("model").path("name").asText());
        assertEquals("gpt2", m.path("model").path("architecture").asText());
        assertEquals(4, m.path("model").path("config").path("n_layer").asInt());
        assertEquals(256, m.path("model").path("config").path("vocab_size").asInt());
        assertEquals("cpu", m.path("device").asText());
        assertEquals(0, m.path("sampling").path("seed").asLong());
        assertTrue(m.path("sampling").path("greedy").asBoolean());

        JsonNode groups = m.path("groups");
        assertEquals(3, groups.size(), "the prompt's pass and one per generated token");
        assertEquals(List.of("prefill", "decode", "decode"),
                List.of(groups.get(0).path("kind").asText(), groups.get(1).path("kind").asText(), groups.get(2).path("kind").asText()));
        assertEquals(List.of(".", "step-001", "step-002"),
                List.of(groups.get(0).path("folder").asText(), groups.get(1).path("folder").asText(), groups.get(2).path("folder").asText()));

        // Every listed file exists and reads back with the listed shape; nothing unlisted was written.
        Set<Path> listed = new HashSet<>();
        listed.add(out.resolve("manifest.json"));
        listed.add(out.resolve(m.path("vocabulary").asText())); // the vocabulary as text, for labels without the model
        if (m.has("tokenizer")) {
            listed.add(out.resolve(m.path("tokenizer").asText()));
        }
        int floatFiles = 0;
        for (JsonNode g : groups) {
            for (JsonNode f : g.path("files")) {
                Path p = out.resolve(f.path("file").asText());
                assertTrue(Files.isRegularFile(p), p.toString());
                listed.add(p);
                long[] shape = longs(f.path("shape"));
                if (f.path("dtype").asText().equals("float32")) {
                    assertArrayEquals(shape, Npy.readFloat32(p).shape(), p.toString());
                    floatFiles++;
                } else {
                    assertEquals("int64", f.path("dtype").asText());
                    assertArrayEquals(shape, Npy.readInt64(p).shape(), p.toString());
                }
            }
        }
        try (Stream<Path> all = Files.walk(out)) {
            assertEquals(listed, all.filter(Files::isRegularFile).collect(Collectors.toSet()));
        }
        assertTrue(r.err().contains("wrote " + (listed.size()) + " files"), r.err());

        // The same run made directly with the engine: same tokens, same hooks, same values.
        try (LoadedModel model = SampleModels.open(SAMPLE, DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            long[] prompt = model.tokenizer().encode("Hello there").ids();
            assertArrayEquals(prompt, longs(groups.get(0).path("ids")));
            stepper.reset(prompt);
            stepper.runToEnd();
            Sampler sampler = new Sampler(SamplingConfig.GREEDY);
            for (int i = 0; i < 2; i++) {
                stepper.generate(sampler);
                stepper.runToEnd();
            }
            assertArrayEquals(stepper.tokens(), longs(m.path("token_ids")));
            int hooksPerRun = 0;
            for (int g = 0; g < 3; g++) {
                Stepper.Group group = stepper.groups().get(g);
                JsonNode entry = groups.get(g);
                assertEquals(group.trace().program().size() + 3, entry.path("files").size(), "every hook + the three inputs");
                hooksPerRun += group.trace().program().size();
                assertArrayEquals(group.ids()[0], Npy.readInt64(out.resolve(file(entry, "input_ids").path("file").asText())).values());
                for (String hook : List.of(PATTERN_0, HookName.Model.LOGITS.id, HookName.Block.RESID_POST.at(3))) {
                    Npy.Float32 written = Npy.readFloat32(out.resolve(file(entry, hook).path("file").asText()));
                    var expected = group.trace().read(hook);
                    assertArrayEquals(expected.shape(), written.shape(), hook);
                    assertArrayEquals(expected.values(), written.values(), 1e-6f, "group " + g + " " + hook);
                }
                if (g < 2) {
                    assertEquals(group.next().token(), entry.path("generated").path("token").asLong());
                    assertEquals(group.next().probability(), entry.path("generated").path("probability").asDouble(), 1e-12);
                    assertArrayEquals(new long[] {group.next().token()}, longs(groups.get(g + 1).path("ids")));
                } else {
                    assertTrue(entry.path("generated").isNull(), "nothing is generated from the last pass");
                }
            }
            assertEquals(hooksPerRun, floatFiles);
        }
        // A decode pass reads one token over 11 + g cached ones: its pattern is [1, H, 1, K].
        assertEquals("[1,4,1,13]", file(groups.get(2), PATTERN_0).path("shape").toString());
    }

    @Test
    void hooksGlobSelectsWhatIsWritten() throws IOException {
        Path out = dir.resolve("patterns");
        Result r = run("trace", "--model", SAMPLE, "--ids", "3, 17,5", "--generate", "1", "--hooks", "blocks.*.attn.hook_pattern",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = manifest(out);
        assertEquals("blocks.*.attn.hook_pattern", m.path("hooks").asText());
        assertNull(m.path("prompt").textValue());
        for (JsonNode g : m.path("groups")) {
            List<String> hooks = new ArrayList<>();
            g.path("files").forEach(f -> hooks.add(f.path("hook").asText()));
            assertEquals(List.of("input_ids", "token_type_ids", "attention_mask", "blocks.0.attn.hook_pattern",
                    "blocks.1.attn.hook_pattern", "blocks.2.attn.hook_pattern", "blocks.3.attn.hook_pattern"), hooks);
        }
        assertArrayEquals(new long[] {3, 17, 5}, longs(m.path("groups").get(0).path("ids")));
        assertEquals(4, m.path("token_strings").size(), "3 prompt ids + 1 generated, decoded by the byte tokenizer");

        Path logits = dir.resolve("logits");
        assertEquals(0, run("trace", "--model", SAMPLE, "--ids", "1", "--hooks", "**logits", "--out", logits.toString()).code());
        assertTrue(Files.isRegularFile(logits.resolve("hook_logits.npy")));
        assertFalse(Files.exists(logits.resolve(PATTERN_0 + ".npy")));
    }

    @Test
    void fullCaptureWritesTheSameValuesAsCompact() throws IOException {
        Path compact = dir.resolve("compact");
        Path full = dir.resolve("full");
        assertEquals(0, run("trace", "--model", SAMPLE, "--ids", "9,8,7,6", "--hooks", "blocks.1.**", "--out", compact.toString()).code());
        assertEquals(0, run("trace", "--model", SAMPLE, "--ids", "9,8,7,6", "--hooks", "blocks.1.**", "--out", full.toString(),
                "--capture", "full").code());
        assertEquals("full", manifest(full).path("capture").asText());
        for (JsonNode f : manifest(compact).path("groups").get(0).path("files")) {
            if (f.path("dtype").asText().equals("float32")) {
                String name = f.path("file").asText();
                assertArrayEquals(Npy.readFloat32(compact.resolve(name)).values(), Npy.readFloat32(full.resolve(name)).values(),
                        1e-5f, name);
            }
        }
    }

    @Test
    void sampledGenerationRecordsItsSettingsAndReplaysWithTheSameSeed() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        String[] args = {"trace", "--model", SAMPLE, "--prompt", "abc", "--generate", "4", "--temperature", "0.9",
                "--top-k", "20", "--top-p", "0.95", "--seed", "42", "--hooks", "hook_logits", "--out"};
        assertEquals(0, run(concat(args, a.toString())).code());
        assertEquals(0, run(concat(args, b.toString())).code());
        JsonNode sampling = manifest(a).path("sampling");
        assertEquals(0.9, sampling.path("temperature").asDouble());
        assertEquals(20, sampling.path("top_k").asInt());
        assertEquals(0.95, sampling.path("top_p").asDouble());
        assertEquals(42, sampling.path("seed").asLong());
        assertFalse(sampling.path("greedy").asBoolean());
        assertEquals(manifest(a).path("token_ids"), manifest(b).path("token_ids"));
        assertEquals(7, manifest(a).path("token_ids").size());
    }

    private static String[] concat(String[] args, String last) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    /** A Hugging Face-style folder written by the test: config.json and model.safetensors, no tokenizer. */
    private Path modelFolder(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("config.json"), """
                {"model_type": "gpt2", "n_layer": 2, "n_head": 2, "n_embd": 16, "n_positions": 32, "vocab_size": 50,
                 "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new"}
                """);
        SafeTensors.write(folder.resolve("model.safetensors"), RandomGpt2.tensors(FOLDER_CONFIG, 11, 0.3f), Map.of());
        return folder;
    }

    @Test
    void theManifestRecordsEachFamilysGeometry() throws IOException {
        Path llama = dir.resolve("llama");
        Result r = run("trace", "--model", "tiny-llama", "--ids", "65,110,100", "--hooks", "hook_logits", "--out",
                llama.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        JsonNode c = manifest(llama).path("model").path("config");
        assertEquals(4, c.path("n_head").asInt());
        assertEquals(2, c.path("n_kv_heads").asInt(), "grouped-query attention");
        assertEquals(10000, c.path("rope_theta").asDouble());
        assertFalse(c.path("tied_embeddings").asBoolean());
        assertFalse(c.has("t5"));

        Path gpt2 = dir.resolve("gpt2");
        r = run("trace", "--model", SAMPLE, "--ids", "1,2", "--hooks", "hook_logits", "--out", gpt2.toString(),
                "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        c = manifest(gpt2).path("model").path("config");
        assertEquals(c.path("n_head").asInt(), c.path("n_kv_heads").asInt());
        assertFalse(c.has("rope_theta"), "no rotary positions in GPT-2: " + c);
        assertFalse(c.has("t5"));
    }

    @Test
    void traceOfAModelFolderWithIds() throws IOException {
        Path model = modelFolder("tiny-gpt2");
        Path out = dir.resolve("folder-trace");
        Result r = run("trace", "--model", model.toString(), "--ids", "3,17,5", "--generate", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = manifest(out);
        assertEquals("tiny-gpt2", m.path("model").path("name").asText());
        assertEquals("folder", m.path("model").path("source").asText());
        assertEquals(model.toAbsolutePath().normalize().toString(), m.path("model").path("path").asText());
        assertEquals(16, m.path("model").path("config").path("d_model").asInt());
        assertTrue(m.path("token_strings").isNull(), "no tokenizer, no strings");
        assertTrue(m.path("groups").get(0).path("generated").path("string").isNull());

        try (LoadedModel loaded = LoadedModel.open(model, DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(loaded.model(), Stepper.Options.DEFAULT)) {
            assertNull(loaded.tokenizer());
            stepper.reset(new long[] {3, 17, 5});
            stepper.runToEnd();
            float[] expected = stepper.read(PATTERN_0).values();
            assertArrayEquals(expected, Npy.readFloat32(out.resolve(PATTERN_0 + ".npy")).values(), 1e-6f);
            long next = stepper.generate(new Sampler(SamplingConfig.GREEDY)).token();
            assertEquals(next, m.path("groups").get(0).path("generated").path("token").asLong());
        }

        Result prompt = run("trace", "--model", model.toString(), "--prompt", "hi", "--out", dir.resolve("x").toString());
        assertError(prompt, "has no tokenizer.json");
    }

    @Test
    void refusesToOverwriteATraceUnlessForced() throws IOException {
        Path out = dir.resolve("twice");
        assertEquals(0, run("trace", "--model", SAMPLE, "--ids", "1,2", "--generate", "2", "--out", out.toString()).code());
        byte[] before = Files.readAllBytes(out.resolve("manifest.json"));

        Result again = run("trace", "--model", SAMPLE, "--ids", "4,5", "--out", out.toString());
        assertError(again, "already holds a trace");
        assertTrue(again.errLines().get(0).contains("--force"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("manifest.json")), "nothing was touched");

        Path userFile = Files.writeString(out.resolve("notes.txt"), "mine");
        Result forced = run("trace", "--model", SAMPLE, "--ids", "4,5", "--hooks", "hook_logits", "--out", out.toString(),
                "--force");
        assertEquals(0, forced.code(), forced.err());
        assertArrayEquals(new long[] {4, 5}, longs(manifest(out).path("token_ids")));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("manifest.json", "vocabulary.json", "input_ids.npy", "token_type_ids.npy",
                            "attention_mask.npy", "hook_logits.npy", "notes.txt"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "the old trace's files and step folders are gone; other files stay");
        }
        assertEquals("mine", Files.readString(userFile));
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                Arguments.of(List.of("trace", "--model", SAMPLE, "--prompt", "hi", "--out", "OUT", "--bogus"), "unknown option '--bogus'"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--prompt", "hi"), "missing --out"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--prompt", "hi", "--out"), "--out needs a value"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--prompt", "hi", "--ids", "1", "--out", "OUT"), "not both"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--out", "OUT"), "give --prompt <text> or --ids"),
                Arguments.of(List.of("trace", "--prompt", "hi", "--out", "OUT"), "missing --model"),
                Arguments.of(List.of("trace", "--model", "no-such-model", "--prompt", "hi", "--out", "OUT"),
                        "'no-such-model' is not a model folder, a .onnx file or a bundled sample (bundled: "
                                + Main.sampleNames() + ")"),
                Arguments.of(List.of("trace", "--model", "EMPTY", "--ids", "1", "--out", "OUT"), "config.json"),
                Arguments.of(List.of("trace", "--model", "MISSING", "--ids", "1", "--out", "OUT"), "no model folder or .onnx file at "),
                Arguments.of(List.of("trace", "--model", "BADCONFIG", "--ids", "1", "--out", "OUT"), "missing key 'n_layer'"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--out", "OUT"), "--out is given twice"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--generate", "two"),
                        "--generate takes a whole number, was 'two'"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--generate", "-1"), "0 or more"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--temperature", "-1"),
                        "temperature must be >= 0"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--top-p", "0"), "top-p must be in (0, 1]"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--device", "tpu"), "unknown device 'tpu'"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--capture", "off"),
                        "--capture must be compact or full"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "3,x", "--out", "OUT"), "'x' is not a whole number"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "3", "--decoder-ids", "0,5", "--out", "OUT"),
                        "--decoder-ids needs an encoder-decoder (T5): random-gpt2-tiny is a GPT2 decoder"),
                Arguments.of(List.of("trace", "--model", "all-minilm-l6-v2", "--prompt", "hi", "--decoder-ids", "0",
                        "--out", "OUT"), "--decoder-ids needs an encoder-decoder (T5): all-minilm-l6-v2 is a BERT encoder"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "3", "--decoder-ids", "0,y", "--out", "OUT"),
                        "--decoder-ids takes comma-separated token ids like 3,17,5; 'y' is not a whole number"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "999", "--out", "OUT"), "outside the vocabulary"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "OUT", "--hooks", "blocks.*.nope"),
                        "matches no hook"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--prompt", "hello", "--out", "OUT", "--generate", "252"),
                        "reads at most 256 (n_positions)"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "--ids", "1", "--out", "AFILE"), "is a file, not a folder"),
                Arguments.of(List.of("trace", "--model", SAMPLE, "hello", "--out", "OUT"), "unexpected argument 'hello'"),
                Arguments.of(List.of("frobnicate"), "unknown command 'frobnicate'"),
                Arguments.of(List.of("--verbose"), "unknown option '--verbose'"),
                Arguments.of(List.of("hooks", "--all"), "hooks takes no options"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void badInputIsOneClearLineAndExitCode2(List<String> args, String message) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty-model"));
        Path badConfig = Files.createDirectories(dir.resolve("bad-config"));
        Files.writeString(badConfig.resolve("config.json"), "{\"n_head\": 2, \"n_embd\": 16, \"n_positions\": 8, \"vocab_size\": 9}");
        Files.write(badConfig.resolve("model.safetensors"), new byte[16]);
        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        Path out = dir.resolve("out");
        String[] resolved = args.stream().map(a -> switch (a) {
            case "OUT" -> out.toString();
            case "EMPTY" -> empty.toString();
            case "BADCONFIG" -> badConfig.toString();
            case "AFILE" -> aFile.toString();
            case "MISSING" -> dir.resolve("no/such/model").toString();
            default -> a;
        }).toArray(String[]::new);
        Result r = run(resolved);
        assertError(r, message);
        assertFalse(Files.exists(out.resolve("manifest.json")));
    }

    private static void assertError(Result r, String fragment) {
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.errLines();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("attn-studio: "), r.err());
        assertTrue(last.contains(fragment), "expected '" + fragment + "' in: " + last);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("attn-studio:")).count(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug:\n" + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void debugAddsTheStackTrace() {
        Result r = run("--debug", "trace", "--model", "no-such-model", "--ids", "1", "--out", dir.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("attn-studio: 'no-such-model' is not a model folder"), r.err());
        assertTrue(r.err().contains("\tat dev.attnstudio.cli."), r.err());
        Result inTrace = run("trace", "--model", SAMPLE, "--ids", "1", "--out", dir.resolve("o").toString(), "--generate", "x",
                "--debug");
        assertEquals(2, inTrace.code());
        assertTrue(inTrace.err().contains("\tat "), inTrace.err());
    }

    @Test
    void helpAndHooksPrintToStdout() {
        Result help = run("--help");
        assertEquals(0, help.code());
        for (String command : List.of("trace", "hooks", "bench", SAMPLE)) {
            assertTrue(help.out().contains(command), help.out());
        }
        Result traceHelp = run("trace", "--help");
        assertEquals(0, traceHelp.code());
        for (String option : List.of("--model", "--prompt", "--ids", "--hooks", "--out", "--generate", "--temperature",
                "--top-k", "--top-p", "--seed", "--device", "--capture", "--force", "--debug", "--pair", "--padding", "--pad-id",
                "--tokenizer", ".onnx", "--model all-minilm-l6-v2 --prompt", SAMPLE)) {
            assertTrue(traceHelp.out().contains(option), option + " missing from:\n" + traceHelp.out());
        }
        assertEquals(0, run("trace", "--model", "ignored", "-h").code(), "help wins over missing options");

        Result hooks = run("hooks");
        assertEquals(0, hooks.code());
        assertEquals(HookName.table().strip(), hooks.out().strip());
        assertTrue(hooks.out().contains("blocks.{i}.attn.hook_pattern"));

        Result nothing = run();
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().startsWith("usage: attn-studio"), nothing.err());
    }

    @Test
    void stepFoldersSortByName() {
        assertEquals("step-001", TraceCommand.stepFolder(1, 3));
        assertEquals("step-042", TraceCommand.stepFolder(42, 999));
        assertEquals("step-0042", TraceCommand.stepFolder(42, 1000));
    }
}
