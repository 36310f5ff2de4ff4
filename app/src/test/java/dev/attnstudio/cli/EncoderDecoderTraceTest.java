package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code attn-studio trace} on an encoder-decoder, the bundled {@code reverse-t5} (2 encoder and 2 decoder blocks of
 * 4 heads, 29 character tokens: {@code <pad>} 0 starts the decoder, {@code </s>} 1, a..z 3..28): the source through
 * --prompt or --ids, the decoder's input through --decoder-ids or --generate, and every stack's hooks on disk.
 */
class EncoderDecoderTraceTest {

    private static final String T5 = "reverse-t5";
    private static final int HEADS = 4;
    private static final int VOCAB = 29;

    @TempDir
    Path dir;

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

    /** The listed shape of a hook's file in a group, checked against the .npy header on disk. */
    private static long[] shape(Path out, JsonNode group, String hook) throws IOException {
        for (JsonNode f : group.path("files")) {
            if (f.path("hook").asText().equals(hook)) {
                long[] listed = longs(f.path("shape"));
                Path file = out.resolve(f.path("file").asText());
                long[] onDisk = f.path("dtype").asText().equals("int64") ? Npy.readInt64(file).shape()
                        : Npy.readFloat32(file).shape();
                assertArrayEquals(listed, onDisk, hook);
                return listed;
            }
        }
        return fail("group " + group.path("index") + " lists no file for " + hook);
    }

    private static List<String> hooks(JsonNode group) {
        List<String> names = new ArrayList<>();
        group.path("files").forEach(f -> names.add(f.path("hook").asText()));
        return names;
    }

    @Test
    void generatingWritesTheEncoderOnceAndADecoderPassPerToken() throws IOException {
        Path out = dir.resolve("gen");
        MainTest.Result r = MainTest.run("trace", "--model", T5, "--prompt", "abcdef", "--generate", "7", "--out",
                out.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("T5 encoder-decoder"), r.err());
        assertTrue(r.err().contains("generated ids"), r.err());

        JsonNode m = manifest(out);
        assertEquals("t5", m.path("model").path("architecture").asText());
        JsonNode c = m.path("model").path("config");
        assertEquals(2, c.path("n_layer").asInt());
        assertEquals(HEADS, c.path("n_kv_heads").asInt());
        assertEquals(16, c.path("t5").path("d_kv").asInt());
        assertEquals(2, c.path("t5").path("num_decoder_layers").asInt());
        assertEquals(32, c.path("t5").path("relative_attention_num_buckets").asInt());
        assertEquals(16, c.path("t5").path("relative_attention_max_distance").asInt());
        assertEquals(0, c.path("t5").path("decoder_start_token_id").asInt());
        assertFalse(c.has("rope_theta"));

        assertArrayEquals(new long[] {3, 4, 5, 6, 7, 8, 1}, longs(m.path("token_ids")), "the source: abcdef </s>");
        long[] decoder = longs(m.path("decoder_token_ids"));
        assertEquals(8, decoder.length, "the start token and 7 generated");
        assertEquals(0, decoder[0]);
        assertArrayEquals(new long[] {0, 8, 7, 6, 5, 4, 3, 1}, decoder, "reverse-t5 writes fedcba</s>");
        assertEquals("f", m.path("decoder_token_strings").get(1).asText());

        JsonNode groups = m.path("groups");
        assertEquals(8, groups.size(), "the prompt's pass and one per generated token");
        JsonNode first = groups.get(0);
        assertEquals("prefill", first.path("kind").asText());
        assertArrayEquals(new long[] {1, 7}, shape(out, first, "input_ids"));
        assertArrayEquals(new long[] {1, 1}, shape(out, first, "decoder_input_ids"));
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(new long[] {1, HEADS, 7, 7}, shape(out, first, "encoder.blocks." + i + ".attn.hook_pattern"));
            assertArrayEquals(new long[] {1, HEADS, 1, 1}, shape(out, first, "decoder.blocks." + i + ".attn.hook_pattern"));
            assertArrayEquals(new long[] {1, HEADS, 1, 7},
                    shape(out, first, "decoder.blocks." + i + ".cross_attn.hook_pattern"));
        }
        assertArrayEquals(new long[] {1, 1, VOCAB}, shape(out, first, "hook_logits"));
        assertTrue(hooks(first).contains("encoder.hook_embed") && hooks(first).contains("decoder.hook_embed"),
                hooks(first).toString());

        for (int k = 1; k < groups.size(); k++) {
            JsonNode g = groups.get(k);
            assertEquals("decode", g.path("kind").asText());
            assertEquals(k, g.path("past").asInt());
            assertArrayEquals(new long[] {decoder[k]}, longs(g.path("decoder_ids")), "reads the token generated before");
            assertArrayEquals(new long[] {1, HEADS, 1, k + 1}, shape(out, g, "decoder.blocks.1.attn.hook_pattern"),
                    "self-attention over the cache");
            assertArrayEquals(new long[] {1, HEADS, 1, 7}, shape(out, g, "decoder.blocks.1.cross_attn.hook_pattern"),
                    "cross-attention over the whole source, every pass");
            assertArrayEquals(new long[] {1, 1, VOCAB}, shape(out, g, "hook_logits"));
            assertTrue(hooks(g).stream().noneMatch(h -> h.startsWith("encoder.")), "the encoder ran once: " + hooks(g));
            assertTrue(Files.isDirectory(out.resolve(g.path("folder").asText())));
        }
    }

    @Test
    void teacherForcedDecoderIdsAreOnePassWhoseValuesMatchTheStepper() throws IOException {
        Path out = dir.resolve("forced");
        String cross = "decoder.blocks.1.cross_attn.hook_pattern";
        MainTest.Result r = MainTest.run("trace", "--model", T5, "--ids", "3,4,5,1", "--decoder-ids", "0,5,4",
                "--hooks", "decoder.blocks.*.cross_attn.hook_pattern", "--out", out.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        JsonNode m = manifest(out);
        assertEquals(1, m.path("groups").size());
        JsonNode g = m.path("groups").get(0);
        assertArrayEquals(new long[] {0, 5, 4}, longs(m.path("decoder_token_ids")));
        assertArrayEquals(new long[] {0, 5, 4}, longs(g.path("decoder_ids")));
        assertArrayEquals(new long[] {1, 3}, shape(out, g, "decoder_input_ids"));
        assertArrayEquals(new long[] {1, HEADS, 3, 4}, shape(out, g, cross));
        assertEquals(List.of("input_ids", "token_type_ids", "attention_mask", "decoder_input_ids",
                "decoder.blocks.0.cross_attn.hook_pattern", cross), hooks(g));

        float[] written = Npy.readFloat32(out.resolve(cross + ".npy")).values();
        try (LoadedModel model = SampleModels.open(T5, DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(Batch.encoderDecoder(new long[] {3, 4, 5, 1}, new long[] {0, 5, 4}));
            stepper.runToEnd();
            TensorData p = stepper.read(cross);
            assertArrayEquals(p.values(), written, 0f);
        }
    }

    @Test
    void decoderIdsMustStartWithTheStartToken() {
        MainTest.Result r = MainTest.run("trace", "--model", T5, "--ids", "3,4,1", "--decoder-ids", "5,4", "--out",
                dir.resolve("bad").toString(), "--device", "cpu");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--decoder-ids must start with the decoder start token 0 (<pad>) of reverse-t5,"
                + " was 5"), r.err());
        assertFalse(Files.exists(dir.resolve("bad").resolve("manifest.json")));
    }

    @Test
    void anEncoderDecoderRefusesWhatOnlyOtherFamiliesTake() {
        MainTest.Result pair = MainTest.run("trace", "--model", T5, "--prompt", "abc", "--pair", "def", "--out",
                dir.resolve("pair").toString());
        assertEquals(2, pair.code(), pair.err());
        assertTrue(pair.err().contains("--pair needs an encoder with token types (BERT): reverse-t5 is a T5"
                + " encoder-decoder"), pair.err());
        MainTest.Result many = MainTest.run("trace", "--model", T5, "--prompt", "abc", "--prompt", "de", "--generate",
                "2", "--out", dir.resolve("many").toString());
        assertEquals(2, many.code(), many.err());
        assertTrue(many.err().contains("--generate continues a single prompt"), many.err());
    }
}
