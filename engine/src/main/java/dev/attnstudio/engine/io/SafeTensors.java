package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * <p>{@link #open(Path)} reads and checks the whole header at once ({@link SafeTensorsHeader}), so a damaged file
 * is reported before any tensor is used, but it reads no tensor data: each tensor is read from disk when asked for,
 * through a memory map a window at a time ({@link MappedTensorReader}), so a large model costs only the memory of
 * the tensors in use and no tensor is ever copied whole onto the Java heap by {@link #load}. The file stays open
 * until {@link #close()}. Float16 and bfloat16 values are widened to float32 in Java ({@link HalfPrecision}), or,
 * by {@link #loadAsStored}, copied as 16-bit values into a FLOAT16 array the engine allocated; no half-precision
 * buffer is ever handed to DJL, and no bfloat16 dtype is ever asked of it (either aborts the JVM in DJL's PyTorch
 * engine).
 * Writing is {@link SafeTensorsWriter}'s job.
 *
 * <p>Every problem with a file is a {@link ModelFormatException} whose message names the file and the problem.
 * An open instance may be read from several threads at once.
 */
public final class SafeTensors implements Checkpoint {

    /** The largest number of elements a tensor may have: a Java array holds at most 2^31-1 values. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

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

    /** Supplies the values of a tensor being written, chunk by chunk in row-major order. */
    @FunctionalInterface
    public interface Values {
        /**
         * Fills {@code into[0..count)} with the tensor's values {@code offset .. offset + count}.
         *
         * @param name   the tensor being written
         * @param offset index of the first value wanted (row-major)
         * @param into   where to put them
         * @param count  how many
         */
        void fill(String name, long offset, float[] into, int count);
    }

    private final Path file;
    private final FileChannel channel;
    /** Absolute file position of the data region. */
    private final long dataStart;
    private final Map<String, SafeTensorsHeader.Entry> entries;
    private final List<String> names;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafeTensors(Path file, FileChannel channel, SafeTensorsHeader.Parsed header) {
        this.file = file;
        this.channel = channel;
        this.dataStart = header.dataStart();
        this.entries = header.entries();
        this.names = List.copyOf(entries.keySet());
        this.metadata = Collections.unmodifiableMap(header.metadata());
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
            return new SafeTensors(file, channel, SafeTensorsHeader.read(file, channel));
        } catch (RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Returns the file this was opened from.
     *
     * @return the path given to {@link #open(Path)}
     */
    @Override
    public Path file() {
        return file;
    }

    /**
     * Returns the tensor names in the order of the header, without {@code __metadata__}.
     *
     * @return an unmodifiable list of names
     */
    @Override
    public List<String> names() {
        return names;
    }

    /**
     * Tells whether the file has a tensor of this name.
     *
     * @param name a tensor name
     * @return true if the header lists it ({@code __metadata__} is not a tensor)
     */
    @Override
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
    @Override
    public Info info(String name) {
        return entry(name).info();
    }

    /** The file holding a tensor: this one. */
    @Override
    public Path fileOf(String name) {
        entry(name);
        return file;
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
        SafeTensorsHeader.Entry entry = entry(name);
        ensureOpen();
        try {
            return MappedTensorReader.readFloats(channel, dataStart + entry.begin(), entry.info());
        } catch (IOException e) {
            throw readFailure(name, e);
        }
    }

    /**
     * Reads a tensor into a float32 NDArray of its shape, through a memory map a window at a time: the array is
     * allocated by the engine and filled window by window, so the tensor is never whole on the Java heap. F32
     * values are copied bit for bit; F16 and BF16 are widened to float32 in Java first, so DJL only ever
     * receives a float32 buffer.
     *
     * @param name    a tensor name
     * @param manager the manager that will own the array
     * @return a float32 array of {@code info(name).shape()}
     * @throws ModelFormatException  if there is no such tensor or its bytes cannot be read
     * @throws IllegalStateException if this file has been closed
     */
    @Override
    public NDArray load(String name, NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        SafeTensorsHeader.Entry entry = entry(name);
        ensureOpen();
        try {
            return MappedTensorReader.load(channel, dataStart + entry.begin(), entry.info(), manager);
        } catch (IOException e) {
            throw readFailure(name, e);
        }
    }

    /**
     * A float16 or bfloat16 tensor's stored bits in a FLOAT16 array named {@link Checkpoint#storedAs}, read as a byte
     * copy; float32 tensors, and any where the engine lends no direct view of its memory (a GPU), as {@link #load}.
     */
    @Override
    public NDArray loadAsStored(String name, NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        SafeTensorsHeader.Entry entry = entry(name);
        ensureOpen();
        if (entry.info().dtype() == DType.F32) {
            return load(name, manager);
        }
        try {
            NDArray bits = MappedTensorReader.loadBits(channel, dataStart + entry.begin(), entry.info(), manager);
            if (bits == null) {
                return load(name, manager);
            }
            bits.setName(Checkpoint.storedAs(entry.info().dtype()));
            return bits;
        } catch (IOException e) {
            throw readFailure(name, e);
        }
    }

    private RuntimeException readFailure(String name, IOException e) {
        if (e instanceof ClosedChannelException) {
            return new IllegalStateException(file + " was closed while tensor '" + name + "' was being read", e);
        }
        if (e instanceof EOFException) {
            return new ModelFormatException(file, "the file ended while tensor '" + name + "' was being read;"
                    + " was it changed on disk after it was opened?", e);
        }
        return new ModelFormatException(file, "tensor '" + name + "' cannot be read (" + e.getMessage() + ")", e);
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

    private SafeTensorsHeader.Entry entry(String name) {
        SafeTensorsHeader.Entry e = entries.get(name);
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
        List<Info> infos = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("a tensor name is null");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is null");
            }
            infos.add(new Info(e.getKey(), e.getValue().dtype(), e.getValue().shape));
        }
        SafeTensorsWriter.write(file, infos, metadata, (name, offset, into, count) ->
                System.arraycopy(tensors.get(name).values(), (int) offset, into, 0, count));
    }

    /**
     * Writes a safetensors file streaming: the header from {@code tensors}, then each tensor's values as
     * {@code values} supplies them, a chunk at a time, so a checkpoint larger than the Java heap can be written.
     * Atomic, as {@link #write(Path, Map, Map)}.
     *
     * @param file     where to write; an existing file is replaced
     * @param tensors  the tensors in file order; no name may be {@code __metadata__} or appear twice
     * @param metadata text to store under {@code __metadata__}; null or empty for none
     * @param values   supplies each tensor's float32 values, narrowed to its dtype (round to nearest even)
     * @throws IOException if writing or moving fails
     */
    public static void write(Path file, List<Info> tensors, Map<String, String> metadata, Values values)
            throws IOException {
        SafeTensorsWriter.write(file, tensors, metadata, values);
    }

    static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException("end of file at byte " + at);
            }
            at += n;
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

    static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    // ---- half precision conversions, kept here for the tests ({@link HalfPrecision} does the work) ----

    static float halfToFloat(short half) {
        return HalfPrecision.halfToFloat(half);
    }

    static short floatToHalf(float value) {
        return HalfPrecision.floatToHalf(value);
    }

    static short floatToBf16(float value) {
        return HalfPrecision.floatToBf16(value);
    }
}
