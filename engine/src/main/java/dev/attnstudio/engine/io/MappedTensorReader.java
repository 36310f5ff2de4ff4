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
 * <p>Into DJL: each window of the file is mapped; float16/bfloat16 values are widened to float32 into one reusable
 * direct buffer of the window's size (float32 values go straight from the map); a float32 array wrapping that buffer
 * is duplicated into memory the engine owns, and the window is unmapped at once, so the file's pages are not held
 * (nor counted as resident) after the tensor is read. The windows are then concatenated into the tensor. DJL only
 * ever receives float32 buffers: a bfloat16 buffer handed to DJL's PyTorch engine aborts the JVM.
 *
 * <p>Cost: one pass over the file's bytes plus two native copies; transient memory the tensor's windows until they
 * are concatenated (at most one tensor's float32 size more), and one window's direct buffer (16 MiB).
 */
final class MappedTensorReader {

    /** Elements per window: 4 Mi (16 MiB as float32). */
    static final int WINDOW = 1 << 22;

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

    /** Reads a tensor as float32 into a Java array of {@code info.elements()} values. */
    static float[] readFloats(FileChannel channel, long position, SafeTensors.Info info) throws IOException {
        long elements = info.elements();
        SafeTensors.DType dtype = info.dtype();
        float[] out = new float[(int) elements];
        FloatBuffer into = FloatBuffer.wrap(out);
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
        return out;
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
