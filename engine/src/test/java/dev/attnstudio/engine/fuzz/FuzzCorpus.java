package dev.attnstudio.engine.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attnstudio.engine.fuzz.Mutations.SafeTensorsParts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Makes malformed inputs from real files: the bundled sample models' {@code model.safetensors}, {@code config.json}
 * and {@code tokenizer.json} (read from {@code sample-models/src/main/resources}, a sibling module) and the seeds in
 * {@code src/test/resources/fuzz-seeds} ({@code .npy}, {@code .onnx}), and a one-layer BERT in ONNX made at test time
 * ({@link TinyBertOnnx}). Mutations: truncation at many offsets, bit
 * flips, safetensors header edits (length beyond the file, overlapping and out-of-range offsets, dtype/shape/byte
 * count disagreement, huge shapes, non-UTF-8 and duplicate keys), JSON edits (nesting 10^5 deep, huge strings, wrong
 * types, missing keys) and shape lies in .npy headers.
 *
 * <p>Every case is written under a folder given by the caller (a temporary folder at test time), as a model folder
 * (the mutated file beside symbolic links to the sample's other files, so {@code ModelFolder.open} reads it as a user
 * would) or as a single file. Generation is deterministic (a fixed seed).
 */
public final class FuzzCorpus {

    /** The kinds of input, each opened through its own entry point. */
    public enum Kind { SAFETENSORS, CONFIG, TOKENIZER, NPY, ONNX }

    /**
     * One malformed input.
     *
     * @param kind     what it is
     * @param mutation what was done to the real file, for a failure report
     * @param path     the model folder (SAFETENSORS, CONFIG), or the file (TOKENIZER, NPY, ONNX)
     */
    public record Case(Kind kind, String mutation, Path path) {
    }

    /** The bundled samples, relative to the engine module's folder (where Maven runs its tests). */
    public static final Path SAMPLES = Path.of("..", "sample-models", "src", "main", "resources", "dev", "attnstudio",
            "samples");
    /** Samples whose files are mutated: one per family, the smallest of each. */
    static final List<String> MODELS = List.of("induction-2l", "reverse-t5", "tiny-llama");
    /** The folder for safetensors mutations (427 KB, so a hundred copies stay small). */
    static final String SAFETENSORS_SAMPLE = "induction-2l";

    private final Path out;
    private final Path samples;
    private final Random random = new Random(14);
    private final List<Case> cases = new ArrayList<>();
    private int serial;

    private FuzzCorpus(Path out, Path samples) {
        this.out = out;
        this.samples = samples;
    }

    /** Writes the whole corpus under {@code out}; {@code samples} is the sample-models resource folder. */
    public static List<Case> generate(Path out, Path samples) throws IOException {
        FuzzCorpus c = new FuzzCorpus(out, samples);
        c.safetensors();
        for (String model : MODELS) {
            c.config(model);
        }
        for (String model : MODELS) {
            c.tokenizer(read(samples.resolve(model).resolve("tokenizer.json")), model);
        }
        c.tokenizer(seed("tokenizer.json"), "seed");
        c.npy(seed("seed.npy"), "seed.npy");
        c.npy(seed("seed-ids.npy"), "seed-ids.npy");
        c.onnx(seed("seed.onnx"));
        c.tinyBert(TinyBertOnnx.bytes());
        return List.copyOf(c.cases);
    }

    /** A file of {@code src/test/resources/fuzz-seeds}. */
    public static byte[] seed(String name) throws IOException {
        try (InputStream in = FuzzCorpus.class.getResourceAsStream("/fuzz-seeds/" + name)) {
            if (in == null) {
                throw new IOException("no fuzz seed " + name + " on the test class path");
            }
            return in.readAllBytes();
        }
    }

    // ---- model.safetensors ----

    private void safetensors() throws IOException {
        Path sample = samples.resolve(SAFETENSORS_SAMPLE);
        byte[] file = read(sample.resolve("model.safetensors"));
        SafeTensorsParts parts = SafeTensorsParts.of(file);
        int headerEnd = 8 + parts.header().toString().getBytes(StandardCharsets.UTF_8).length;
        headerEnd = (int) (8 + ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        // truncation: inside the length, inside the header, at its end, in the data, one byte short
        for (int at : new int[] {0, 1, 7, 8, 9, 20, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1,
                headerEnd + 100, file.length / 2, file.length - 4, file.length - 1}) {
            weights(sample, "truncated to " + at + " bytes", Mutations.truncate(file, at));
        }
        // bit flips: mostly in the length and header, a few in the data (a flipped weight is still a valid file)
        for (int i = 0; i < 40; i++) {
            long bit = i < 8 ? random.nextInt(64) : i < 36 ? 64 + random.nextInt((headerEnd - 8) * 8)
                    : (long) headerEnd * 8 + random.nextInt((file.length - headerEnd) * 8);
            weights(sample, "bit " + bit + " flipped", Mutations.flipBit(file, bit));
        }
        byte[] header = java.util.Arrays.copyOfRange(file, 8, headerEnd);
        weights(sample, "header length beyond the file", Mutations.withHeaderLength(file.length, header, parts.data()));
        weights(sample, "header length 2^63", Mutations.withHeaderLength(Long.MIN_VALUE, header, parts.data()));
        weights(sample, "header length -1 (2^64-1)", Mutations.withHeaderLength(-1, header, parts.data()));
        weights(sample, "header length 0", Mutations.withHeaderLength(0, header, parts.data()));
        weights(sample, "header length one short", Mutations.withHeaderLength(header.length - 1, header, parts.data()));
        weights(sample, "header length one long", Mutations.withHeaderLength(header.length + 1, header, parts.data()));

        List<String> names = parts.tensors();
        String first = names.get(0);
        String second = names.get(1);
        String last = names.get(names.size() - 1);
        long dataLength = parts.data().length;
        JsonNodeFactory n = JsonNodeFactory.instance;
        header(sample, parts, "offsets of '" + second + "' overlap '" + first + "'", p -> p.entry(second)
                .set("data_offsets", p.entry(first).get("data_offsets")));
        header(sample, parts, "offsets of '" + last + "' end past the data", p -> p.entry(last).set("data_offsets",
                n.arrayNode().add(dataLength - 8).add(dataLength + 1_000)));
        header(sample, parts, "offsets of '" + first + "' begin after they end", p -> p.entry(first).set("data_offsets",
                n.arrayNode().add(64).add(0)));
        header(sample, parts, "negative offset", p -> p.entry(first).set("data_offsets", n.arrayNode().add(-8).add(0)));
        header(sample, parts, "offsets 2^63", p -> p.entry(first).set("data_offsets",
                n.arrayNode().add(Long.MAX_VALUE - 1).add(Long.MAX_VALUE)));
        header(sample, parts, "offsets as text", p -> p.entry(first).set("data_offsets", n.arrayNode().add("0").add("8")));
        header(sample, parts, "offsets as floats", p -> p.entry(first).set("data_offsets", n.arrayNode().add(0.5).add(8.5)));
        header(sample, parts, "three offsets", p -> p.entry(first).set("data_offsets", n.arrayNode().add(0).add(4).add(8)));
        header(sample, parts, "offsets not a list", p -> p.entry(first).put("data_offsets", 0));
        header(sample, parts, "offsets missing", p -> p.entry(first).remove("data_offsets"));
        header(sample, parts, "a gap of 4 bytes between tensors", p -> shiftAll(p, 4));
        for (String dtype : new String[] {"F64", "I64", "BOOL", "F8_E4M3", "XX", "", "f32"}) {
            header(sample, parts, "dtype " + dtype + " (byte count disagrees or unsupported)",
                    p -> p.entry(first).put("dtype", dtype));
        }
        header(sample, parts, "dtype a number", p -> p.entry(first).put("dtype", 32));
        header(sample, parts, "dtype missing", p -> p.entry(first).remove("dtype"));
        header(sample, parts, "shape one row too many", p -> bump(p.entry(first), 0, 1));
        header(sample, parts, "shape one row too few", p -> bump(p.entry(first), 0, -1));
        header(sample, parts, "shape [2^31, 2^31] (huge)", p -> p.entry(first).set("shape",
                n.arrayNode().add(1L << 31).add(1L << 31)));
        header(sample, parts, "shape whose product overflows", p -> p.entry(first).set("shape",
                n.arrayNode().add(Long.MAX_VALUE).add(4)));
        header(sample, parts, "shape [-1, 64]", p -> p.entry(first).set("shape", n.arrayNode().add(-1).add(64)));
        header(sample, parts, "shape 1e300", p -> p.entry(first).set("shape", n.arrayNode().add(1e300)));
        header(sample, parts, "shape not a list", p -> p.entry(first).put("shape", "64x64"));
        header(sample, parts, "shape of 10^5 dimensions", p -> {
            var dims = n.arrayNode();
            for (int i = 0; i < 100_000; i++) {
                dims.add(1);
            }
            p.entry(first).set("shape", dims);
        });
        header(sample, parts, "tensor entry is a string", p -> p.header().put(first, "F32"));
        header(sample, parts, "tensor missing", p -> p.header().remove(first));
        header(sample, parts, "unknown tensor added", p -> p.header().set("zzz.weight", p.entry(first).deepCopy()));
        header(sample, parts, "__metadata__ a list", p -> p.header().set("__metadata__", n.arrayNode().add(1)));
        header(sample, parts, "__metadata__ value a number", p -> p.header().set("__metadata__",
                n.objectNode().put("format", 1)));
        header(sample, parts, "a 1 MiB tensor name", p -> p.header().set("x".repeat(1 << 20), p.entry(first).deepCopy()));
        rawHeader(sample, parts, "header is a list", "[]".getBytes(StandardCharsets.UTF_8));
        rawHeader(sample, parts, "header is null", "null".getBytes(StandardCharsets.UTF_8));
        rawHeader(sample, parts, "header blank", "        ".getBytes(StandardCharsets.UTF_8));
        rawHeader(sample, parts, "header nested 10^5 deep", Mutations.deepObject("a", 100_000));
        rawHeader(sample, parts, "header with text after the object", (parts.header() + "{}").getBytes(
                StandardCharsets.UTF_8));
        rawHeader(sample, parts, "duplicate tensor key", Mutations.duplicateKey(
                parts.header().toString().getBytes(StandardCharsets.UTF_8), first));
        byte[] nonUtf8 = parts.header().toString().getBytes(StandardCharsets.UTF_8);
        nonUtf8[nonUtf8.length / 2] = (byte) 0xC3; // a lead byte followed by ASCII
        rawHeader(sample, parts, "non-UTF-8 byte in the header", nonUtf8);
        byte[] latin = parts.header().toString().replace(first, first + "\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        rawHeader(sample, parts, "non-UTF-8 tensor name (Latin-1)", latin);
    }

    private interface HeaderEdit {
        void apply(SafeTensorsParts parts);
    }

    private void header(Path sample, SafeTensorsParts parts, String mutation, HeaderEdit edit) throws IOException {
        SafeTensorsParts copy = parts.copy();
        edit.apply(copy);
        weights(sample, mutation, copy.bytes());
    }

    private void rawHeader(Path sample, SafeTensorsParts parts, String mutation, byte[] header) throws IOException {
        weights(sample, mutation, Mutations.withHeader(header, parts.data()));
    }

    private static void bump(ObjectNode entry, int axis, long by) {
        var shape = (com.fasterxml.jackson.databind.node.ArrayNode) entry.get("shape");
        shape.set(axis, JsonNodeFactory.instance.numberNode(shape.get(axis).asLong() + by));
    }

    private static void shiftAll(SafeTensorsParts p, long by) {
        boolean first = true;
        for (String name : p.tensors()) {
            var offsets = (com.fasterxml.jackson.databind.node.ArrayNode) p.entry(name).get("data_offsets");
            long begin = offsets.get(0).asLong() + (first ? 0 : by);
            long end = offsets.get(1).asLong() + by;
            offsets.set(0, JsonNodeFactory.instance.numberNode(begin));
            offsets.set(1, JsonNodeFactory.instance.numberNode(end));
            first = false;
        }
    }

    /** A model folder: the mutated weights beside links to the sample's config and tokenizer. */
    private void weights(Path sample, String mutation, byte[] weights) throws IOException {
        Path folder = folder(Kind.SAFETENSORS);
        Files.createSymbolicLink(folder.resolve("config.json"), sample.resolve("config.json").toAbsolutePath());
        Files.createSymbolicLink(folder.resolve("tokenizer.json"), sample.resolve("tokenizer.json").toAbsolutePath());
        Files.write(folder.resolve("model.safetensors"), weights);
        cases.add(new Case(Kind.SAFETENSORS, SAFETENSORS_SAMPLE + ": " + mutation, folder));
    }

    // ---- config.json ----

    private void config(String model) throws IOException {
        Path sample = samples.resolve(model);
        byte[] json = read(sample.resolve("config.json"));
        for (int i = 1; i <= 6; i++) {
            int at = json.length * i / 7;
            config(sample, "truncated to " + at + " bytes", Mutations.truncate(json, at));
        }
        for (int i = 0; i < 6; i++) {
            long bit = random.nextInt(json.length * 8);
            config(sample, "bit " + bit + " flipped", Mutations.flipBit(json, bit));
        }
        JsonNodeFactory n = JsonNodeFactory.instance;
        List<JsonNode> wrong = List.of(n.textNode("12"), n.arrayNode(), n.numberNode(-1), n.numberNode(0),
                n.numberNode(1e30), n.numberNode(2.5), n.nullNode());
        for (Iterator<String> keys = Mutations.topLevelKeys(json); keys.hasNext(); ) {
            String key = keys.next();
            if (key.equals("architectures") || key.endsWith("pdrop") || key.equals("torch_dtype")
                    || key.equals("dropout_rate") || key.equals("attention_dropout")) {
                continue; // ignored by the reader: a change there is not a malformed file
            }
            config(sample, "'" + key + "' removed", Mutations.remove(json, key));
            JsonNode value = wrong.get(Math.floorMod(key.hashCode(), wrong.size()));
            config(sample, "'" + key + "' set to " + value, Mutations.replace(json, key, value));
        }
        config(sample, "model_type unknown", Mutations.replace(json, "model_type", n.textNode("mamba")));
        config(sample, "a huge string (2 MiB) as model_type", Mutations.hugeString(json, "model_type", 2 << 20));
        config(sample, "nested 10^5 deep", Mutations.deepNesting(100_000));
        config(sample, "an object nested 10^5 deep under model_type", Mutations.deepObject("model_type", 100_000));
        config(sample, "a list instead of an object", "[1, 2, 3]".getBytes(StandardCharsets.UTF_8));
        config(sample, "empty file", new byte[0]);
    }

    private void config(Path sample, String mutation, byte[] json) throws IOException {
        Path folder = folder(Kind.CONFIG);
        Files.write(folder.resolve("config.json"), json);
        Files.createSymbolicLink(folder.resolve("model.safetensors"), sample.resolve("model.safetensors").toAbsolutePath());
        Files.createSymbolicLink(folder.resolve("tokenizer.json"), sample.resolve("tokenizer.json").toAbsolutePath());
        cases.add(new Case(Kind.CONFIG, sample.getFileName() + ": " + mutation, folder));
    }

    // ---- tokenizer.json ----

    private void tokenizer(byte[] json, String source) throws IOException {
        for (int i = 1; i <= 8; i++) {
            int at = json.length * i / 9;
            file(Kind.TOKENIZER, source + ": truncated to " + at + " bytes", "tokenizer.json", Mutations.truncate(json, at));
        }
        for (int i = 0; i < 10; i++) {
            long bit = random.nextInt(json.length * 8);
            file(Kind.TOKENIZER, source + ": bit " + bit + " flipped", "tokenizer.json", Mutations.flipBit(json, bit));
        }
        JsonNodeFactory n = JsonNodeFactory.instance;
        String[][] edits = {
            {"model.type", "\"NoSuchModel\""}, {"model.type", "7"}, {"model.vocab", "\"abc\""}, {"model.vocab", "[1, 2]"},
            {"model", "null"}, {"model", "[]"}, {"added_tokens", "{}"}, {"added_tokens", "[{\"id\": \"x\"}]"},
            {"added_tokens", "[{\"id\": -5, \"content\": \"<x>\", \"special\": true}]"},
            {"added_tokens", "[{\"id\": 9223372036854775807, \"content\": \"<x>\", \"special\": true}]"},
            {"pre_tokenizer", "{\"type\": \"NoSuchPreTokenizer\"}"}, {"pre_tokenizer", "7"},
            {"decoder", "{\"type\": 1}"}, {"normalizer", "[1]"}, {"post_processor", "{\"type\": \"TemplateProcessing\"}"},
            {"truncation", "{\"max_length\": -1}"}, {"padding", "\"yes\""}, {"version", "[]"},
        };
        for (String[] e : edits) {
            file(Kind.TOKENIZER, source + ": '" + e[0] + "' set to " + e[1], "tokenizer.json",
                    Mutations.replace(json, e[0], Mutations.node(e[1])));
        }
        file(Kind.TOKENIZER, source + ": 'model' removed", "tokenizer.json", Mutations.remove(json, "model"));
        file(Kind.TOKENIZER, source + ": a negative id in the vocabulary", "tokenizer.json", vocabEntry(json, n.numberNode(-3)));
        file(Kind.TOKENIZER, source + ": an id of 2^40 in the vocabulary", "tokenizer.json",
                vocabEntry(json, n.numberNode(1L << 40)));
        file(Kind.TOKENIZER, source + ": a text id in the vocabulary", "tokenizer.json", vocabEntry(json, n.textNode("4")));
        file(Kind.TOKENIZER, source + ": a huge string (2 MiB) as model.type", "tokenizer.json",
                Mutations.hugeString(json, "model.type", 2 << 20));
        file(Kind.TOKENIZER, source + ": nested 10^5 deep", "tokenizer.json", Mutations.deepNesting(100_000));
        file(Kind.TOKENIZER, source + ": an object nested 10^5 deep under model", "tokenizer.json",
                Mutations.deepObject("model", 100_000));
        file(Kind.TOKENIZER, source + ": empty file", "tokenizer.json", new byte[0]);
        file(Kind.TOKENIZER, source + ": not UTF-8", "tokenizer.json", Mutations.setByte(json, json.length / 2, (byte) 0xFF));
    }

    /** The tokenizer with its vocabulary's first entry set to {@code id}. */
    private static byte[] vocabEntry(byte[] json, JsonNode id) {
        JsonNode vocab = Mutations.node(new String(json, StandardCharsets.UTF_8)).path("model").path("vocab");
        if (vocab.isObject() && vocab.fieldNames().hasNext()) {
            return Mutations.replace(json, "model.vocab." + vocab.fieldNames().next(), id);
        }
        return Mutations.replace(json, "model.vocab", id);
    }

    // ---- .npy ----

    private void npy(byte[] file, String source) throws IOException {
        for (int at = 0; at < file.length; at += 9) {
            file(Kind.NPY, source + ": truncated to " + at + " bytes", source, Mutations.truncate(file, at));
        }
        for (int i = 0; i < 24; i++) {
            long bit = random.nextInt(Math.min(file.length, 128) * 8);
            file(Kind.NPY, source + ": bit " + bit + " flipped", source, Mutations.flipBit(file, bit));
        }
        file(Kind.NPY, source + ": version 9.0", source, Mutations.setByte(file, 6, (byte) 9));
        file(Kind.NPY, source + ": version 2.0 (header length read as 4 bytes)", source, Mutations.setByte(file, 6, (byte) 2));
        file(Kind.NPY, source + ": header length 0xFFFF", source, Mutations.setByte(Mutations.setByte(file, 8, (byte) 0xFF),
                9, (byte) 0xFF));
        file(Kind.NPY, source + ": header length 0", source, Mutations.setByte(Mutations.setByte(file, 8, (byte) 0), 9,
                (byte) 0));
        String header = new String(file, 10, headerLength(file), StandardCharsets.ISO_8859_1);
        String shape = header.substring(header.indexOf("'shape': ("), header.indexOf(')', header.indexOf("'shape'")) + 1);
        String[] lies = {"'shape': (99, 99)", "'shape': (1,)", "'shape': ()", "'shape': (-6,)", "'shape': (0,)",
            "'shape': (9223372036854775807, 2)", "'shape': (4294967296, 4294967296)", "'shape': (x, 3)",
            "'shape': (2, 3, 1, 1, 1, 1, 1, 0)", "'shape': (3, 2)"};
        for (String lie : lies) {
            file(Kind.NPY, source + ": shape lie " + lie, source, headerEdit(file, header, shape, lie));
        }
        String descr = header.substring(header.indexOf("'descr'"), header.indexOf(',', header.indexOf("'descr'")));
        for (String d : new String[] {"'descr': '<f8'", "'descr': '>f4'", "'descr': '|O'", "'descr': ''"}) {
            file(Kind.NPY, source + ": dtype " + d, source, headerEdit(file, header, descr, d));
        }
        file(Kind.NPY, source + ": Fortran order", source, headerEdit(file, header, "False", "True"));
        file(Kind.NPY, source + ": not a dict", source, headerEdit(file, header, "{", "["));
        file(Kind.NPY, source + ": shape key missing", source, headerEdit(file, header, "'shape'", "'shope'"));
        file(Kind.NPY, source + ": 1 MiB of data appended", source, concat(file, new byte[1 << 20]));
    }

    private static int headerLength(byte[] npy) {
        return (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
    }

    /** The .npy with one piece of its header dict replaced, the header length fixed up to match. */
    private static byte[] headerEdit(byte[] file, String header, String from, String to) {
        byte[] text = header.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
        int oldLength = headerLength(file);
        byte[] out = new byte[10 + text.length + file.length - 10 - oldLength];
        System.arraycopy(file, 0, out, 0, 8);
        out[8] = (byte) text.length;
        out[9] = (byte) (text.length >>> 8);
        System.arraycopy(text, 0, out, 10, text.length);
        System.arraycopy(file, 10 + oldLength, out, 10 + text.length, file.length - 10 - oldLength);
        return out;
    }

    // ---- .onnx ----

    private void onnx(byte[] file) throws IOException {
        for (int at = 0; at < file.length; at += 6) {
            file(Kind.ONNX, "seed.onnx: truncated to " + at + " bytes", "model.onnx", Mutations.truncate(file, at));
        }
        for (int i = 0; i < 40; i++) {
            long bit = random.nextInt(file.length * 8);
            file(Kind.ONNX, "seed.onnx: bit " + bit + " flipped", "model.onnx", Mutations.flipBit(file, bit));
        }
        for (int i = 0; i < 12; i++) {
            int at = random.nextInt(file.length);
            file(Kind.ONNX, "seed.onnx: byte " + at + " set to 0xFF (a length or tag gone wild)", "model.onnx",
                    Mutations.setByte(file, at, (byte) 0xFF));
        }
        file(Kind.ONNX, "seed.onnx: 10 bytes of 0xFF appended (a varint that never ends)", "model.onnx",
                concat(file, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}));
    }

    /** A one-layer BERT the importer accepts: truncations and bit flips reach its placement and geometry checks. */
    private void tinyBert(byte[] file) throws IOException {
        for (int i = 1; i <= 24; i++) {
            int at = file.length * i / 25;
            file(Kind.ONNX, "tiny-bert.onnx: truncated to " + at + " bytes", "tiny-bert.onnx", Mutations.truncate(file, at));
        }
        for (int i = 0; i < 24; i++) {
            long bit = random.nextInt(file.length * 8);
            file(Kind.ONNX, "tiny-bert.onnx: bit " + bit + " flipped", "tiny-bert.onnx", Mutations.flipBit(file, bit));
        }
    }

    // ---- files ----

    private void file(Kind kind, String mutation, String name, byte[] bytes) throws IOException {
        Path file = folder(kind).resolve(name);
        Files.write(file, bytes);
        cases.add(new Case(kind, mutation, file));
    }

    private Path folder(Kind kind) throws IOException {
        return Files.createDirectories(out.resolve(kind.name().toLowerCase() + "-" + String.format("%04d", serial++)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample " + file + " (the fuzz corpus mutates the bundled"
                    + " samples of sample-models/)", e);
        }
    }
}
