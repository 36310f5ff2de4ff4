package dev.attnstudio.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void headerOfASmallFloatArrayIsByteExact() throws IOException {
        Path file = dir.resolve("a.npy");
        Npy.writeFloat32(file, new long[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5});
        byte[] bytes = Files.readAllBytes(file);

        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // 10 preamble bytes + 59 dict bytes + newline = 70, padded with spaces to 128.
        byte[] expected = new byte[128];
        byte[] preamble = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
        System.arraycopy(preamble, 0, expected, 0, 10);
        System.arraycopy(dict.getBytes(StandardCharsets.US_ASCII), 0, expected, 10, dict.length());
        Arrays.fill(expected, 10 + dict.length(), 127, (byte) ' ');
        expected[127] = '\n';

        assertEquals(128 + 6 * 4, bytes.length);
        assertArrayEquals(expected, Arrays.copyOf(bytes, 128));
        ByteBuffer data = ByteBuffer.wrap(bytes, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            assertEquals(i, data.getFloat(), "value " + i);
        }
    }

    @Test
    void headersAreAlignedTo64BytesForEveryRank() {
        for (long[] shape : List.of(new long[0], new long[] {7}, new long[] {1, 4, 12, 12},
                new long[] {123456789, 2, 3, 4, 5, 6, 7, 8})) {
            byte[] h = Npy.header(Npy.FLOAT32, shape);
            assertEquals(0, h.length % 64, Arrays.toString(shape));
            assertEquals('\n', h[h.length - 1]);
            int declared = (h[8] & 0xFF) | (h[9] & 0xFF) << 8;
            assertEquals(h.length - 10, declared);
        }
        assertTrue(new String(Npy.header(Npy.FLOAT32, new long[] {7}), StandardCharsets.US_ASCII).contains("'shape': (7,)"));
        assertTrue(new String(Npy.header(Npy.FLOAT32, new long[0]), StandardCharsets.US_ASCII).contains("'shape': ()"));
    }

    @Test
    void floatsRoundTrip() throws IOException {
        long[] shape = {1, 3, 5, 7};
        float[] values = new float[105];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i) * 1e3f;
        }
        values[3] = Float.NaN;
        values[4] = Float.NEGATIVE_INFINITY;
        values[5] = -0f;
        Path file = dir.resolve("x.npy");
        Npy.writeFloat32(file, shape, values);
        Npy.Float32 back = Npy.readFloat32(file);
        assertArrayEquals(shape, back.shape());
        assertArrayEquals(values, back.values());
    }

    @Test
    void largeArraysCrossChunkBoundaries() throws IOException {
        float[] values = new float[(1 << 20) / 4 * 3 + 17];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        Path file = dir.resolve("big.npy");
        Npy.writeFloat32(file, new long[] {values.length}, values);
        assertArrayEquals(values, Npy.readFloat32(file).values());
    }

    @Test
    void emptyAndScalarArraysRoundTrip() throws IOException {
        Path empty = dir.resolve("empty.npy");
        Npy.writeFloat32(empty, new long[] {1, 0, 4}, new float[0]);
        assertArrayEquals(new long[] {1, 0, 4}, Npy.readFloat32(empty).shape());
        Path scalar = dir.resolve("scalar.npy");
        Npy.writeFloat32(scalar, new long[0], new float[] {2.5f});
        Npy.Float32 back = Npy.readFloat32(scalar);
        assertEquals(0, back.shape().length);
        assertArrayEquals(new float[] {2.5f}, back.values());
    }

    @Test
    void int64RoundTrips() throws IOException {
        Path file = dir.resolve("ids.npy");
        long[] ids = {50256, 0, 17, Long.MAX_VALUE, -1};
        Npy.writeInt64(file, new long[] {1, 5}, ids);
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("'descr': '<i8'"));
        Npy.Int64 back = Npy.readInt64(file);
        assertArrayEquals(new long[] {1, 5}, back.shape());
        assertArrayEquals(ids, back.values());
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("w.npy");
        Npy.writeFloat32(file, new long[] {2}, new float[] {1, 2});
        Npy.writeFloat32(file, new long[] {3}, new float[] {4, 5, 6});
        assertArrayEquals(new float[] {4, 5, 6}, Npy.readFloat32(file).values());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void mismatchedShapeIsRejectedBeforeWriting() {
        Path file = dir.resolve("bad.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.writeFloat32(file, new long[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("holds 6 values, got 5"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void readerExplainsWhatIsWrong() throws IOException {
        Path notNpy = dir.resolve("text.npy");
        Files.writeString(notNpy, "hello, this is not numpy at all");
        assertMessage(notNpy, "not a .npy file");

        Path ids = dir.resolve("ids.npy");
        Npy.writeInt64(ids, new long[] {2}, new long[] {1, 2});
        assertMessage(ids, "dtype is '<i8' (int64), expected '<f4' (float32)");

        Path truncated = dir.resolve("truncated.npy");
        Npy.writeFloat32(truncated, new long[] {4}, new float[4]);
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
        assertMessage(truncated, "truncated");

        Path fortran = dir.resolve("fortran.npy");
        Npy.writeFloat32(fortran, new long[] {2, 2}, new float[4]);
        byte[] f = Files.readAllBytes(fortran);
        String text = new String(f, StandardCharsets.ISO_8859_1).replace("'fortran_order': False", "'fortran_order': True ");
        Files.write(fortran, text.getBytes(StandardCharsets.ISO_8859_1));
        assertMessage(fortran, "Fortran order");

        Path shortFile = dir.resolve("short.npy");
        Files.write(shortFile, new byte[] {(byte) 0x93, 'N'});
        assertMessage(shortFile, "too short");
    }

    private static void assertMessage(Path file, String fragment) {
        Npy.FormatException e = assertThrows(Npy.FormatException.class, () -> Npy.readFloat32(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    /** The real check: NumPy itself loads the files (skipped where python3 with numpy is not installed). */
    @Test
    void numpyReadsWhatWeWrite() throws Exception {
        assumeTrue(numpyAvailable(), "python3 with numpy is not installed");
        Path floats = dir.resolve("f.npy");
        Npy.writeFloat32(floats, new long[] {2, 3}, new float[] {0, 1.5f, -2, 3, 4, 5.25f});
        Path ids = dir.resolve("i.npy");
        Npy.writeInt64(ids, new long[] {1, 3}, new long[] {3, 17, 50256});
        String script = String.join("\n",
                "import sys, numpy as np",
                "f = np.load(sys.argv[1]); i = np.load(sys.argv[2])",
                "assert f.dtype == np.float32 and f.shape == (2, 3), (f.dtype, f.shape)",
                "assert f.tolist() == [[0, 1.5, -2], [3, 4, 5.25]], f.tolist()",
                "assert i.dtype == np.int64 and i.tolist() == [[3, 17, 50256]], (i.dtype, i.tolist())",
                "np.save(sys.argv[3], np.arange(12, dtype='<f4').reshape(3, 4))",
                "print('ok')");
        Path fromNumpy = dir.resolve("from-numpy.npy");
        Process p = new ProcessBuilder("python3", "-c", script, floats.toString(), ids.toString(), fromNumpy.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertEquals("ok", output.strip());

        Npy.Float32 back = Npy.readFloat32(fromNumpy);
        assertArrayEquals(new long[] {3, 4}, back.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, back.values());
    }

    private static boolean numpyAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
