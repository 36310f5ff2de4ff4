package dev.attnstudio.cli;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.model.RandomBert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code attn-studio trace} on encoders: padded batches, sentence pairs, what encoders and decoders refuse, and
 * the real MiniLM (as a sample and as its .onnx file) when it is on the class path.
 */
class EncoderTraceTest {

    private static final String MINILM = "all-minilm-l6-v2";
    /** The sample-models dependency carries MiniLM's ONNX export and tokenizer as class-path resources. */
    private static final String MINILM_ONNX = "/all-minilm-l6-v2.onnx";
    private static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

    /** "the cat sat ." -> [CLS] the cat sat . [SEP]: 6 tokens. */
    private static final String SHORT = "the cat sat .";
    /** "a dog ran on the mat ." -> 9 tokens. */
    private static final String LONG = "a dog ran on the mat .";

    @TempDir
    static Path shared;
    private static Path bert;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeTinyBert() throws IOException {
        bert = tinyBertFolder(shared.resolve("tiny-bert"));
    }

    /**
     * A Hugging Face BERT folder: config.json (model_type bert), model.safetensors with BERT's names and layouts
     * (Linear weights [out, in]) and random values, and a WordLevel tokenizer.json whose post-processor adds
     * [CLS] and [SEP] and gives segment B token type 1.
     */
    static Path tinyBertFolder(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), """
                {"model_type": "bert", "num_hidden_layers": 2, "num_attention_heads": 2, "hidden_size": 16,
                 "intermediate_size": 32, "max_position_embeddings": 32, "vocab_size": 40, "type_vocab_size": 2,
                 "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
                """);
        SafeTensors.write(folder.resolve("model.safetensors"), RandomBert.tensors(new ModelConfig(ModelConfig.Architecture.BERT, 2, 2, 16, 32, 32, 40, 2, 1e-12, ModelConfig.Activation.GELU), 7, 0.4f), Map.of());
        Files.writeString(folder.resolve("tokenizer.json"), WORD_LEVEL_TOKENIZER);
        return folder;
    }

    private static final String WORD_LEVEL_TOKENIZER = """
            {
              "version": "1.0", "truncation": null, "padding": null,
              "added_tokens": [
                {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
              ],
              "normalizer": {"type": "Lowercase"},
              "pre_tokenizer": {"type": "Whitespace"},
              "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {
                  "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                  "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
                }
              },
              "decoder": null,
              "model": {"type": "WordLevel", "unk_token": "[UNK]", "vocab": {
                "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "the": 4, "cat": 5, "sat": 6, "on": 7, "mat": 8,
                "a": 9, "dog": 10, "ran": 11, ".": 12, "?": 13, "who": 14, "where": 15}}
            }
            """;

    private static MainTest.Result run(String... args) {
        return MainTest.run(args);
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

    private static List<String> texts(JsonNode array) {
        List<String> v = new ArrayList<>();
        array.forEach(n -> v.add(n.asText()));
        return v;
    }

    private static long[][] table(Npy.Int64 npy) {
        int rows = (int) npy.shape()[0];
        int cols = (int) npy.shape()[1];
        long[][] t = new long[rows][cols];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(npy.values(), b * cols, t[b], 0, cols);
        }
        return t;
    }

    /** Checks every listed pattern: [B, H, T, T], exactly 0 on padding keys, each query's row sums to 1. */
    private static int checkPatterns(Path out, JsonNode m, long[][] mask) throws IOException {
        int checked = 0;
        for (JsonNode f : m.path("groups").get(0).path("files")) {
            if (!f.path("hook").asText().endsWith(HookName.Block.PATTERN.suffix)) {
                continue;
            }
            Npy.Float32 p = Npy.readFloat32(out.resolve(f.path("file").asText()));
            long[] s = p.shape();
            assertEquals(4, s.length);
            assertEquals(mask.length, s[0]);
            assertEquals(mask[0].length, s[2]);
            assertEquals(mask[0].length, s[3]);
            int heads = (int) s[1];
            int t = (int) s[2];
            for (int b = 0; b < mask.length; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int q = 0; q < t; q++) {
                        double sum = 0;
                        for (int k = 0; k < t; k++) {
                            float w = p.values()[((b * heads + h) * t + q) * t + k];
                            if (mask[b][k] == 0) {
                                assertEquals(0f, w, 0f, f.path("hook").asText() + " row " + b + " head " + h
                                        + " query " + q + " puts mass on padding key " + k);
                            }
                            sum += w;
                        }
                        assertEquals(1.0, sum, 1e-5, "softmax over the real keys");
                    }
                }
            }
            checked++;
        }
        return checked;
    }

    @ParameterizedTest
    @EnumSource(Batch.Padding.class)
    void twoPromptsArePaddedAndPaddingGetsNoAttention(Batch.Padding side) throws IOException {
        String padding = side.name().toLowerCase(Locale.ROOT);
        Path out = dir.resolve("batch-" + padding);
        MainTest.Result r = run("trace", "--model", bert.toString(), "--prompt", SHORT, "--prompt", LONG,
                "--padding", padding, "--device", "cpu", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("tracing 2 prompts padded " + padding + " to 9 tokens with id 0 = [PAD]"), r.err());

        JsonNode m = manifest(out);
        assertEquals("bert", m.path("model").path("architecture").asText());
        assertEquals("folder", m.path("model").path("source").asText());
        assertEquals("blocks.1.ln2.hook_normalized", m.path("model").path("output_hook").asText());
        assertEquals(2, m.path("model").path("config").path("type_vocab_size").asInt());
        assertEquals(32, m.path("model").path("config").path("d_mlp").asInt());
        assertEquals(padding, m.path("padding").path("side").asText());
        assertEquals(0, m.path("padding").path("pad_id").asLong());
        assertEquals(SHORT, m.path("prompt").asText());
        assertEquals(9, m.path("prompt_length").asInt());
        assertEquals(1, m.path("groups").size(), "an encoder makes one pass");
        assertTrue(m.path("groups").get(0).path("generated").isNull());

        JsonNode rows = m.path("rows");
        assertEquals(2, rows.size());
        assertEquals(List.of(SHORT, LONG), List.of(rows.get(0).path("prompt").asText(), rows.get(1).path("prompt").asText()));
        assertEquals(6, rows.get(0).path("length").asInt());
        assertEquals(9, rows.get(1).path("length").asInt());
        long[] shortIds = {2, 4, 5, 6, 12, 3};
        long[] expectedIds = side == Batch.Padding.RIGHT
                ? new long[] {2, 4, 5, 6, 12, 3, 0, 0, 0} : new long[] {0, 0, 0, 2, 4, 5, 6, 12, 3};
        long[] expectedMask = side == Batch.Padding.RIGHT
                ? new long[] {1, 1, 1, 1, 1, 1, 0, 0, 0} : new long[] {0, 0, 0, 1, 1, 1, 1, 1, 1};
        assertArrayEquals(expectedIds, longs(rows.get(0).path("token_ids")));
        assertArrayEquals(expectedMask, longs(rows.get(0).path("attention_mask")));
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, longs(rows.get(1).path("attention_mask")));
        assertArrayEquals(new long[9], longs(rows.get(0).path("token_type_ids")));
        List<String> strings = texts(rows.get(0).path("token_strings"));
        assertEquals(side == Batch.Padding.RIGHT
                ? List.of("[CLS]", "the", "cat", "sat", ".", "[SEP]", "[PAD]", "[PAD]", "[PAD]")
                : List.of("[PAD]", "[PAD]", "[PAD]", "[CLS]", "the", "cat", "sat", ".", "[SEP]"), strings);
        assertEquals(List.of("[CLS]", "a", "dog", "ran", "on", "the", "mat", ".", "[SEP]"),
                texts(rows.get(1).path("token_strings")));

        // The three inputs are on disk as int64 [2, 9], listed first, and agree with the rows.
        List<String> hooks = new ArrayList<>();
        m.path("groups").get(0).path("files").forEach(f -> hooks.add(f.path("hook").asText()));
        assertEquals(List.of("input_ids", "token_type_ids", "attention_mask"), hooks.subList(0, 3));
        Npy.Int64 ids = Npy.readInt64(out.resolve("input_ids.npy"));
        Npy.Int64 types = Npy.readInt64(out.resolve("token_type_ids.npy"));
        Npy.Int64 maskFile = Npy.readInt64(out.resolve("attention_mask.npy"));
        for (Npy.Int64 input : List.of(ids, types, maskFile)) {
            assertArrayEquals(new long[] {2, 9}, input.shape());
        }
        long[][] mask = table(maskFile);
        assertArrayEquals(expectedMask, mask[0]);
        assertArrayEquals(expectedIds, table(ids)[0]);
        assertArrayEquals(new long[18], types.values());

        assertEquals(2, checkPatterns(out, m, mask), "one pattern per layer");

        // The same batch run directly with the engine gives the same output.
        try (LoadedModel model = LoadedModel.open(bert, DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(Batch.pad(List.of(shortIds, longs(rows.get(1).path("token_ids"))), null, side, 0));
            stepper.runToEnd();
            String hook = model.model().outputHook();
            TensorData expected = stepper.read(hook);
            Npy.Float32 written = Npy.readFloat32(out.resolve(hook + ".npy"));
            assertArrayEquals(expected.shape(), written.shape());
            assertArrayEquals(expected.values(), written.values(), 1e-6f);
        }
    }

    @Test
    void pairGivesSegmentBTokenTypeOneInEveryRow() throws IOException {
        Path out = dir.resolve("pair");
        MainTest.Result r = run("trace", "--model", bert.toString(), "--prompt", "who sat ?", "--pair", SHORT,
                "--hooks", "blocks.*.attn.hook_pattern", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode row = manifest(out).path("rows").get(0);
        assertEquals(SHORT, row.path("pair").asText());
        assertEquals(List.of("[CLS]", "who", "sat", "?", "[SEP]", "the", "cat", "sat", ".", "[SEP]"),
                texts(row.path("token_strings")));
        long[] types = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
        assertArrayEquals(types, longs(row.path("token_type_ids")));
        assertArrayEquals(types, Npy.readInt64(out.resolve("token_type_ids.npy")).values());

        // With several prompts the pair follows each of them; padding keeps type 0.
        Path two = dir.resolve("pairs");
        r = run("trace", "--model", bert.toString(), "--prompt", "who sat ?", "--prompt", "where ?", "--pair", SHORT,
                "--hooks", "blocks.*.attn.hook_pattern", "--out", two.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rows = manifest(two).path("rows");
        assertArrayEquals(types, longs(rows.get(0).path("token_type_ids")));
        assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1, 1, 1, 1, 0}, longs(rows.get(1).path("token_type_ids")));
        assertEquals(List.of("[CLS]", "where", "?", "[SEP]", "the", "cat", "sat", ".", "[SEP]", "[PAD]"),
                texts(rows.get(1).path("token_strings")));
        assertEquals(2, checkPatterns(two, manifest(two), table(Npy.readInt64(two.resolve("attention_mask.npy")))));
    }

    @Test
    void idsTraceOneUnpaddedRow() throws IOException {
        Path out = dir.resolve("ids");
        MainTest.Result r = run("trace", "--model", bert.toString(), "--ids", "2,5,6,3", "--hooks", "**pattern",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode row = manifest(out).path("rows").get(0);
        assertTrue(row.path("prompt").isNull());
        assertArrayEquals(new long[] {1, 1, 1, 1}, longs(row.path("attention_mask")));
        assertEquals(List.of("[CLS]", "cat", "sat", "[SEP]"), texts(row.path("token_strings")));
    }

    @Test
    void whatEncodersAndDecodersRefuseIsOneClearLineAndExitCode2() throws IOException {
        String out = dir.resolve("refused").toString();
        String model = bert.toString();
        MainTest.Result generate = run("trace", "--model", model, "--prompt", SHORT, "--generate", "3", "--out", out);
        assertError(generate, "--generate needs a decoder or an encoder-decoder: tiny-bert is a BERT encoder");
        assertFalse(generate.err().contains("loading model"), "refused from config.json, before the weights load");
        assertError(run("trace", "--model", "all-minilm-l6-v2", "--prompt", SHORT, "--generate", "3", "--out", out),
                "--generate needs a decoder");
        assertError(run("trace", "--model", "random-gpt2-tiny", "--prompt", "Hi", "--prompt", "Hello there", "--padding",
                "left", "--out", out), "a decoder reads a padded batch only with the padding on the right");
        assertError(run("trace", "--model", "random-gpt2-tiny", "--prompt", "Hi", "--pair", "there", "--out", out),
                "--pair needs an encoder");
        assertError(run("trace", "--model", "random-gpt2-tiny", "--prompt", "ab", "--prompt", "cd", "--generate", "1",
                "--out", out), "--generate continues a single prompt, but 2 were given");
        assertError(run("trace", "--model", model, "--ids", "2,3", "--pair", "the", "--out", out), "--pair is text");
        assertError(run("trace", "--model", model, "--prompt", SHORT, "--padding", "middle", "--out", out),
                "--padding must be right or left");
        assertError(run("trace", "--model", model, "--prompt", SHORT, "--pad-id", "40", "--out", out),
                "--pad-id 40 is outside the vocabulary (0..39)");
        assertError(run("trace", "--model", model, "--prompt", SHORT, "--pad-id", "-1", "--out", out),
                "--pad-id must be a token id");
        assertError(run("trace", "--model", model, "--prompt", SHORT, "--tokenizer", model + "/tokenizer.json",
                "--out", out), "--tokenizer goes with a .onnx model");
        assertError(run("trace", "--model", model, "--prompt", SHORT, "--hooks", "hook_logits", "--out", out),
                "matches no hook of this BERT encoder");
        assertError(run("trace", "--model", model + "/config.json", "--ids", "1", "--out", out), "is a file but not .onnx");
        assertError(run("trace", "--model", dir.resolve("nothing.onnx").toString(), "--ids", "1", "--out", out),
                "no model folder or .onnx file at");
        assertError(run("trace", "--model", model, "--prompt", "the cat sat on the mat ".repeat(6), "--out", out),
                "this model reads at most 32 (max_position_embeddings)");
        assertFalse(Files.exists(dir.resolve("refused").resolve("manifest.json")));
    }

    private static void assertError(MainTest.Result r, String fragment) {
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.errLines();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("attn-studio: ") && last.contains(fragment), "expected '" + fragment + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void realMiniLmSampleTracesAPaddedBatch() throws IOException {
        assumeTrue(SampleModels.catalog().stream().anyMatch(s -> s.name().equals(MINILM)),
                MINILM + " is not in the sample catalog yet");
        Path out = dir.resolve("minilm");
        MainTest.Result r = run("trace", "--model", MINILM, "--prompt", "The cat sat.", "--prompt",
                "A much longer second sentence here.", "--hooks", "blocks.*.attn.hook_pattern", "--device", "cpu",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = manifest(out);
        assertEquals("sample", m.path("model").path("source").asText());
        assertEquals("bert", m.path("model").path("architecture").asText());
        JsonNode rows = m.path("rows");
        assertEquals(2, rows.size());
        int t = m.path("prompt_length").asInt();
        for (JsonNode row : rows) {
            assertEquals("[CLS]", row.path("token_strings").get(0).asText());
            assertEquals(t, row.path("token_ids").size());
        }
        assertTrue(rows.get(0).path("length").asInt() < t, "the short prompt is padded");
        assertArrayEquals(new long[] {2, 12, t, t}, Npy.readFloat32(out.resolve("blocks.0.attn.hook_pattern.npy")).shape());
        assertEquals(6, checkPatterns(out, m, table(Npy.readInt64(out.resolve("attention_mask.npy")))));
    }

    @Test
    void onnxFileWithATokenizerNextToItOrGivenByOption() throws IOException {
        Path onnxDir = Files.createDirectories(dir.resolve("onnx"));
        Path onnx = onnxDir.resolve("minilm.onnx");
        Path tokenizer = dir.resolve("minilm-tokenizer.json");
        assumeTrue(copyResource(MINILM_ONNX, onnx) && copyResource(MINILM_TOKENIZER, tokenizer),
                "MiniLM's ONNX export is not on the class path");

        MainTest.Result noTokenizer = run("trace", "--model", onnx.toString(), "--prompt", "hi", "--out",
                dir.resolve("a").toString());
        assertError(noTokenizer, "minilm.onnx has no tokenizer.json");
        assertTrue(noTokenizer.err().contains("no tokenizer.json next to minilm.onnx"), noTokenizer.err());

        Path given = dir.resolve("given");
        MainTest.Result r = run("trace", "--model", onnx.toString(), "--tokenizer", tokenizer.toString(), "--prompt",
                "The cat sat.", "--pair", "Where did it sit?", "--hooks", "blocks.5.**", "--out", given.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = manifest(given);
        assertEquals("onnx", m.path("model").path("source").asText());
        assertEquals("minilm.onnx", m.path("model").path("name").asText());
        assertEquals(onnx.toAbsolutePath().normalize().toString(), m.path("model").path("path").asText());
        assertEquals(12, m.path("model").path("config").path("n_head").asInt());
        JsonNode row = m.path("rows").get(0);
        assertEquals("[CLS]", row.path("token_strings").get(0).asText());
        long[] types = longs(row.path("token_type_ids"));
        assertEquals(0, types[0]);
        assertEquals(1, types[types.length - 1], "the pair's [SEP] is segment B");

        Files.copy(tokenizer, onnxDir.resolve("tokenizer.json"));
        Path sibling = dir.resolve("sibling");
        r = run("trace", "--model", onnx.toString(), "--prompt", "The cat sat.", "--pair", "Where did it sit?",
                "--hooks", "blocks.5.**", "--out", sibling.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("tokenizer: " + onnxDir.resolve("tokenizer.json")), r.err());
        String hook = HookName.Block.LN2_NORMALIZED.at(5);
        assertArrayEquals(Npy.readFloat32(given.resolve(hook + ".npy")).values(),
                Npy.readFloat32(sibling.resolve(hook + ".npy")).values(), 0f);
    }

    /** Copies a class-path resource to a file; false if there is no such resource. */
    private static boolean copyResource(String name, Path target) throws IOException {
        try (InputStream in = EncoderTraceTest.class.getResourceAsStream(name)) {
            if (in == null) {
                return false;
            }
            Files.copy(in, target);
            return true;
        }
    }
}
