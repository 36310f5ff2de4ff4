package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.attnstudio.engine.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tensors read through the memory map into engine arrays: float32 bit for bit, half precision widened exactly,
 * across window boundaries, and without the tensor passing through the Java heap.
 */
class MappedTensorReaderTest {

    @TempDir
    Path dir;

    /** More than two windows and not a multiple of one, so the last window is partial. */
    private static final int LARGE = 2 * MappedTensorReader.WINDOW + 12_345;

    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        // Values whose bits matter: signed zero, a subnormal, infinities, a NaN with a payload.
        v[0] = -0f;
        v[1] = Float.MIN_VALUE * 3;
        v[2] = Float.POSITIVE_INFINITY;
        v[3] = Float.NEGATIVE_INFINITY;
        v[4] = Float.intBitsToFloat(0x7FC01234);
        return v;
    }

    private static float[] read(NDArray a) {
        assertEquals(DataType.FLOAT32, a.getDataType(), "DJL only ever holds float32 weights");
        return a.toFloatArray();
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + " (bits " + Integer.toHexString(
                        Float.floatToRawIntBits(actual[i])) + "), expected " + expected[i] + " (bits "
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ")");
            }
        }
    }

    /** The path a GPU (or a tensor over 2 GiB) takes: windows duplicated into engine memory and concatenated. */
    @Test
    void theWindowPathGivesTheSameBits() throws IOException {
        MappedTensorReader.viewEngineMemory = false;
        try {
            float32IsLoadedBitForBitAcrossWindows();
            halfPrecisionIsWidenedExactlyAcrossWindows();
        } finally {
            MappedTensorReader.viewEngineMemory = true;
        }
    }

    @Test
    void float32IsLoadedBitForBitAcrossWindows() throws IOException {
        float[] v = values(LARGE, 1);
        Path file = dir.resolve("f32-" + MappedTensorReader.viewEngineMemory + ".safetensors");
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("odd", new SafeTensors.Tensor(new float[] {1.5f, -2f, 3f}, new long[] {3}, SafeTensors.DType.F32));
        tensors.put("big", new SafeTensors.Tensor(v, new long[] {LARGE / 11, 11}, SafeTensors.DType.F32));
        tensors.put("empty", new SafeTensors.Tensor(new float[0], new long[] {0, 4}, SafeTensors.DType.F32));
        tensors.put("scalar", new SafeTensors.Tensor(new float[] {7f}, new long[] {}, SafeTensors.DType.F32));
        SafeTensors.write(file, tensors, null);
        try (SafeTensors st = SafeTensors.open(file);
             NDManager m = NDManager.newBaseManager(DjlRuntime.engine().getEngineName())) {
            for (var e : tensors.entrySet()) {
                NDArray a = st.load(e.getKey(), m);
                assertArrayEquals(e.getValue().shape(), a.getShape().getShape(), e.getKey());
                assertBits(e.getValue().values(), read(a), e.getKey());
                assertBits(e.getValue().values(), st.readFloats(e.getKey()), e.getKey() + " (readFloats)");
            }
        }
    }

    /**
     * The half-precision path: bf16 and f16 bits mapped, widened in Java into a direct buffer, handed to DJL as a
     * float32 buffer and read back (a bf16 buffer handed to DJL would abort this JVM). The expected values are
     * widened independently here from the stored bits: bf16 is the top half of a float32; f16 via the formula.
     */
    @Test
    void halfPrecisionIsWidenedExactlyAcrossWindows() throws IOException {
        float[] v = values(LARGE, 2);
        Path file = dir.resolve("half-" + MappedTensorReader.viewEngineMemory + ".safetensors");
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("bf", new SafeTensors.Tensor(v, new long[] {LARGE}, SafeTensors.DType.BF16));
        tensors.put("f", new SafeTensors.Tensor(v, new long[] {LARGE}, SafeTensors.DType.F16));
        SafeTensors.write(file, tensors, null);
        float[] bf = new float[LARGE];
        float[] f = new float[LARGE];
        for (int i = 0; i < LARGE; i++) {
            bf[i] = Float.intBitsToFloat((SafeTensors.floatToBf16(v[i]) & 0xFFFF) << 16);
            f[i] = halfByFormula(SafeTensors.floatToHalf(v[i]));
        }
        try (SafeTensors st = SafeTensors.open(file);
             NDManager m = NDManager.newBaseManager(DjlRuntime.engine().getEngineName())) {
            assertBits(bf, read(st.load("bf", m)), "bf16");
            assertBits(f, read(st.load("f", m)), "f16");
        }
    }

    /** (-1)^s × 2^(e-15) × (1 + f/1024), or (-1)^s × 2^-14 × f/1024 for e = 0; e = 31 is infinity or NaN. */
    private static float halfByFormula(short bits) {
        int h = bits & 0xFFFF;
        int s = h >>> 15;
        int e = (h >>> 10) & 0x1F;
        int f = h & 0x3FF;
        double sign = s == 1 ? -1 : 1;
        if (e == 31) {
            return f == 0 ? (float) (sign * Double.POSITIVE_INFINITY)
                    : Float.intBitsToFloat((s << 31) | 0x7F800000 | (f << 13));
        }
        double magnitude = e == 0 ? Math.scalb(f / 1024.0, -14) : Math.scalb(1 + f / 1024.0, e - 15);
        return (float) (sign * magnitude);
    }

    /** Loading into the engine allocates next to nothing on the Java heap; reading into a float[] allocates it all. */
    @Test
    void loadingDoesNotCopyTheTensorOntoTheHeap() throws IOException {
        int n = 4 * MappedTensorReader.WINDOW; // 32 MiB as bf16, 64 MiB as float32
        Path file = dir.resolve("heap.safetensors");
        SafeTensors.write(file, java.util.List.of(new SafeTensors.Info("w", SafeTensors.DType.BF16, new long[] {n})),
                null, (name, offset, into, count) -> java.util.Arrays.fill(into, 0, count, 0.25f));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        try (SafeTensors st = SafeTensors.open(file);
             NDManager m = NDManager.newBaseManager(DjlRuntime.engine().getEngineName())) {
            st.load("w", m).close(); // warm up class loading and the engine
            long before = threads.getThreadAllocatedBytes(id);
            NDArray a = st.load("w", m);
            long loadHeap = threads.getThreadAllocatedBytes(id) - before;
            before = threads.getThreadAllocatedBytes(id);
            float[] onHeap = st.readFloats("w");
            long readHeap = threads.getThreadAllocatedBytes(id) - before;
            assertEquals(0.25f, onHeap[n - 1]);
            assertTrue(readHeap >= 4L * n, "the measurement sees a heap copy: " + readHeap);
            assertTrue(loadHeap < 1 << 20, "load put " + loadHeap + " bytes on the heap for a " + 4L * n
                    + "-byte tensor");
            assertEquals(0.25f, a.getFloat(n - 1));
        }
    }
}
