package dev.attnstudio.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format version 1.0): float32 ({@code '<f4'}) tensors and int64 ({@code '<i8'})
 * token ids, little-endian, C order, so {@code numpy.load} reads what the engine traced.
 *
 * <p>Layout, per the NumPy format spec: the magic {@code \x93NUMPY}, the version bytes {@code 1 0}, the
 * header length as a little-endian uint16, then the header (a Python dict literal, padded with spaces and
 * ended by a newline so that magic + version + length + header is a multiple of 64 bytes, which keeps the
 * data aligned for memory mapping), then the raw values.
 *
 * <p>Writes are atomic: the file is written next to its destination under a temporary name and moved into
 * place, so a reader never sees half a file.
 */
public final class Npy {

    /** A float32 array read back: row-major values with their shape. */
    public record Float32(long[] shape, float[] values) {
    }

    /** An int64 array read back: row-major values with their shape. */
    public record Int64(long[] shape, long[] values) {
    }

    /** A file that is not a .npy file this class can read; the message names the file and the problem. */
    public static final class FormatException extends IOException {
        public FormatException(Path file, String problem) {
            super(file + ": " + problem);
        }

        /** @param source what was read, for the message: a file, or an entry of an archive */
        public FormatException(String source, String problem) {
            super(source + ": " + problem);
        }
    }

    static final String FLOAT32 = "<f4";
    static final String INT64 = "<i8";

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic (6) + version (2) + header length (2). */
    private static final int PREAMBLE = 10;
    private static final int ALIGN = 64;
    private static final int CHUNK = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Writes a float32 array (row-major {@code values} of the given shape). */
    public static void writeFloat32(Path file, long[] shape, float[] values) throws IOException {
        checkSize(shape, values.length);
        writeAtomically(file, header(FLOAT32, shape), values.length, Float.BYTES,
                (buf, from, n) -> buf.asFloatBuffer().put(values, from, n));
    }

    /** Writes an int64 array (token ids, row-major, of the given shape). */
    public static void writeInt64(Path file, long[] shape, long[] values) throws IOException {
        checkSize(shape, values.length);
        writeAtomically(file, header(INT64, shape), values.length, Long.BYTES,
                (buf, from, n) -> buf.asLongBuffer().put(values, from, n));
    }

    /**
     * Writes a float32 array as .npy bytes to a stream (an entry of a .npz archive); the stream is left open.
     */
    public static void writeFloat32(OutputStream out, long[] shape, float[] values) throws IOException {
        checkSize(shape, values.length);
        writeData(Channels.newChannel(out), header(FLOAT32, shape), values.length, Float.BYTES,
                (buf, from, n) -> buf.asFloatBuffer().put(values, from, n));
    }

    /** Writes an int64 array as .npy bytes to a stream (an entry of a .npz archive); the stream is left open. */
    public static void writeInt64(OutputStream out, long[] shape, long[] values) throws IOException {
        checkSize(shape, values.length);
        writeData(Channels.newChannel(out), header(INT64, shape), values.length, Long.BYTES,
                (buf, from, n) -> buf.asLongBuffer().put(values, from, n));
    }

    /**
     * Reads float32 .npy bytes held in memory (an entry of a .npz archive), with the checks of
     * {@link #readFloat32(Path)}.
     *
     * @param source names the bytes in messages, e.g. {@code "trace.npz!hook_logits.npy"}
     */
    public static Float32 readFloat32(String source, byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = parseHeader(source, in, FLOAT32);
        float[] values = new float[elements(source, in, shape, Float.BYTES)];
        in.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return new Float32(shape, values);
    }

    /** Reads int64 .npy bytes held in memory (an entry of a .npz archive). */
    public static Int64 readInt64(String source, byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = parseHeader(source, in, INT64);
        long[] values = new long[elements(source, in, shape, Long.BYTES)];
        in.slice().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
        return new Int64(shape, values);
    }

    /** Reads a float32 .npy file; anything else (another dtype, Fortran order, a truncated file) is an error. */
    public static Float32 readFloat32(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long[] shape = readHeader(file, ch, FLOAT32);
            float[] values = new float[elements(file, ch, shape, Float.BYTES)];
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; ) {
                int n = fill(file, ch, buf, Math.min(CHUNK / Float.BYTES, values.length - i) * Float.BYTES) / Float.BYTES;
                buf.asFloatBuffer().get(values, i, n);
                i += n;
            }
            return new Float32(shape, values);
        }
    }

    /** Reads an int64 .npy file (token ids). */
    public static Int64 readInt64(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long[] shape = readHeader(file, ch, INT64);
            long[] values = new long[elements(file, ch, shape, Long.BYTES)];
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; ) {
                int n = fill(file, ch, buf, Math.min(CHUNK / Long.BYTES, values.length - i) * Long.BYTES) / Long.BYTES;
                buf.asLongBuffer().get(values, i, n);
                i += n;
            }
            return new Int64(shape, values);
        }
    }

    /**
     * The bytes before the data: preamble plus the dict text, padded with spaces and a final newline to a
     * multiple of 64 bytes.
     */
    static byte[] header(String descr, long[] shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }";
        int unpadded = PREAMBLE + dict.length() + 1; // + the newline
        int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        int headerLength = total - PREAMBLE;
        if (headerLength > 0xFFFF) {
            // Only reachable with absurdly many dimensions; version 2.0 would be needed.
            throw new IllegalArgumentException("a shape of rank " + shape.length + " does not fit a version 1.0 header");
        }
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1; // major version
        out[7] = 0; // minor version
        out[8] = (byte) (headerLength & 0xFF);
        out[9] = (byte) (headerLength >>> 8);
        byte[] text = dict.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, out, PREAMBLE, text.length);
        Arrays.fill(out, PREAMBLE + text.length, total - 1, (byte) ' ');
        out[total - 1] = '\n';
        return out;
    }

    /** A Python tuple literal: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    private static String shapeTuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(')').toString();
    }

    private static void checkSize(long[] shape, int valueCount) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != valueCount) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                    + valueCount);
        }
    }

    /** Copies values [from, from + n) into a little-endian buffer, starting at its position 0. */
    @FunctionalInterface
    private interface Chunk {
        void put(ByteBuffer buf, int from, int n);
    }

    private static void writeAtomically(Path file, byte[] header, int count, int width, Chunk chunk) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeData(ch, header, count, width, chunk);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(file + ": the file system cannot replace files atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The header, then the values in chunks of {@link #CHUNK} bytes. */
    private static void writeData(WritableByteChannel ch, byte[] header, int count, int width, Chunk chunk)
            throws IOException {
        writeFully(ch, ByteBuffer.wrap(header));
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < count; ) {
            int n = Math.min(CHUNK / width, count - from);
            buf.clear();
            chunk.put(buf, from, n);
            buf.limit(n * width);
            writeFully(ch, buf);
            from += n;
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads and checks the preamble and header; leaves the channel at the first data byte; returns the shape. */
    private static long[] readHeader(Path file, FileChannel ch, String expectedDescr) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(ch, pre) < PREAMBLE) {
            throw new FormatException(file, "too short to be a .npy file (" + ch.size() + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre.get(i) != MAGIC[i]) {
                throw new FormatException(file, "not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = pre.get(6) & 0xFF;
        int minor = pre.get(7) & 0xFF;
        long headerLength;
        if (major == 1) {
            headerLength = pre.getShort(8) & 0xFFFF;
        } else if (major == 2 || major == 3) {
            // Versions 2.0 and 3.0 widen the length to uint32 (3.0 also allows UTF-8 in the dict).
            ByteBuffer wide = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
            if (readFully(ch, wide) < 2) {
                throw new FormatException(file, "truncated header");
            }
            headerLength = (pre.getShort(8) & 0xFFFFL) | ((wide.getShort(0) & 0xFFFFL) << 16);
        } else {
            throw new FormatException(file, "unsupported .npy format version " + major + "." + minor);
        }
        if (headerLength > ch.size() - ch.position()) {
            throw new FormatException(file, "truncated header (declares " + headerLength + " bytes, "
                    + (ch.size() - ch.position()) + " left)");
        }
        if (headerLength > 1 << 20) {
            throw new FormatException(file, "implausibly large header (" + headerLength + " bytes)");
        }
        ByteBuffer text = ByteBuffer.allocate((int) headerLength);
        readFully(ch, text);
        return checkDict(file.toString(), new String(text.array(), major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1).strip(), expectedDescr);
    }

    /** Checks the header's dict (dtype, C order) and returns the shape it declares. */
    private static long[] checkDict(String file, String dict, String expectedDescr) throws FormatException {
        if (!dict.startsWith("{") || !dict.endsWith("}")) {
            throw new FormatException(file, "header is not a dict: " + abbreviate(dict));
        }
        Matcher descr = DESCR.matcher(dict);
        Matcher fortran = FORTRAN.matcher(dict);
        Matcher shape = SHAPE.matcher(dict);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new FormatException(file, "header lacks 'descr', 'fortran_order' or 'shape': " + abbreviate(dict));
        }
        if (!descr.group(1).equals(expectedDescr)) {
            throw new FormatException(file, "dtype is '" + descr.group(1) + "' (" + describe(descr.group(1))
                    + "), expected '" + expectedDescr + "' (" + describe(expectedDescr) + ")");
        }
        if (fortran.group(1).equals("True")) {
            throw new FormatException(file, "array is in Fortran order; only C order is supported");
        }
        return parseShape(file, shape.group(1));
    }

    /** {@link #readHeader} for bytes in memory: leaves {@code in} at the first data byte; returns the shape. */
    private static long[] parseHeader(String source, ByteBuffer in, String expectedDescr) throws FormatException {
        if (in.remaining() < PREAMBLE) {
            throw new FormatException(source, "too short to be a .npy file (" + in.remaining() + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.get(i) != MAGIC[i]) {
                throw new FormatException(source, "not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = in.get(6) & 0xFF;
        long headerLength;
        int start;
        if (major == 1) {
            headerLength = in.getShort(8) & 0xFFFF;
            start = PREAMBLE;
        } else if ((major == 2 || major == 3) && in.remaining() >= PREAMBLE + 2) {
            headerLength = in.getInt(8) & 0xFFFFFFFFL;
            start = PREAMBLE + 2;
        } else {
            throw new FormatException(source, "unsupported .npy format version " + major + "." + (in.get(7) & 0xFF));
        }
        if (headerLength > in.limit() - start) {
            throw new FormatException(source, "truncated header (declares " + headerLength + " bytes, "
                    + (in.limit() - start) + " left)");
        }
        byte[] text = new byte[(int) headerLength];
        in.position(start);
        in.get(text);
        return checkDict(source, new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
                .strip(), expectedDescr);
    }

    /** Checks that the bytes after the header hold exactly the shape's values and returns their count. */
    private static int elements(String source, ByteBuffer in, long[] shape, int width) throws FormatException {
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new FormatException(source, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new FormatException(source, "shape " + Arrays.toString(shape) + " has " + n
                    + " values, more than one Java array holds");
        }
        if (in.remaining() != n * width) {
            throw new FormatException(source, "shape " + Arrays.toString(shape) + " needs " + n * width
                    + " data bytes, the entry has " + in.remaining() + (in.remaining() < n * width ? " (truncated?)" : ""));
        }
        return (int) n;
    }

    private static long[] parseShape(String file, String inner) throws FormatException {
        String s = inner.strip();
        if (s.isEmpty()) {
            return new long[0];
        }
        if (s.endsWith(",")) {
            s = s.substring(0, s.length() - 1);
        }
        String[] parts = s.split(",");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1); // Python 2 longs
            }
            try {
                shape[i] = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new FormatException(file, "bad shape (" + inner + ")");
            }
            if (shape[i] < 0) {
                throw new FormatException(file, "negative dimension in shape (" + inner + ")");
            }
        }
        return shape;
    }

    /** Checks that the data after the header holds exactly the shape's values and returns their count. */
    private static int elements(Path file, FileChannel ch, long[] shape, int width) throws IOException {
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new FormatException(file, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new FormatException(file, "shape " + Arrays.toString(shape) + " has " + n
                    + " values, more than one Java array holds");
        }
        long left = ch.size() - ch.position();
        if (left != n * width) {
            throw new FormatException(file, "shape " + Arrays.toString(shape) + " needs " + n * width
                    + " data bytes, the file has " + left + (left < n * width ? " (truncated?)" : ""));
        }
        return (int) n;
    }

    private static int fill(Path file, FileChannel ch, ByteBuffer buf, int bytes) throws IOException {
        buf.clear().limit(bytes);
        if (readFully(ch, buf) < bytes) {
            throw new FormatException(file, "unexpected end of file");
        }
        buf.flip();
        return bytes;
    }

    private static int readFully(FileChannel ch, ByteBuffer buf) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static String describe(String descr) {
        return switch (descr) {
            case FLOAT32 -> "float32";
            case INT64 -> "int64";
            case "<f8" -> "float64";
            case "<f2" -> "float16";
            case "<i4" -> "int32";
            case ">f4" -> "big-endian float32";
            default -> "unsupported here";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
