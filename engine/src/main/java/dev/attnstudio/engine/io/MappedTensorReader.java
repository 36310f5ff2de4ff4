package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a tensor's bytes through a memory map, a window at a time, never holding the whole tensor on the Java heap.
 *
 * <p>Into DJL, on the CPU: the engine allocates the float32 tensor ({@code torch::empty}) and lends a direct view of
 * its memory ({@code toByteBuffer(true)}); each window of the file is mapped, its values widened (float16/bfloat16)
 * or copied (float32) straight into that memory, and the window unmapped at once, so the file's pages are not held
 * (nor counted as resident) after the tensor is read. One pass over the bytes, nothing transient but the window.
 *
 * <p>Elsewhere (a GPU, or a tensor over 2 GiB as float32, beyond one Java buffer): each window is widened into one
 * reusable direct buffer, a float32 array wrapping it is duplicated into engine memory, and the windows are
 * concatenated. Either way DJL only ever receives float32: a bfloat16 buffer handed to DJL's PyTorch engine aborts
 * the JVM.
 */
final class MappedTensorReader {

    /** Elements per window: 4 Mi (16 MiB as float32). */
    static final int WINDOW = 1 << 22;

    /** Whether {@link #load} may fill the engine's memory through a direct view (tests turn it off to check the other path). */
    static volatile boolean viewEngineMemory = true;

    private MappedTensorReader() {
    }

    /**
     * Reads a tensor as float32 into an array owned by {@code manager}.
     *
     * @param position absolute file position of the tensor's first byte
     */
    static NDArray load(FileChannel channel, long position, SafeTensors.Info info, NDManager manager)
            throws IOException {
        long elements = info.elements();
        SafeTensors.DType dtype = info.dtype();
        Shape shape = new Shape(info.shape());
        if (elements == 0) {
            return manager.create(shape, DataType.FLOAT32);
        }
        if (viewEngineMemory && ai.djl.Device.Type.CPU.equals(manager.getDevice().getDeviceType()) && elements * 4 <= Integer.MAX_VALUE) {
            NDArray target = manager.create(shape, DataType.FLOAT32); // torch::empty: the engine's own memory
            try {
                ByteBuffer memory = target.toByteBuffer(true); // a view of that memory, not a copy
                if (memory.isDirect() && memory.capacity() == elements * 4) {
                    fill(channel, position, dtype, elements, memory.order(ByteOrder.nativeOrder()).asFloatBuffer());
                    return target;
                }
            } catch (IOException | RuntimeException | Error e) {
                target.close();
                throw e;
            }
            target.close(); // no direct view here: copy window by window instead
        }
        ByteBuffer widened = dtype == SafeTensors.DType.F32 ? null
                : ByteBuffer.allocateDirect((int) Math.min(WINDOW, elements) * 4).order(ByteOrder.nativeOrder());
        NDList windows = new NDList();
        try {
            for (long first = 0; first < elements; first += WINDOW) {
                int count = (int) Math.min(WINDOW, elements - first);
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY,
                        position + first * dtype.bytes(), (long) count * dtype.bytes());
                try {
                    ByteBuffer floats;
                    if (widened == null) {
                        floats = mapped.order(ByteOrder.LITTLE_ENDIAN);
                    } else {
                        mapped.order(ByteOrder.LITTLE_ENDIAN);
                        widened.clear();
                        HalfPrecision.widen(dtype, mapped, widened.asFloatBuffer(), count);
                        floats = widened.limit(count * 4);
                    }
                    // The wrapper reads the buffer in place; its duplicate is the engine's own copy.
                    try (NDArray wrapper = manager.create(floats, new Shape(count), DataType.FLOAT32)) {
                        windows.add(wrapper.duplicate());
                    }
                } finally {
                    unmap(mapped);
                }
            }
            if (windows.size() == 1) {
                NDArray only = windows.get(0);
                NDArray shaped = only.reshape(shape);
                windows.clear();
                only.close();
                return shaped;
            }
            try (NDArray flat = NDArrays.concat(windows)) {
                return flat.reshape(shape);
            }
        } finally {
            windows.close();
            free(widened);
        }
    }

    /**
     * Reads a float16 or bfloat16 tensor's 16-bit values as they are stored into an array of dtype FLOAT16 owned by
     * {@code manager}, a mapped window at a time, through a direct view of the engine's memory: a byte copy, no
     * conversion. For bfloat16 the FLOAT16 array is only a container of the bits (DJL's PyTorch engine has no
     * bfloat16: creating or converting to one aborts the JVM); its users must know what it holds. Returns null where
     * the engine lends no direct view (a GPU, or over 2 GiB): the caller then loads float32.
     *
     * @param position absolute file position of the tensor's first byte
     */
    static NDArray loadBits(FileChannel channel, long position, SafeTensors.Info info, NDManager manager)
            throws IOException {
        long elements = info.elements();
        if (info.dtype().bytes() != 2 || elements == 0 || elements * 2 > Integer.MAX_VALUE
                || !ai.djl.Device.Type.CPU.equals(manager.getDevice().getDeviceType())) {
            return null;
        }
        NDArray target = manager.create(new Shape(info.shape()), DataType.FLOAT16); // torch::empty
        try {
            ByteBuffer memory = target.toByteBuffer(true);
            if (!memory.isDirect() || memory.capacity() != elements * 2) {
                target.close();
                return null;
            }
            memory.order(ByteOrder.nativeOrder());
            for (long first = 0; first < elements; first += WINDOW) {
                int count = (int) Math.min(WINDOW, elements - first);
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position + first * 2, count * 2L);
                try {
                    // little-endian in the file, native order in memory
                    memory.asShortBuffer().position((int) first).put(mapped.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
                } finally {
                    unmap(mapped);
                }
            }
            return target;
        } catch (IOException | RuntimeException | Error e) {
            target.close();
            throw e;
        }
    }

    /** Reads a tensor as float32 into a Java array of {@code info.elements()} values. */
    static float[] readFloats(FileChannel channel, long position, SafeTensors.Info info) throws IOException {
        float[] out = new float[(int) info.elements()];
        fill(channel, position, info.dtype(), info.elements(), FloatBuffer.wrap(out));
        return out;
    }

    /** Widens {@code elements} stored values at {@code position} into {@code into}, a mapped window at a time. */
    private static void fill(FileChannel channel, long position, SafeTensors.DType dtype, long elements,
                             FloatBuffer into) throws IOException {
        for (long first = 0; first < elements; first += WINDOW) {
            int count = (int) Math.min(WINDOW, elements - first);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY,
                    position + first * dtype.bytes(), (long) count * dtype.bytes());
            try {
                HalfPrecision.widen(dtype, mapped.order(ByteOrder.LITTLE_ENDIAN), into, count);
            } finally {
                unmap(mapped);
            }
        }
    }

    // ---- freeing a mapping or a direct buffer now rather than at some later garbage collection ----

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Without it, mappings and buffers are freed by the garbage collector instead: slower, still correct.
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    /** Unmaps a mapping; nothing may read it afterwards (every array wrapping it is closed first). */
    private static void unmap(MappedByteBuffer mapped) {
        free(mapped);
    }

    private static void free(ByteBuffer direct) {
        if (direct == null || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, direct);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Left to the garbage collector.
        }
    }
}
