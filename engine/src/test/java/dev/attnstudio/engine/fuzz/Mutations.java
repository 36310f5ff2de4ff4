package dev.attnstudio.engine.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Ways to break a valid file: byte-level (truncation, bit flips, bytes overwritten) and structural edits of JSON text
 * (deep nesting, huge strings, wrong types, missing keys) and of a safetensors header. Each returns new bytes and
 * leaves its input alone. Shared by the fuzz corpus and the property tests.
 */
public final class Mutations {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Mutations() {
    }

    /** The first {@code length} bytes. */
    public static byte[] truncate(byte[] in, int length) {
        return Arrays.copyOf(in, Math.max(0, Math.min(length, in.length)));
    }

    /** One bit inverted: bit {@code bit % 8} of byte {@code bit / 8} (taken modulo the file's bits). */
    public static byte[] flipBit(byte[] in, long bit) {
        byte[] out = in.clone();
        if (out.length == 0) {
            return out;
        }
        long b = Math.floorMod(bit, (long) out.length * 8);
        out[(int) (b / 8)] ^= (byte) (1 << (b % 8));
        return out;
    }

    /** The byte at {@code offset} (modulo the length) replaced by {@code value}. */
    public static byte[] setByte(byte[] in, int offset, byte value) {
        byte[] out = in.clone();
        if (out.length > 0) {
            out[Math.floorMod(offset, out.length)] = value;
        }
        return out;
    }

    /** {@code depth} nested arrays: {@code [[[...]]]}, the classic stack exhauster. */
    public static byte[] deepNesting(int depth) {
        byte[] out = new byte[2 * depth];
        Arrays.fill(out, 0, depth, (byte) '[');
        Arrays.fill(out, depth, 2 * depth, (byte) ']');
        return out;
    }

    /** A JSON object whose {@code key} holds {@code depth} nested objects ({@code {"a":{"a":...}}}). */
    public static byte[] deepObject(String key, int depth) {
        StringBuilder s = new StringBuilder(depth * 8 + 16).append('{');
        for (int i = 0; i < depth; i++) {
            s.append('"').append(key).append("\":{");
        }
        s.append("}".repeat(depth)).append('}');
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The document with {@code value} of {@code length} characters spliced in for the value at {@code path}. */
    public static byte[] hugeString(byte[] json, String path, int length) {
        return edit(json, path, (parent, field) -> put(parent, field, JSON.getNodeFactory().textNode("x".repeat(length))));
    }

    /** The value at {@code path} (dot-separated, array indices as numbers) replaced by {@code replacement}. */
    public static byte[] replace(byte[] json, String path, JsonNode replacement) {
        return edit(json, path, (parent, field) -> put(parent, field, replacement));
    }

    /** The member at {@code path} removed. */
    public static byte[] remove(byte[] json, String path) {
        return edit(json, path, (parent, field) -> {
            if (parent instanceof ObjectNode o) {
                o.remove(field);
            } else if (parent instanceof ArrayNode a) {
                a.remove(Integer.parseInt(field));
            }
        });
    }

    /** The top-level members of a JSON object, in order. */
    public static Iterator<String> topLevelKeys(byte[] json) {
        return read(json).fieldNames();
    }

    /** Text with one member of the top-level object given twice ({@code "k": v} appended as written). */
    public static byte[] duplicateKey(byte[] json, String key) {
        String text = new String(json, StandardCharsets.UTF_8).strip();
        JsonNode value = read(json).get(key);
        String dup = ",\"" + key + "\":" + value;
        return (text.substring(0, text.length() - 1) + dup + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON node from text (a test value). */
    public static JsonNode node(String json) {
        return read(json.getBytes(StandardCharsets.UTF_8));
    }

    // ---- safetensors ----

    /** A safetensors file split into its header JSON and its data bytes. */
    public record SafeTensorsParts(ObjectNode header, byte[] data) {

        public static SafeTensorsParts of(byte[] file) {
            long length = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] header = Arrays.copyOfRange(file, 8, 8 + (int) length);
            return new SafeTensorsParts((ObjectNode) read(header), Arrays.copyOfRange(file, 8 + (int) length, file.length));
        }

        /** The file again, with a fresh header length. */
        public byte[] bytes() {
            return withHeader(header.toString().getBytes(StandardCharsets.UTF_8), data);
        }

        /** A copy whose header can be edited. */
        public SafeTensorsParts copy() {
            return new SafeTensorsParts(header.deepCopy(), data);
        }

        /** The names of the tensors (not {@code __metadata__}), in header order. */
        public java.util.List<String> tensors() {
            java.util.List<String> names = new java.util.ArrayList<>();
            header.fieldNames().forEachRemaining(n -> {
                if (!n.equals("__metadata__")) {
                    names.add(n);
                }
            });
            return names;
        }

        public ObjectNode entry(String name) {
            return (ObjectNode) header.get(name);
        }
    }

    /** An 8-byte little-endian header length, the header bytes as given, then the data. */
    public static byte[] withHeader(byte[] header, byte[] data) {
        return withHeaderLength(header.length, header, data);
    }

    /** Like {@link #withHeader} but the length field says {@code declared}, whatever the header's real length. */
    public static byte[] withHeaderLength(long declared, byte[] header, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(declared).put(header).put(data);
        return out.array();
    }

    // ---- helpers ----

    @FunctionalInterface
    private interface Edit {
        void apply(JsonNode parent, String field);
    }

    private static byte[] edit(byte[] json, String path, Edit edit) {
        JsonNode root = read(json);
        String[] parts = path.split("\\.");
        JsonNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(parts[i])) : parent.get(parts[i]);
            if (parent == null) {
                throw new IllegalArgumentException("no " + path + " in the seed");
            }
        }
        edit.apply(parent, parts[parts.length - 1]);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void put(JsonNode parent, String field, JsonNode value) {
        if (parent instanceof ObjectNode o) {
            o.set(field, value);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(field), value);
        }
    }

    private static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("seed is not JSON: " + e.getMessage(), e);
        }
    }

    /** Entries of an object, for tests that edit every member. */
    static Iterator<Map.Entry<String, JsonNode>> members(JsonNode object) {
        return object.fields();
    }
}
