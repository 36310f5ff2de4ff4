package dev.attnstudio.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.attnstudio.engine.io.SafeTensors.DType;
import dev.attnstudio.engine.io.SafeTensors.Info;
import dev.attnstudio.engine.io.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    /**
     * float32 bits -> float16 bits as computed by numpy 2.4.6 ({@code np.float16(np.float32(x)).view(np.uint16)}),
     * an independent round-to-nearest-even implementation. Computed once offline; the test does not need python.
     */
    private static final int[][] NUMPY_F16 = {
        {0x3f800000, 0x3c00}, // 1.0
        {0xc0200000, 0xc100}, // -2.5
        {0x477fe000, 0x7bff}, // 65504 (largest half)
        {0x477ff000, 0x7c00}, // 65520: tie between 65504 and 65536 -> even -> infinity
        {0x477feffd, 0x7bff}, // 65519.988
        {0x477fef00, 0x7bff}, // 65519
        {0xc7800000, 0xfc00}, // -65536 -> -infinity
        {0x49742400, 0x7c00}, // 1e6 -> infinity
        {0x322bcc77, 0x0000}, // 1e-8 -> 0
        {0x3380d959, 0x0001}, // 6e-8 -> smallest subnormal
        {0x33000000, 0x0000}, // 2^-25: tie between 0 and 2^-24 -> even -> 0
        {0x33000001, 0x0001}, // just above 2^-25
        {0x33c00000, 0x0002}, // 3 * 2^-25: tie between 1 and 2 units -> 2
        {0x3f801000, 0x3c00}, // 1 + 2^-11: tie -> 1.0
        {0x3f803000, 0x3c02}, // 1 + 3 * 2^-11: tie -> even 0x3c02
        {0x3dcccccd, 0x2e66}, // 0.1
        {0x38800000, 0x0400}, // 2^-14: smallest normal
        {0x387fc000, 0x03ff}, // largest subnormal
        {0x387fe000, 0x0400}, // tie between largest subnormal and smallest normal -> even
        {0x80000000, 0x8000}, // -0.0
        {0x40490fd0, 0x4248}, // 3.14159
        {0xb727c5ac, 0x80a8}, // -1e-5 (subnormal)
        {0x7f800000, 0x7c00}, // +inf
        {0xff800000, 0xfc00}, // -inf
        {0x4144d315, 0x4a27}, // 12.301534
        {0x2fa43cb2, 0x0000}, // 2.987e-10
        {0xbb33a8b3, 0x999d}, // -0.0027413785
        {0xc45ea5e1, 0xe2f5}, // -890.59186
        {0xb19c3944, 0x8000}, // -4.5467e-09
        {0xc2c6544e, 0xd633}, // -99.16466
        {0x365d7591, 0x0037}, // 3.3e-6
        {0xb4dc1df9, 0x8007}, // -4.1e-7
        {0x378e9b39, 0x011d}, // 1.7e-5
        {0xb37d6730, 0x8001}, // -5.9e-8
        {0x32f91bad, 0x0000}, // 2.9e-8
        {0x3eaaaaab, 0x3555}, // 1/3
        {0xc49a5225, 0xe4d3}, // -1234.567
        {0x471c4000, 0x78e2}, // 40000
    };

    @TempDir
    Path dir;

    // ---- round trips ----

    @Test
    void f32RoundTripIsBitExact() throws IOException {
        float[] values = {0f, -0f, 1f, -1.5f, 3.0e38f, -3.4028235e38f, 1e-40f, -1.4e-45f, Float.MIN_NORMAL,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 123456.79f, -7e-12f};
        Path file = dir.resolve("f32.safetensors");
        SafeTensors.write(file, Map.of("x", new Tensor(values, new long[] {2, 7}, DType.F32)), null);
        try (SafeTensors st = SafeTensors.open(file)) {
            float[] back = st.readFloats("x");
            assertEquals(values.length, back.length);
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(back[i]), "index " + i);
            }
            assertEquals(new Info("x", DType.F32, new long[] {2, 7}), st.info("x"));
        }
    }

    @Test
    void f16RoundTripIsExactForValuesRepresentableInHalf() throws IOException {
        float[] values = {0f, -0f, 1f, -2.5f, 65504f, -65504f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f,
            0.099975586f, 1f / 1024, 0x1.004p0f, 2048f, -0.33325195f, 1000f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Path file = dir.resolve("f16.safetensors");
        SafeTensors.write(file, Map.of("h", new Tensor(values, new long[] {values.length}, DType.F16)), Map.of());
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(DType.F16, st.info("h").dtype());
            assertArrayEquals(values, st.readFloats("h"), 0f);
            float[] back = st.readFloats("h");
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[1]), "negative zero kept");
        }
        float[] nan = {Float.NaN};
        SafeTensors.write(file, Map.of("n", new Tensor(nan, new long[] {1}, DType.F16)), null);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertTrue(Float.isNaN(st.readFloats("n")[0]));
        }
    }

    @Test
    void f16WriterRoundsLikeNumpy() throws IOException {
        float[] values = new float[NUMPY_F16.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.intBitsToFloat(NUMPY_F16[i][0]);
        }
        Path file = dir.resolve("numpy.safetensors");
        SafeTensors.write(file, Map.of("v", new Tensor(values, new long[] {values.length}, DType.F16)), null);
        ByteBuffer data = dataRegion(file);
        for (int i = 0; i < values.length; i++) {
            int input = NUMPY_F16[i][0];
            assertEquals(NUMPY_F16[i][1], data.getShort() & 0xFFFF, () -> "float bits 0x" + Integer.toHexString(input));
        }
        assertFalse(data.hasRemaining());
    }

    @Test
    void f16ReaderDecodesEveryKindOfBitPattern() throws IOException {
        int[] bits = {0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x3555, 0x7bff, 0xfbff,
            0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x2e66, 0x0200};
        float[] expected = {0f, -0f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 1f, -2f, 0.33325195f,
            65504f, -65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.NaN,
            0.099975586f, 0x1p-15f};
        ByteBuffer data = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int b : bits) {
            data.putShort((short) b);
        }
        Path file = craft("raw16.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[" + bits.length
                + "],\"data_offsets\":[0," + bits.length * 2 + "]}}", data.array());
        try (SafeTensors st = SafeTensors.open(file)) {
            float[] back = st.readFloats("h");
            for (int i = 0; i < bits.length; i++) {
                if (Float.isNaN(expected[i])) {
                    assertTrue(Float.isNaN(back[i]), "index " + i);
                } else {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(back[i]),
                            "half 0x" + Integer.toHexString(bits[i]) + " read as " + back[i]);
                }
            }
        }
    }

    @Test
    void halfConversionIsExactBothWaysAndRoundsTiesToEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = SafeTensors.halfToFloat((short) h);
            int again = SafeTensors.floatToHalf(f) & 0xFFFF;
            boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
            if (nan) {
                assertTrue(Float.isNaN(f), "half 0x" + Integer.toHexString(h));
                assertEquals(h | 0x0200, again, "NaN payload kept, quieted");
            } else {
                assertEquals(h, again, "half 0x" + Integer.toHexString(h) + " -> " + f);
            }
        }
        // Between every two neighbouring positive finite halves: the exact midpoint goes to the even one, a float
        // just below or above it to the nearer one; the same for negatives.
        for (int h = 0; h < 0x7BFF; h++) {
            float lo = SafeTensors.halfToFloat((short) h);
            float hi = SafeTensors.halfToFloat((short) (h + 1));
            float mid = (lo + hi) / 2; // exact: halves have 11 significant bits, floats 24
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, SafeTensors.floatToHalf(mid) & 0xFFFF, "midpoint above 0x" + Integer.toHexString(h));
            assertEquals(h, SafeTensors.floatToHalf(Math.nextDown(mid)) & 0xFFFF);
            assertEquals(h + 1, SafeTensors.floatToHalf(Math.nextUp(mid)) & 0xFFFF);
            assertEquals(even | 0x8000, SafeTensors.floatToHalf(-mid) & 0xFFFF);
        }
        assertEquals(0x7C00, SafeTensors.floatToHalf(65520f) & 0xFFFF);
        assertEquals(0x7BFF, SafeTensors.floatToHalf(Math.nextDown(65520f)) & 0xFFFF);
        assertEquals(0x7C00, SafeTensors.floatToHalf(Float.MAX_VALUE) & 0xFFFF);
        assertEquals(0x0000, SafeTensors.floatToHalf(Float.MIN_VALUE) & 0xFFFF);
        assertEquals(0x8000, SafeTensors.floatToHalf(-Float.MIN_VALUE) & 0xFFFF);
    }

    @Test
    void bf16RoundTripRoundsTopBitsToNearestEven() throws IOException {
        int[] inputBits = {
            0x3F800000, // 1.0: exact
            0x3F808000, // tie between 0x3F80 and 0x3F81 -> even 0x3F80
            0x3F818000, // tie between 0x3F81 and 0x3F82 -> even 0x3F82
            0x3F808001, // just above the tie -> 0x3F81
            0x3F807FFF, // just below the tie -> 0x3F80
            0x40490FD0, // 3.14159 -> 0x4049 (3.140625)
            0xC0200000, // -2.5: exact
            0x7F61B1E6, // 3.0e38 -> 0x7F62
            0x7F7FFFFF, // Float.MAX_VALUE rounds up to infinity
            0x800116C2, // -1e-40 (float32 subnormal) -> 0x8001
            0x00000001, // smallest float32 subnormal -> +0
            0x7F800000, // +inf
            0xFF800000, // -inf
            0x80000000, // -0
        };
        int[] expectedBf16 = {0x3F80, 0x3F80, 0x3F82, 0x3F81, 0x3F80, 0x4049, 0xC020, 0x7F62, 0x7F80, 0x8001,
            0x0000, 0x7F80, 0xFF80, 0x8000};
        float[] values = new float[inputBits.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.intBitsToFloat(inputBits[i]);
        }
        Path file = dir.resolve("bf16.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", new Tensor(values, new long[] {values.length}, DType.BF16));
        tensors.put("nan", new Tensor(new float[] {Float.intBitsToFloat(0x7F800001)}, new long[] {1}, DType.BF16));
        SafeTensors.write(file, tensors, null);
        ByteBuffer data = dataRegion(file);
        for (int i = 0; i < values.length; i++) {
            assertEquals(expectedBf16[i], data.getShort() & 0xFFFF, "input 0x" + Integer.toHexString(inputBits[i]));
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            float[] back = st.readFloats("b");
            for (int i = 0; i < values.length; i++) {
                assertEquals(expectedBf16[i] << 16, Float.floatToRawIntBits(back[i]), "index " + i);
            }
            // A NaN whose payload is only in the low bits must not become infinity.
            assertTrue(Float.isNaN(st.readFloats("nan")[0]));
        }
    }

    @Test
    void mixedDtypesRoundTripWithinTheirPrecision() throws IOException {
        float[] values = new float[1000];
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 5)));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (DType t : DType.values()) {
            tensors.put(t.name(), new Tensor(values, new long[] {10, 10, 10}, t));
        }
        Path file = dir.resolve("mixed.safetensors");
        SafeTensors.write(file, tensors, null);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertArrayEquals(values, st.readFloats("F32"), 0f);
            float[] half = st.readFloats("F16");
            float[] bf = st.readFloats("BF16");
            for (int i = 0; i < values.length; i++) {
                float v = values[i];
                // float16: relative error <= 2^-11 for normals; absolute error <= 2^-25 in the subnormal range.
                float halfTolerance = Math.abs(v) >= 0x1p-14f ? Math.abs(v) * 0x1p-11f : 0x1p-25f;
                if (Math.abs(v) <= 65504f) {
                    assertEquals(v, half[i], halfTolerance, "F16 index " + i);
                }
                assertEquals(v, bf[i], Math.abs(v) * 0x1p-8f, "BF16 index " + i);
            }
        }
    }

    // ---- structure ----

    @Test
    void namesKeepWriteOrderAndInfoDescribesEachTensor() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("zeta", new Tensor(new float[6], new long[] {2, 3}, DType.F32));
        tensors.put("alpha", new Tensor(new float[4], new long[] {4}, DType.F16));
        tensors.put("h.10.mlp", new Tensor(new float[8], new long[] {2, 2, 2}, DType.BF16));
        tensors.put("h.2.mlp", new Tensor(new float[1], new long[] {1}, DType.F32));
        Path file = dir.resolve("order.safetensors");
        SafeTensors.write(file, tensors, null);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("zeta", "alpha", "h.10.mlp", "h.2.mlp"), st.names());
            assertEquals(file, st.file());
            assertTrue(st.contains("alpha"));
            assertFalse(st.contains("beta"));
            assertFalse(st.contains("__metadata__"));
            Info info = st.info("h.10.mlp");
            assertEquals("h.10.mlp", info.name());
            assertEquals(DType.BF16, info.dtype());
            assertArrayEquals(new long[] {2, 2, 2}, info.shape());
            assertEquals(8, info.elements());
            info.shape()[0] = 99;
            assertArrayEquals(new long[] {2, 2, 2}, st.info("h.10.mlp").shape(), "shape is copied out");
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> st.info("beta"));
            assertNamesFileAnd(file, e, "no tensor named 'beta'");
            assertThrows(ModelFormatException.class, () -> st.readFloats("beta"));
        }
        String header = headerText(file);
        assertTrue(header.indexOf("zeta") < header.indexOf("alpha") && header.indexOf("alpha") < header.indexOf("h.10"),
                header);
    }

    @Test
    void metadataRoundTripsInOrder() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("source", "Attention Studio ✓ — ünïcode");
        meta.put("empty", "");
        Path file = dir.resolve("meta.safetensors");
        SafeTensors.write(file, Map.of("w", new Tensor(new float[] {1, 2}, new long[] {2}, DType.F32)), meta);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(meta, st.metadata());
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(st.metadata().keySet()));
            assertEquals(List.of("w"), st.names());
            assertThrows(UnsupportedOperationException.class, () -> st.metadata().put("x", "y"));
        }
        SafeTensors.write(file, Map.of("w", new Tensor(new float[] {1, 2}, new long[] {2}, DType.F32)), null);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void scalarsEmptyTensorsAndEmptyFiles() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("scalar", new Tensor(new float[] {4.5f}, new long[] {}, DType.F32));
        tensors.put("empty", new Tensor(new float[0], new long[] {0, 3}, DType.F16));
        tensors.put("after", new Tensor(new float[] {-1, 2}, new long[] {2}, DType.BF16));
        Path file = dir.resolve("edge.safetensors");
        SafeTensors.write(file, tensors, null);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertArrayEquals(new float[] {4.5f}, st.readFloats("scalar"), 0f);
            assertEquals(1, st.info("scalar").elements());
            assertEquals(0, st.readFloats("empty").length);
            assertArrayEquals(new long[] {0, 3}, st.info("empty").shape());
            assertArrayEquals(new float[] {-1, 2}, st.readFloats("after"), 0f);
        }
        Path none = dir.resolve("none.safetensors");
        SafeTensors.write(none, Map.of(), null);
        try (SafeTensors st = SafeTensors.open(none)) {
            assertTrue(st.names().isEmpty());
        }
    }

    @Test
    void headerIsPaddedSoDataIsEightByteAligned() throws IOException {
        Path file = dir.resolve("aligned.safetensors");
        for (String name : List.of("a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh")) {
            SafeTensors.write(file, Map.of(name, new Tensor(new float[] {1}, new long[] {1}, DType.F32)), null);
            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, n % 8, name);
            assertEquals(8 + n + 4, bytes.length);
        }
    }

    @Test
    void readsFilesFromOtherWritersWithPaddingAndOutOfOrderOffsets() throws IOException {
        // Metadata in the middle, data stored in a different order than the header lists it, trailing spaces.
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(7f).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x4040)
                .putShort((short) 0xBF80);
        Path file = craft("other.safetensors", "{\"b\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [8, 12]},"
                + " \"__metadata__\": {\"format\": \"pt\"},"
                + " \"a\": {\"data_offsets\": [0, 4], \"shape\": [], \"dtype\": \"F32\", \"extra\": 1},"
                + " \"h\": {\"dtype\": \"F16\", \"shape\": [1, 2], \"data_offsets\": [4, 8]}}     ", data.array());
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("b", "a", "h"), st.names());
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new float[] {7f}, st.readFloats("a"), 0f);
            assertArrayEquals(new float[] {1f, -2f}, st.readFloats("h"), 0f);
            assertArrayEquals(new float[] {3f, -1f}, st.readFloats("b"), 0f);
        }
    }

    @Test
    void loadGivesFloat32NDArraysOfTheShape() throws IOException {
        float[] values = {-3.5f, 0f, 1.25f, 1e-3f, 250f, -0.0078125f};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", new Tensor(values, new long[] {2, 3}, DType.F32));
        tensors.put("f16", new Tensor(values, new long[] {3, 2}, DType.F16));
        tensors.put("bf16", new Tensor(values, new long[] {1, 2, 3}, DType.BF16));
        tensors.put("scalar", new Tensor(new float[] {2f}, new long[] {}, DType.BF16));
        Path file = dir.resolve("load.safetensors");
        SafeTensors.write(file, tensors, null);
        try (SafeTensors st = SafeTensors.open(file); NDManager manager = NDManager.newBaseManager()) {
            for (String name : st.names()) {
                NDArray array = st.load(name, manager);
                assertEquals(DataType.FLOAT32, array.getDataType(), name);
                assertArrayEquals(st.info(name).shape(), array.getShape().getShape(), name);
                assertArrayEquals(st.readFloats(name), array.toFloatArray(), 0f, name);
            }
            assertArrayEquals(values, st.load("f32", manager).toFloatArray(), 0f);
            // BF16 keeps the top 16 bits (1e-3f = 0x3A83126F rounds down to 0x3A83); the rest are exact in bf16.
            float[] bf = st.load("bf16", manager).toFloatArray();
            assertArrayEquals(new float[] {-3.5f, 0f, 1.25f, Float.intBitsToFloat(0x3A830000), 250f, -0.0078125f}, bf, 0f);
        }
    }

    @Test
    void readingAfterCloseFailsClearly() throws IOException {
        Path file = dir.resolve("closed.safetensors");
        SafeTensors.write(file, Map.of("x", new Tensor(new float[] {1}, new long[] {1}, DType.F32)), null);
        SafeTensors st = SafeTensors.open(file);
        st.close();
        st.close();
        assertThrows(IllegalStateException.class, () -> st.readFloats("x"));
        assertEquals(List.of("x"), st.names(), "the header stays available");
    }

    // ---- writing ----

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("a", new Tensor(new float[] {1}, new long[] {1}, DType.F32)), null);
        SafeTensors.write(file, Map.of("b", new Tensor(new float[] {2, 3}, new long[] {2}, DType.F16)), null);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("b"), st.names());
            assertArrayEquals(new float[] {2, 3}, st.readFloats("b"), 0f);
        }
        assertEquals(List.of(file), listDir());

        // The move fails (the target is a non-empty folder): the temporary file must be gone afterwards.
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("inside"));
        assertThrows(IOException.class, () -> SafeTensors.write(blocked,
                Map.of("a", new Tensor(new float[] {1}, new long[] {1}, DType.F32)), null));
        assertEquals(List.of(blocked, file), listDir());
    }

    @Test
    void writeRejectsInconsistentInput() {
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new float[5], new long[] {2, 3}, DType.F32));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new float[0], new long[] {-1}, DType.F32));
        Path file = dir.resolve("bad.safetensors");
        Map<String, Tensor> reserved = Map.of("__metadata__", new Tensor(new float[1], new long[] {1}, DType.F32));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, reserved, null));
        assertFalse(Files.exists(file));
    }

    // ---- validation ----

    @Test
    void rejectsFilesShorterThanEightBytes() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Files.write(file, new byte[] {1, 2, 3, 4, 5});
        assertNamesFileAnd(file, fails(file), "only 5 bytes", "at least 8 bytes");
        Files.write(file, new byte[0]);
        assertNamesFileAnd(file, fails(file), "only 0 bytes");
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(file, b.array());
        assertNamesFileAnd(file, fails(file), "1000 bytes", "only 20 bytes long");

        b.putLong(0, -1L); // u64 max
        Files.write(file, b.array());
        assertNamesFileAnd(file, fails(file), "18446744073709551615", "20 bytes");
    }

    @Test
    void rejectsHeadersThatAreNotJsonObjects() throws IOException {
        assertNamesFileAnd(fails(craft("a.safetensors", "{\"x\": {\"dtype\": ", new byte[0])), "not valid JSON");
        assertNamesFileAnd(fails(craft("b.safetensors", "[1, 2, 3]", new byte[0])), "not a JSON object",
                "array");
        assertNamesFileAnd(fails(craft("c.safetensors", "{} {}", new byte[0])), "not valid JSON");
        assertNamesFileAnd(fails(craft("d.safetensors", "        ", new byte[0])), "header is empty");
        Path file = dir.resolve("e.safetensors");
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4)
                .put(new byte[] {'{', (byte) 0xFF, (byte) 0xFE, '}'});
        Files.write(file, b.array());
        assertNamesFileAnd(file, fails(file), "not valid UTF-8");
        assertNamesFileAnd(fails(craft("f.safetensors",
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])),
                "not valid JSON", "x");
    }

    @Test
    void rejectsEntriesMissingFields() throws IOException {
        assertNamesFileAnd(fails(craft("a.safetensors", "{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}",
                new byte[4])), "tensor 'w'", "missing 'dtype'");
        assertNamesFileAnd(fails(craft("b.safetensors", "{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}",
                new byte[4])), "tensor 'w'", "missing 'shape'");
        assertNamesFileAnd(fails(craft("c.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}",
                new byte[4])), "tensor 'w'", "missing 'data_offsets'");
        assertNamesFileAnd(fails(craft("d.safetensors", "{\"w\": 5}", new byte[0])), "tensor 'w'",
                "should be a JSON object");
        assertNamesFileAnd(fails(craft("e.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5],"
                + " \"data_offsets\": [0, 4]}}", new byte[4])), "tensor 'w'", "shape", "whole numbers");
        assertNamesFileAnd(fails(craft("f.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [1],"
                + " \"data_offsets\": [0]}}", new byte[4])), "tensor 'w'", "data_offsets", "two whole numbers");
        assertNamesFileAnd(fails(craft("g.safetensors", "{\"__metadata__\": {\"n\": 3}}", new byte[0])),
                "__metadata__", "'n'", "should be text");
    }

    @Test
    void rejectsUnsupportedDtypesNamingThemAndTheSupportedOnes() throws IOException {
        Path file = craft("i64.safetensors", "{\"position_ids\": {\"dtype\": \"I64\", \"shape\": [2],"
                + " \"data_offsets\": [0, 16]}}", new byte[16]);
        assertNamesFileAnd(file, fails(file), "tensor 'position_ids'", "'I64'", "not supported", "F32, F16, BF16");
        Path lower = craft("lower.safetensors", "{\"w\": {\"dtype\": \"f32\", \"shape\": [1],"
                + " \"data_offsets\": [0, 4]}}", new byte[4]);
        assertNamesFileAnd(lower, fails(lower), "'f32'", "not supported");
    }

    @Test
    void rejectsNegativeDimensions() throws IOException {
        Path file = craft("neg.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, -3],"
                + " \"data_offsets\": [0, 0]}}", new byte[0]);
        assertNamesFileAnd(file, fails(file), "tensor 'w'", "negative dimension (-3)", "[2, -3]");
    }

    @Test
    void rejectsOffsetsOutsideTheDataRegionOrBackwards() throws IOException {
        Path past = craft("past.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [100],"
                + " \"data_offsets\": [0, 400]}}", new byte[300]);
        assertNamesFileAnd(past, fails(past), "tensor 'w'", "[0, 400]", "past the end", "300 bytes");
        Path backwards = craft("back.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [1],"
                + " \"data_offsets\": [8, 4]}}", new byte[8]);
        assertNamesFileAnd(backwards, fails(backwards), "tensor 'w'", "[8, 4]", "end comes before its begin");
        Path negative = craft("negoff.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [1],"
                + " \"data_offsets\": [-4, 0]}}", new byte[8]);
        assertNamesFileAnd(negative, fails(negative), "tensor 'w'", "outside the data region");
    }

    @Test
    void rejectsByteLengthsThatDoNotMatchTheShape() throws IOException {
        Path file = craft("len.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3],"
                + " \"data_offsets\": [0, 20]}}", new byte[24]);
        assertNamesFileAnd(file, fails(file), "tensor 'w'", "holds 20 bytes", "needs 6 × 4 = 24 bytes");
        Path half = craft("len16.safetensors", "{\"w\": {\"dtype\": \"BF16\", \"shape\": [3],"
                + " \"data_offsets\": [0, 12]}}", new byte[12]);
        assertNamesFileAnd(half, fails(half), "holds 12 bytes", "6 bytes");
    }

    @Test
    void rejectsTensorsWithTooManyElements() throws IOException {
        Path file = craft("huge.safetensors", "{\"w\": {\"dtype\": \"F16\", \"shape\": [65536, 65536],"
                + " \"data_offsets\": [0, 8]}}", new byte[8]);
        assertNamesFileAnd(file, fails(file), "tensor 'w'", "too large", "4294967296 elements", "2147483647");
        Path overflow = craft("overflow.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\":"
                + " [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 8]}}", new byte[8]);
        assertNamesFileAnd(overflow, fails(overflow), "tensor 'w'", "too large", "more than 2^63");
    }

    @Test
    void rejectsMissingFilesAndFolders() throws IOException {
        Path missing = dir.resolve("nope.safetensors");
        assertNamesFileAnd(missing, fails(missing), "does not exist");
        Path folder = Files.createDirectory(dir.resolve("folder.safetensors"));
        assertNamesFileAnd(folder, fails(folder), "folder");
    }

    // ---- helpers ----

    /** Writes an 8-byte little-endian header length, the header text as UTF-8, then the data bytes. */
    private Path craft(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    private static ModelFormatException fails(Path file) {
        return assertThrows(ModelFormatException.class, () -> SafeTensors.open(file).close());
    }

    private static void assertNamesFileAnd(ModelFormatException e, String... parts) {
        assertNamesFileAnd(e.file(), e, parts);
    }

    private static void assertNamesFileAnd(Path file, ModelFormatException e, String... parts) {
        assertEquals(file, e.file());
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file + ": "), msg);
        for (String part : parts) {
            assertTrue(msg.contains(part), () -> "expected '" + part + "' in: " + msg);
        }
    }

    /** The data region of a file, little-endian, read independently of SafeTensors. */
    private static ByteBuffer dataRegion(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return ByteBuffer.wrap(bytes, (int) (8 + n), (int) (bytes.length - 8 - n)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String headerText(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
