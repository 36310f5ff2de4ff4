package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets}} plus an optional {@code __metadata__}), then the raw
 * little-endian data. The header is validated in full on open; tensors are read when asked for.
 */
public final class SafeTensors implements AutoCloseable {

    /** Stored element types this reader understands; everything is widened to float32 on read. */
    public enum DType {
        F32(4), F16(2), BF16(2);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** A tensor's header entry. */
    public record Info(String name, DType dtype, long[] shape) {
        public long elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    /** A tensor to write: float32 values, its shape, and the dtype to store it as. */
    public record Tensor(float[] values, long[] shape, DType dtype) {
    }

    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Info> infos;
    private final Map<String, long[]> offsets;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, Info> infos,
                        Map<String, long[]> offsets, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.infos = infos;
        this.offsets = offsets;
        this.metadata = metadata;
    }

    /** Opens a file and validates its whole header. */
    public static SafeTensors open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(file, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafeTensors parse(Path file, FileChannel channel) {
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        if (size < 8) {
            throw new ModelFormatException(file, "only " + size + " bytes long; a safetensors file starts with an 8-byte header length");
        }
        long headerLength = readAt(file, channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 0 || headerLength > size - 8) {
            throw new ModelFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " runs past the end of the file (" + size + " bytes): the file is truncated or not safetensors");
        }
        if (headerLength > MAX_HEADER) {
            throw new ModelFormatException(file, "header of " + headerLength + " bytes is implausibly large");
        }
        ByteBuffer headerBytes = readAt(file, channel, 8, (int) headerLength);
        JsonNode header;
        try {
            header = new ObjectMapper().readTree(StandardCharsets.UTF_8.decode(headerBytes).toString());
        } catch (IOException e) {
            throw new ModelFormatException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new ModelFormatException(file, "header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, Info> infos = new LinkedHashMap<>();
        Map<String, long[]> offsets = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode entry = e.getValue();
            if (name.equals("__metadata__")) {
                if (entry.isObject()) {
                    entry.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            infos.put(name, info(file, name, entry));
            offsets.put(name, dataOffsets(file, name, entry, infos.get(name), dataSize));
        }
        return new SafeTensors(file, channel, dataStart, Collections.unmodifiableMap(infos), offsets,
                Collections.unmodifiableMap(metadata));
    }

    private static Info info(Path file, String name, JsonNode entry) {
        if (!entry.isObject() || !entry.has("dtype") || !entry.has("shape") || !entry.has("data_offsets")) {
            throw new ModelFormatException(file, "tensor '" + name + "' needs dtype, shape and data_offsets");
        }
        String dtypeName = entry.get("dtype").asText();
        DType dtype;
        try {
            dtype = DType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "tensor '" + name + "' has dtype " + dtypeName
                    + ", which is not supported (supported: " + Arrays.toString(DType.values()) + ")");
        }
        JsonNode shapeNode = entry.get("shape");
        if (!shapeNode.isArray()) {
            throw new ModelFormatException(file, "tensor '" + name + "' has a shape that is not a list");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.isIntegralNumber() || dim.asLong() < 0) {
                throw new ModelFormatException(file, "tensor '" + name + "' has an invalid dimension " + dim);
            }
            shape[i] = dim.asLong();
            elements = Math.multiplyExact(elements, Math.max(shape[i], 1));
            if (shape[i] == 0) {
                elements = 0;
            }
        }
        if (elements > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "tensor '" + name + "' has " + elements
                    + " elements; tensors over 2^31-1 elements are too large to load");
        }
        return new Info(name, dtype, shape);
    }

    private static long[] dataOffsets(Path file, String name, JsonNode entry, Info info, long dataSize) {
        JsonNode o = entry.get("data_offsets");
        if (!o.isArray() || o.size() != 2 || !o.get(0).isIntegralNumber() || !o.get(1).isIntegralNumber()) {
            throw new ModelFormatException(file, "tensor '" + name + "' needs data_offsets [begin, end]");
        }
        long begin = o.get(0).asLong();
        long end = o.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new ModelFormatException(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] fall outside the data region of " + dataSize + " bytes (truncated file?)");
        }
        long expected = info.elements() * info.dtype().bytes();
        if (end - begin != expected) {
            throw new ModelFormatException(file, "tensor '" + name + "' has " + (end - begin) + " bytes of data, but "
                    + Arrays.toString(info.shape()) + " " + info.dtype() + " needs " + expected);
        }
        return new long[] {begin, end};
    }

    private static ByteBuffer readAt(Path file, FileChannel channel, long position, int length) {
        ByteBuffer buf = ByteBuffer.allocate(length);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, position + buf.position()) < 0) {
                    throw new ModelFormatException(file, "unexpected end of file at byte " + (position + buf.position()));
                }
            }
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return buf.flip();
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(infos.keySet());
    }

    public boolean contains(String name) {
        return infos.containsKey(name);
    }

    public Info info(String name) {
        Info info = infos.get(name);
        if (info == null) {
            throw new ModelFormatException(file, "no tensor named '" + name + "'");
        }
        return info;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** A tensor's values widened to float32. */
    public float[] readFloats(String name) {
        Info info = info(name);
        long[] o = offsets.get(name);
        ByteBuffer raw = readAt(file, channel, dataStart + o[0], (int) (o[1] - o[0])).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) info.elements()];
        switch (info.dtype()) {
            case F32 -> raw.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(raw.getShort());
                }
            }
            // bf16 is the top half of a float32; widened here because DJL aborts on bf16 buffers
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((raw.getShort() & 0xFFFF) << 16);
                }
            }
        }
        return out;
    }

    /** A tensor as a float32 NDArray of its stored shape. */
    public NDArray load(String name, NDManager manager) {
        return manager.create(readFloats(name), new Shape(info(name).shape()));
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do on a failed close of a read-only file
        }
    }

    /** Writes tensors in map order, atomically (temp file + rename). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<ByteBuffer> data = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long elements = 1;
            for (long s : t.shape()) {
                elements *= s;
            }
            if (elements != t.values().length) {
                throw new IllegalArgumentException(e.getKey() + ": shape " + Arrays.toString(t.shape())
                        + " holds " + elements + " values, got " + t.values().length);
            }
            ByteBuffer buf = encode(t);
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", t.dtype().name());
            entry.putArray("shape").addAll(Arrays.stream(t.shape()).mapToObj(json.getNodeFactory()::numberNode).toList());
            entry.putArray("data_offsets").add(offset).add(offset + buf.remaining());
            offset += buf.remaining();
            data.add(buf);
        }
        byte[] headerBytes = json.writeValueAsBytes(header);
        int padded = (headerBytes.length + 7) / 8 * 8;
        byte[] headerPadded = Arrays.copyOf(headerBytes, padded);
        Arrays.fill(headerPadded, headerBytes.length, padded, (byte) ' ');
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                out.write(headerPadded);
                for (ByteBuffer b : data) {
                    out.write(b.array(), 0, b.remaining());
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static ByteBuffer encode(Tensor t) {
        float[] v = t.values();
        ByteBuffer buf = ByteBuffer.allocate(v.length * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case F32 -> buf.asFloatBuffer().put(v);
            case F16 -> {
                for (float f : v) {
                    buf.putShort(floatToHalf(f));
                }
            }
            case BF16 -> {
                for (float f : v) {
                    buf.putShort(floatToBf16(f));
                }
            }
        }
        buf.position(0);
        return buf;
    }

    /** IEEE 754 half -> float, including subnormals, infinities and NaN. */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float value = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float -> IEEE 754 half, rounding to nearest even; overflow becomes infinity. */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000; // make the implicit bit explicit, then shift into subnormal range
            int shift = 14 - e;
            int half = mant >> shift;
            int rest = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, which is the correct rounding (up to infinity)
        }
        return (short) (sign | half);
    }

    /** float -> bfloat16 (the top 16 bits), rounding to nearest even. */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }
}
