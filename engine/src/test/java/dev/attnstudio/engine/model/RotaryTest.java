package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static org.junit.jupiter.api.Assertions.*;

/** What makes rotary embeddings position embeddings: lengths kept, scores that see only relative positions. */
class RotaryTest {

    private static final int H = 16;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager(DjlRuntime.device(DjlRuntime.DeviceChoice.CPU), DjlRuntime.engine().getEngineName());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** [1, T, heads, H] from row-major values. */
    private float[] rotate(Rotary r, float[] x, int t, int heads, int start) {
        try (NDArray in = manager.create(x, new Shape(1, t, heads, H)); NDArray out = r.apply(in, start, manager)) {
            return out.toFloatArray();
        }
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (2 * random.nextDouble() - 1);
        }
        return v;
    }

    private static double dot(float[] a, int offA, float[] b, int offB) {
        double s = 0;
        for (int e = 0; e < H; e++) {
            s += a[offA + e] * b[offB + e];
        }
        return s;
    }

    @Test
    void theLayoutIsRotateHalf() {
        // h = 4, theta = 10000: pairs (0, 2) turn by p, (1, 3) by p / 100. e0 at position 1 -> [cos 1, 0, sin 1, 0];
        // an interleaved (GPT-J) layout would give [cos 1, sin 1, 0, 0].
        Rotary r = new Rotary(4, 10000);
        try (NDArray e0 = manager.create(new float[] {1, 0, 0, 0}, new Shape(1, 1, 1, 4));
             NDArray out = r.apply(e0, 1, manager)) {
            assertArrayEquals(new float[] {(float) Math.cos(1), 0, (float) Math.sin(1), 0}, out.toFloatArray(), 1e-7f);
        }
        try (NDArray e1 = manager.create(new float[] {0, 1, 0, 0}, new Shape(1, 1, 1, 4));
             NDArray out = r.apply(e1, 7, manager)) {
            assertArrayEquals(new float[] {0, (float) Math.cos(0.07), 0, (float) Math.sin(0.07)}, out.toFloatArray(), 1e-7f);
        }
    }

    @Test
    void matchesTheReferenceRotationAtAnyStart() {
        Rotary r = new Rotary(H, 10000);
        SplittableRandom random = new SplittableRandom(3);
        int t = 40;
        int heads = 3;
        float[] x = random(random, t * heads * H);
        float[] whole = rotate(r, x, t, heads, 0);
        for (int p = 0; p < t; p++) {
            double[] row = new double[heads * H];
            for (int i = 0; i < row.length; i++) {
                row[i] = x[p * heads * H + i];
            }
            ReferenceLlama.rotate(row, heads, H, p, 10000);
            for (int i = 0; i < row.length; i++) {
                assertEquals(row[i], whole[p * heads * H + i], 2e-6, "position " + p + " coordinate " + i);
            }
        }
        // a decode pass rotates its one position by its absolute position, as the whole sequence would
        float[] last = rotate(r, Arrays.copyOfRange(x, (t - 1) * heads * H, t * heads * H), 1, heads, t - 1);
        assertArrayEquals(Arrays.copyOfRange(whole, (t - 1) * heads * H, t * heads * H), last, 0f);
    }

    @Test
    void rotationKeepsEveryVectorsLength() {
        Rotary r = new Rotary(H, 10000);
        SplittableRandom random = new SplittableRandom(5);
        int t = 50;
        int heads = 2;
        float[] x = random(random, t * heads * H);
        float[] y = rotate(r, x, t, heads, 7);
        boolean moved = false;
        for (int v = 0; v < t * heads; v++) {
            double before = Math.sqrt(dot(x, v * H, x, v * H));
            double after = Math.sqrt(dot(y, v * H, y, v * H));
            assertEquals(before, after, 1e-5 * before, "vector " + v);
            moved |= Math.abs(x[v * H] - y[v * H]) > 1e-3;
        }
        assertTrue(moved, "the vectors must actually turn");
    }

    @Test
    void scoresDependOnlyOnRelativePosition() {
        Rotary r = new Rotary(H, 10000);
        SplittableRandom random = new SplittableRandom(9);
        float[] qv = random(random, H);
        float[] kv = random(random, H);
        int t = 48;
        float[] qs = new float[t * H];
        float[] ks = new float[t * H];
        for (int p = 0; p < t; p++) {
            System.arraycopy(qv, 0, qs, p * H, H);
            System.arraycopy(kv, 0, ks, p * H, H);
        }
        float[] rq = rotate(r, qs, t, 1, 0);
        float[] rk = rotate(r, ks, t, 1, 0);
        double spread = 0;
        for (int m = 0; m < 16; m++) {
            for (int n = 0; n < 16; n++) {
                double base = dot(rq, m * H, rk, n * H);
                spread = Math.max(spread, Math.abs(base - dot(rq, 0, rk, 0)));
                for (int s : new int[] {1, 5, 17, 31}) {
                    assertEquals(base, dot(rq, (m + s) * H, rk, (n + s) * H), 1e-4, "m " + m + " n " + n + " shift " + s);
                }
            }
        }
        assertTrue(spread > 0.1, "scores must depend on the relative position: " + spread);
    }

    /** The same through the engine: one token repeated, its rot_q and rot_k hooks in every head of block 0. */
    @Test
    void theEnginesRotatedHooksScoreByRelativePosition() {
        long[] same = new long[20];
        Arrays.fill(same, 42);
        try (LoadedModel m = LlamaModelTest.load(LlamaModelTest.GQA, RandomLlama.tensors(LlamaModelTest.GQA, 5, 0.25f));
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(same);
            s.runToEnd();
            TensorData q = s.read(Q.at(0));
            TensorData rq = s.read(ROT_Q.at(0));
            TensorData rk = s.read(ROT_K.at(0));
            for (int head = 0; head < 4; head++) {
                int kvHead = head / 2;
                double spread = 0;
                for (int p = 0; p < same.length; p++) {
                    double before = norm(q.row(0, p, head));
                    assertEquals(before, norm(rq.row(0, p, head)), 1e-5 * before, "norm of rot_q at " + p);
                }
                for (int mq = 0; mq < 10; mq++) {
                    for (int nk = 0; nk < 10; nk++) {
                        double base = dot8(rq.row(0, mq, head), rk.row(0, nk, kvHead));
                        spread = Math.max(spread, Math.abs(base - dot8(rq.row(0, 0, head), rk.row(0, 0, kvHead))));
                        for (int shift : new int[] {1, 4, 9}) {
                            double moved = dot8(rq.row(0, mq + shift, head), rk.row(0, nk + shift, kvHead));
                            assertEquals(base, moved, 1e-4 * Math.max(1, Math.abs(base)),
                                    "head " + head + " m " + mq + " n " + nk + " shift " + shift);
                        }
                    }
                }
                assertTrue(spread > 1e-2, "rotation must change the scores with distance, head " + head);
            }
        }
    }

    private static double norm(float[] v) {
        return Math.sqrt(dot8(v, v));
    }

    private static double dot8(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * GPT-NeoX's partial rotary: with r = 4 of h = 8, coordinates 0..3 turn as a 4-wide rotary would (frequencies
     * theta^(-2i/r), not theta^(-2i/h)), in the rotate_half layout within them; 4..7 pass through bit for bit.
     */
    @Test
    void partialRotaryTurnsOnlyTheLeadingCoordinatesWithFrequenciesOfTheirOwnWidth() {
        Rotary partial = new Rotary(8, 4, 10000);
        try (NDArray e1 = manager.create(new float[] {0, 1, 0, 0, 0, 0, 0, 0}, new Shape(1, 1, 1, 8));
             NDArray out = partial.apply(e1, 7, manager)) {
            // pair (1, 3) turns by 7 * 10000^(-2/4) = 0.07; with frequencies of h = 8 it would be 7 * 10000^(-1/4)
            assertArrayEquals(new float[] {0, (float) Math.cos(0.07), 0, (float) Math.sin(0.07), 0, 0, 0, 0},
                    out.toFloatArray(), 1e-7f);
        }
        Rotary narrow = new Rotary(4, 10000);
        SplittableRandom random = new SplittableRandom(13);
        int t = 9;
        int heads = 2;
        float[] x = random(random, t * heads * 8);
        float[] head = new float[t * heads * 4];
        for (int v = 0; v < t * heads; v++) {
            System.arraycopy(x, v * 8, head, v * 4, 4);
        }
        try (NDArray in = manager.create(x, new Shape(1, t, heads, 8)); NDArray out = partial.apply(in, 3, manager);
             NDArray lead = manager.create(head, new Shape(1, t, heads, 4)); NDArray turned = narrow.apply(lead, 3, manager)) {
            float[] y = out.toFloatArray();
            float[] expected = turned.toFloatArray();
            for (int v = 0; v < t * heads; v++) {
                assertArrayEquals(Arrays.copyOfRange(expected, v * 4, v * 4 + 4), Arrays.copyOfRange(y, v * 8, v * 8 + 4),
                        0f, "vector " + v + ": the leading 4 coordinates");
                assertArrayEquals(Arrays.copyOfRange(x, v * 8 + 4, v * 8 + 8), Arrays.copyOfRange(y, v * 8 + 4, v * 8 + 8),
                        0f, "vector " + v + ": the tail passes through");
            }
        }
        assertTrue(partial.math("q", 0, 3).contains("first r = 4 of h = 8"), partial.math("q", 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new Rotary(8, 3, 10000), "an odd number cannot pair up");
        assertThrows(IllegalArgumentException.class, () -> new Rotary(8, 10, 10000), "wider than the head");
    }

    /** Rotating every coordinate through the partial constructor is LLaMA's rotation, bit for bit. */
    @Test
    void fullWidthIsTheLlamaRotationExactly() {
        SplittableRandom random = new SplittableRandom(17);
        float[] x = random(random, 20 * 3 * H);
        assertArrayEquals(rotate(new Rotary(H, 500000), x, 20, 3, 5), rotate(new Rotary(H, H, 500000), x, 20, 3, 5), 0f);
    }
}
