package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes <a href="https://huggingface.co/docs/safetensors">safetensors</a> files holding float32,
 * float16 and bfloat16 tensors.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}, then {@code N} bytes of UTF-8 JSON, then
 * the data region. The JSON maps each tensor name to
 * {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}}, with offsets counted from the start of
 * the data region, plus an optional {@code "__metadata__"} object of string to string. Values are little-endian
 * and row-major.
 *
 * <p>{@link #open(Path)} reads and checks the whole header at once, so a damaged file is reported before any
 * tensor is used, but it reads no tensor data: each tensor is read from disk when asked for, so a large model
 * costs only the memory of the tensors in use. The file stays open until {@link #close()}. Float16 and bfloat16
 * values are widened to float32 in Java; nothing in half precision is ever handed to DJL (a bfloat16 buffer
 * aborts the JVM in DJL's PyTorch engine).
 *
 * <p>Every problem with a file is a {@link ModelFormatException} whose message names the file and the problem.
 * An open instance may be read from several threads at once.
 */
public final class SafeTensors implements AutoCloseable {

    /** The largest number of elements a tensor may have: a Java array holds at most 2^31-1 values. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    /** The key of the optional string-to-string metadata object in the header. */
    private static final String METADATA_KEY = "__metadata__";
    /** Size of the header length prefix. */
    private static final int PREFIX = 8;
    /** Header size limit (the reference implementation's limit too): a larger header is not a real model. */
    private static final long MAX_HEADER = 100L * 1000 * 1000;
    /** I/O chunk size in bytes; a multiple of every element size. */
    private static final int CHUNK = 1 << 20;

    /** Names temporary files. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /** float32 value of every float16 bit pattern, indexed by the unsigned 16 bits. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = halfToFloat((short) h);
        }
    }

    /** The element types this class reads and writes; other safetensors dtypes are rejected by name. */
    public enum DType {
        /** IEEE 754 single precision. */
        F32(4),
        /** IEEE 754 half precision: 1 sign, 5 exponent, 10 fraction bits. */
        F16(2),
        /** bfloat16: the upper 16 bits of a float32 (1 sign, 8 exponent, 7 fraction bits). */
        BF16(2);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /**
         * Returns the size of one element in the file.
         *
         * @return bytes per element: 4 for F32, 2 for F16 and BF16
         */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * What the header says about one tensor.
     *
     * @param name  the tensor's name
     * @param dtype how its elements are stored
     * @param shape its dimensions, outermost first ({@code []} for a scalar); the array is copied in and out
     */
    public record Info(String name, DType dtype, long[] shape) {

        /** Checks the fields and copies the shape. */
        public Info {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            shape = checkedShape(shape);
        }

        /**
         * Returns a copy of the shape.
         *
         * @return the dimensions, outermost first
         */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /**
         * Returns the number of elements: the product of the dimensions (1 for a scalar).
         *
         * @return the element count
         * @throws ArithmeticException if the product does not fit in a {@code long}
         */
        public long elements() {
            return product(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Info other && name.equals(other.name) && dtype == other.dtype
                    && Arrays.equals(shape, other.shape);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape));
        }

        @Override
        public String toString() {
            return "Info[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
        }
    }

    /**
     * A tensor to write: float32 values, its shape, and the dtype to store it as.
     *
     * <p>The values array is shared, not copied (tensors can be hundreds of megabytes); the shape is copied.
     *
     * @param values row-major values; their count must equal the product of the shape
     * @param shape  the dimensions, outermost first ({@code []} for a scalar)
     * @param dtype  how to store the values: F16 and BF16 round to nearest, ties to even
     */
    public record Tensor(float[] values, long[] shape, DType dtype) {

        /**
         * Checks that the values fit the shape.
         *
         * @throws IllegalArgumentException if a dimension is negative or the value count differs from the shape's
         */
        public Tensor {
            Objects.requireNonNull(values, "values");
            Objects.requireNonNull(dtype, "dtype");
            shape = checkedShape(shape);
            long expected;
            try {
                expected = product(shape);
            } catch (ArithmeticException e) {
                expected = -1;
            }
            if (expected != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                        + (expected < 0 ? "more than 2^63" : String.valueOf(expected)) + " values but "
                        + values.length + " were given");
            }
        }

        /**
         * Returns a copy of the shape.
         *
         * @return the dimensions, outermost first
         */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor other && dtype == other.dtype && Arrays.equals(shape, other.shape)
                    && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(values));
        }

        @Override
        public String toString() {
            return "Tensor[" + dtype + ", " + Arrays.toString(shape) + "]";
        }
    }

    /** A tensor's header entry with where its bytes are, relative to the data region. */
    private record Entry(Info info, long begin, long length) {
    }

    private final Path file;
    private final FileChannel channel;
    /** Absolute file position of the data region. */
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final List<String> names;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                        Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.names = List.copyOf(entries.keySet());
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens a safetensors file and checks its whole header; no tensor data is read yet.
     *
     * @param file the file to open
     * @return the open file; close it when done
     * @throws ModelFormatException if the file cannot be opened or its header is damaged or inconsistent
     */
    public static SafeTensors open(Path file) {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file, "this is a folder, not a safetensors file");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "the file does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ModelFormatException(file, "permission to read the file was denied", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "the file cannot be opened (" + e.getMessage() + ")", e);
        }
        try {
            return readHeader(file, channel);
        } catch (RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static SafeTensors readHeader(Path file, FileChannel channel) {
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
            readFully(channel, prefix, 0);
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
            readFully(channel, ByteBuffer.wrap(headerBytes), PREFIX);
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
        return new SafeTensors(file, channel, dataStart, entries, metadata);
    }

    private static String where(JsonLocation at) {
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
        DType dtype = parseDType(dtypeNode.textValue());
        if (dtype == null) {
            throw new ModelFormatException(file, tensor + " has dtype '" + dtypeNode.textValue()
                    + "', which is not supported; supported dtypes are " + supportedDTypes());
        }

        long[] shape = wholeNumbers(node.get("shape"), -1);
        if (shape == null) {
            throw new ModelFormatException(file, tensor + " has a shape that is not a list of whole numbers: "
                    + node.get("shape"));
        }
        for (long d : shape) {
            if (d < 0) {
                throw new ModelFormatException(file, tensor + " has a negative dimension (" + d + ") in its shape "
                        + Arrays.toString(shape));
            }
        }
        long elements;
        try {
            elements = product(shape);
        } catch (ArithmeticException e) {
            elements = -1;
        }
        if (elements < 0 || elements > MAX_ELEMENTS) {
            throw new ModelFormatException(file, tensor + " is too large: its shape " + Arrays.toString(shape)
                    + " has " + (elements < 0 ? "more than 2^63" : String.valueOf(elements))
                    + " elements, and at most " + MAX_ELEMENTS + " (2^31-1) elements per tensor are supported");
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
                    + "), but its shape " + Arrays.toString(shape) + " in " + dtype + " needs " + elements + " × "
                    + dtype.bytes() + " = " + needed + " bytes");
        }
        return new Entry(new Info(name, dtype, shape), begin, needed);
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

    private static DType parseDType(String name) {
        for (DType t : DType.values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static String supportedDTypes() {
        StringBuilder sb = new StringBuilder();
        for (DType t : DType.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.name());
        }
        return sb.toString();
    }

    private static String describe(JsonNode node) {
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

    /**
     * Returns the file this was opened from.
     *
     * @return the path given to {@link #open(Path)}
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the tensor names in the order of the header, without {@code __metadata__}.
     *
     * @return an unmodifiable list of names
     */
    public List<String> names() {
        return names;
    }

    /**
     * Tells whether the file has a tensor of this name.
     *
     * @param name a tensor name
     * @return true if the header lists it ({@code __metadata__} is not a tensor)
     */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * Returns the header's description of a tensor.
     *
     * @param name a tensor name
     * @return its dtype and shape
     * @throws ModelFormatException if there is no tensor of that name
     */
    public Info info(String name) {
        return entry(name).info();
    }

    /**
     * Returns the header's {@code __metadata__}, in header order.
     *
     * @return an unmodifiable map, empty when the file has none
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads a tensor from disk as float32 values, row-major. F16 and BF16 values are widened exactly (every
     * half and bfloat16 value, including subnormals, infinities and NaN, has an exact float32 equivalent).
     *
     * @param name a tensor name
     * @return a new array of {@code info(name).elements()} values
     * @throws ModelFormatException  if there is no such tensor or its bytes cannot be read
     * @throws IllegalStateException if this file has been closed
     */
    public float[] readFloats(String name) {
        Entry entry = entry(name);
        ensureOpen();
        DType dtype = entry.info().dtype();
        float[] out = new float[(int) entry.info().elements()];
        long position = dataStart + entry.begin();
        long remaining = entry.length();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, remaining)).order(ByteOrder.LITTLE_ENDIAN);
        int filled = 0;
        try {
            while (remaining > 0) {
                int take = (int) Math.min(buffer.capacity(), remaining);
                buffer.clear().limit(take);
                readFully(channel, buffer, position);
                buffer.flip();
                int count = take / dtype.bytes();
                switch (dtype) {
                    case F32 -> buffer.asFloatBuffer().get(out, filled, count);
                    case F16 -> {
                        for (int i = 0; i < count; i++) {
                            out[filled + i] = HALF_TO_FLOAT[buffer.getShort() & 0xFFFF];
                        }
                    }
                    case BF16 -> {
                        for (int i = 0; i < count; i++) {
                            out[filled + i] = Float.intBitsToFloat((buffer.getShort() & 0xFFFF) << 16);
                        }
                    }
                    default -> throw new AssertionError(dtype);
                }
                filled += count;
                position += take;
                remaining -= take;
            }
        } catch (ClosedChannelException e) {
            throw new IllegalStateException(file + " was closed while tensor '" + name + "' was being read", e);
        } catch (EOFException e) {
            throw new ModelFormatException(file, "the file ended while tensor '" + name + "' was being read;"
                    + " was it changed on disk after it was opened?", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "tensor '" + name + "' cannot be read (" + e.getMessage() + ")",
                    e);
        }
        return out;
    }

    /**
     * Reads a tensor into a float32 NDArray of its shape. The values are widened to float32 in Java first
     * ({@link #readFloats(String)}), so DJL only ever receives a float32 buffer.
     *
     * @param name    a tensor name
     * @param manager the manager that will own the array
     * @return a float32 array of {@code info(name).shape()}
     * @throws ModelFormatException  if there is no such tensor or its bytes cannot be read
     * @throws IllegalStateException if this file has been closed
     */
    public NDArray load(String name, NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        Info info = info(name);
        float[] values = readFloats(name);
        return manager.create(FloatBuffer.wrap(values), new Shape(info.shape()), DataType.FLOAT32);
    }

    /** Closes the file. Reading afterwards throws {@link IllegalStateException}; closing twice does nothing. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // A read-only channel has nothing to flush; there is nothing useful to report.
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ModelFormatException(file, "no tensor named '" + name + "' (the file has " + entries.size()
                    + " tensor" + (entries.size() == 1 ? "" : "s") + ")");
        }
        return e;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
    }

    /**
     * Writes tensors to a safetensors file, in the map's iteration order, with optional metadata.
     *
     * <p>The header is padded with spaces to a multiple of 8 bytes so the data region is aligned, as the
     * reference implementation does. The write is atomic: everything goes to a temporary file in the same folder,
     * which is synced and then moved over {@code file} with {@link StandardCopyOption#ATOMIC_MOVE}, so a reader
     * sees either the old file or the complete new one. The temporary file is removed if anything fails.
     *
     * @param file     where to write; an existing file is replaced
     * @param tensors  name to tensor; no name may be {@code __metadata__}
     * @param metadata text to store under {@code __metadata__}; null or empty for none
     * @throws IOException              if writing or moving fails (including when the file system cannot move
     *                                  atomically)
     * @throws IllegalArgumentException if a name is null or {@code __metadata__}, or a tensor or metadata entry
     *                                  is null
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());

        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + e);
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null) {
                throw new IllegalArgumentException("a tensor name is null");
            }
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            }
            if (t == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is null");
            }
            long length = (long) t.values().length * t.dtype().bytes();
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int paddedLength = (json.length + 7) & ~7;

        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Path temp = folder.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        boolean moved = false;
        // CREATE_NEW (not Files.createTempFile) so the file gets the usual permissions rather than owner-only.
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(paddedLength);
            writeFully(out, buffer.flip());
            ByteBuffer headerBuffer = ByteBuffer.allocate(paddedLength);
            headerBuffer.put(json);
            while (headerBuffer.hasRemaining()) {
                headerBuffer.put((byte) ' ');
            }
            writeFully(out, headerBuffer.flip());
            buffer.clear();
            for (Map.Entry<String, Tensor> e : order) {
                writeValues(out, buffer, e.getValue());
            }
            writeFully(out, buffer.flip());
            out.force(true);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }


    private static void writeValues(FileChannel out, ByteBuffer buffer, Tensor t) throws IOException {
        float[] values = t.values();
        DType dtype = t.dtype();
        for (float v : values) {
            if (buffer.remaining() < dtype.bytes()) {
                writeFully(out, buffer.flip());
                buffer.clear();
            }
            switch (dtype) {
                case F32 -> buffer.putInt(Float.floatToRawIntBits(v));
                case F16 -> buffer.putShort(floatToHalf(v));
                case BF16 -> buffer.putShort(floatToBf16(v));
                default -> throw new AssertionError(dtype);
            }
        }
    }

    private static void deleteQuietly(Path temp, Throwable failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException("end of file at byte " + at);
            }
            at += n;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            channel.write(from);
        }
    }

    private static long[] checkedShape(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        long[] copy = shape.clone();
        for (long d : copy) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + Arrays.toString(copy));
            }
        }
        return copy;
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    // ---- half precision conversions (package-private for the tests) ----

    /**
     * Converts IEEE 754 half-precision bits to float32, exactly: zeros keep their sign, subnormals become the
     * equal normal float32, infinities stay infinite, and NaN stays NaN with its payload shifted into place.
     */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0) {
            // Zero or subnormal: fraction × 2^-24, exact in float32.
            float magnitude = fraction * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (fraction << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
    }

    /**
     * Converts float32 to IEEE 754 half-precision bits, rounding to nearest with ties to even. Values beyond the
     * half range become infinity, values below half the smallest subnormal become a signed zero, NaN stays a
     * (quiet) NaN.
     */
    static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int fraction = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (fraction == 0 ? sign | 0x7C00 : sign | 0x7E00 | (fraction >>> 13));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            // Half subnormal (or zero): the value in units of 2^-24, from the 24-bit significand.
            if (e < -10) {
                return (short) sign; // below 2^-25: rounds to zero
            }
            int significand = fraction | 0x800000;
            int shift = 14 - e;                      // 14..24
            int result = significand >>> shift;
            int rest = significand & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (result & 1) != 0)) {
                result++;                            // may carry into the smallest normal, which is correct
            }
            return (short) (sign | result);
        }
        int result = (e << 10) | (fraction >>> 13);
        int rest = fraction & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (result & 1) != 0)) {
            result++;                                // may carry into the exponent, up to infinity: correct
        }
        return (short) (sign | result);
    }

    /** Converts float32 to bfloat16 bits: the top 16 bits, rounded to nearest with ties to even; NaN stays NaN. */
    static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
