package dev.attnstudio.engine.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks a safetensors header: the 8-byte little-endian length {@code N}, then {@code N} bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets from the start
 * of the data region), plus an optional {@code "__metadata__"} object of text. Every problem is a
 * {@link ModelFormatException} naming the file, the tensor and what is wrong.
 */
final class SafeTensorsHeader {

    /** The key of the optional string-to-string metadata object in the header. */
    static final String METADATA_KEY = "__metadata__";
    /** Size of the header length prefix. */
    static final int PREFIX = 8;
    /** Header size limit (the reference implementation's limit too): a larger header is not a real model. */
    private static final long MAX_HEADER = 100L * 1000 * 1000;

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /** A tensor's header entry with where its bytes are, relative to the data region. */
    record Entry(SafeTensors.Info info, long begin, long length) {
    }

    /**
     * A checked header.
     *
     * @param dataStart absolute file position of the data region
     * @param entries   the tensors in header order
     * @param metadata  the {@code __metadata__} entries in header order
     */
    record Parsed(long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
    }

    private SafeTensorsHeader() {
    }

    /** Reads and checks the header of an open file. */
    static Parsed read(Path file, FileChannel channel) {
        long size;
        byte[] headerBytes;
        long headerLength;
        try {
            size = channel.size();
            if (size < PREFIX) {
                throw new ModelFormatException(file, "the file is only " + size + " bytes long; a safetensors file"
                        + " starts with an 8-byte header length, so it needs at least 8 bytes");
            }
            ByteBuffer prefix = ByteBuffer.allocate(PREFIX).order(ByteOrder.LITTLE_ENDIAN);
            SafeTensors.readFully(channel, prefix, 0);
            headerLength = prefix.getLong(0);
            long room = size - PREFIX;
            // An unsigned length of 2^63 or more reads as negative here; it is beyond any file either way.
            if (headerLength < 0 || headerLength > room) {
                throw new ModelFormatException(file, "the header length says " + Long.toUnsignedString(headerLength)
                        + " bytes, but the file is only " + size + " bytes long (at most " + room
                        + " bytes of header fit after the 8-byte length): the file is truncated or is not a"
                        + " safetensors file");
            }
            if (headerLength > MAX_HEADER) {
                throw new ModelFormatException(file, "the header is " + headerLength + " bytes long, more than the "
                        + MAX_HEADER + " bytes a safetensors header may have");
            }
            headerBytes = new byte[(int) headerLength];
            SafeTensors.readFully(channel, ByteBuffer.wrap(headerBytes), PREFIX);
        } catch (EOFException e) {
            throw new ModelFormatException(file, "the file ended while its header was being read", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "the file cannot be read (" + e.getMessage() + ")", e);
        }

        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file, "the header is not valid UTF-8 text, so this is not a"
                    + " safetensors file", e);
        }
        if (text.isBlank()) {
            throw new ModelFormatException(file, "the header is empty; it should be a JSON object describing"
                    + " the tensors");
        }
        JsonNode root;
        try (JsonParser parser = JSON.createParser(text)) {
            root = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw new ModelFormatException(file, "the header is not valid JSON (there is more text after its"
                        + " JSON object" + where(parser.currentTokenLocation()) + ")");
            }
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "the header is not valid JSON (" + e.getOriginalMessage()
                    + where(e.getLocation()) + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "the header cannot be parsed (" + e.getMessage() + ")", e);
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ModelFormatException(file, "the header is not a JSON object but " + describe(root)
                    + "; it should map tensor names to their dtype, shape and data_offsets");
        }

        long dataStart = PREFIX + headerLength;
        long dataLength = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                entries.put(field.getKey(), readEntry(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        return new Parsed(dataStart, entries, metadata);
    }

    static String where(JsonLocation at) {
        return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new ModelFormatException(file, "the header's __metadata__ should be a JSON object of text"
                    + " values, but it is " + describe(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(file, "the header's __metadata__ entry '" + e.getKey()
                        + "' should be text, but it is " + describe(e.getValue()));
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry readEntry(Path file, String name, JsonNode node, long dataLength) {
        String tensor = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new ModelFormatException(file, tensor + " should be a JSON object with dtype, shape and"
                    + " data_offsets, but it is " + describe(node));
        }
        List<String> missing = new ArrayList<>();
        for (String key : List.of("dtype", "shape", "data_offsets")) {
            if (!node.has(key) || node.get(key).isNull()) {
                missing.add("'" + key + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw new ModelFormatException(file, tensor + " is missing " + String.join(" and ", missing)
                    + " in the header");
        }

        JsonNode dtypeNode = node.get("dtype");
        if (!dtypeNode.isTextual()) {
            throw new ModelFormatException(file, tensor + " has a dtype that is not text: " + dtypeNode);
        }
        SafeTensors.DType dtype = parseDType(dtypeNode.textValue());
        if (dtype == null) {
            throw new ModelFormatException(file, tensor + " has dtype '" + dtypeNode.textValue()
                    + "', which is not supported; supported dtypes are " + supportedDTypes());
        }

        long[] shape = wholeNumbers(node.get("shape"), -1);
        if (shape == null) {
            throw new ModelFormatException(file, tensor + " has a shape that is not a list of whole numbers: "
                    + ModelFormatException.cut(String.valueOf(node.get("shape")), 80));
        }
        for (long d : shape) {
            if (d < 0) {
                throw new ModelFormatException(file, tensor + " has a negative dimension (" + d + ") in its shape "
                        + ModelFormatException.shape(shape));
            }
        }
        long elements;
        try {
            elements = SafeTensors.product(shape);
        } catch (ArithmeticException e) {
            elements = -1;
        }
        if (elements < 0 || elements > SafeTensors.MAX_ELEMENTS) {
            throw new ModelFormatException(file, tensor + " is too large: its shape " + ModelFormatException.shape(shape)
                    + " has " + (elements < 0 ? "more than 2^63" : String.valueOf(elements))
                    + " elements, and at most " + SafeTensors.MAX_ELEMENTS + " (2^31-1) elements per tensor are supported");
        }

        long[] offsets = wholeNumbers(node.get("data_offsets"), 2);
        if (offsets == null) {
            throw new ModelFormatException(file, tensor + " has data_offsets that are not two whole numbers"
                    + " [begin, end]: " + node.get("data_offsets"));
        }
        long begin = offsets[0];
        long end = offsets[1];
        String range = "data_offsets [" + begin + ", " + end + "]";
        if (begin < 0 || end < 0) {
            throw new ModelFormatException(file, tensor + " has " + range + " outside the data region: offsets"
                    + " cannot be negative");
        }
        if (end < begin) {
            throw new ModelFormatException(file, tensor + " has " + range + " whose end comes before its begin");
        }
        if (end > dataLength) {
            throw new ModelFormatException(file, tensor + " has " + range + " that reach past the end of the data"
                    + " region, which holds only " + dataLength + " bytes (is the file truncated?)");
        }
        long needed = elements * dtype.bytes();
        if (end - begin != needed) {
            throw new ModelFormatException(file, tensor + " holds " + (end - begin) + " bytes (" + range
                    + "), but its shape " + ModelFormatException.shape(shape) + " in " + dtype + " needs " + elements + " × "
                    + dtype.bytes() + " = " + needed + " bytes");
        }
        return new Entry(new SafeTensors.Info(name, dtype, shape), begin, needed);
    }

    /** The array's integral values, or null if it is not an array of integers fitting in a long (of that size). */
    private static long[] wholeNumbers(JsonNode node, int requiredSize) {
        if (!node.isArray() || (requiredSize >= 0 && node.size() != requiredSize)) {
            return null;
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                return null;
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static SafeTensors.DType parseDType(String name) {
        for (SafeTensors.DType t : SafeTensors.DType.values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static String supportedDTypes() {
        StringBuilder sb = new StringBuilder();
        for (SafeTensors.DType t : SafeTensors.DType.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.name());
        }
        return sb.toString();
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        switch (node.getNodeType()) {
            case ARRAY:
                return "a JSON array";
            case OBJECT:
                return "a JSON object";
            case STRING:
                return "the text " + node;
            case NUMBER:
                return "the number " + node;
            case BOOLEAN:
                return "the value " + node;
            case NULL:
                return "null";
            default:
                return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        }
    }

}
