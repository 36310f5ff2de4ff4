package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The split product gives the single product's values to float rounding (its kernel may add the 768 terms in another
 * order; a row block out of place or a row left over lost would be off by the size of the values): for 1 to 8 rows,
 * with 2 and 3 threads (so blocks of an odd row count leave rows over), inputs shaped [rows, in] and [B, T, in]; and it
 * splits only where it pays.
 */
class RowBlockProductTest {

    private static final long IN = 768;
    /** Of the largest output (about 40 here); float32 sums of 768 terms differ by order in the 7th digit. */
    private static final float ROUNDING = 4e-6f;
    private static final long OUT = 2_733; // 8.0 MiB in float32: just above the threshold; odd, and not a multiple of 3

    @Test
    void equalsTheSingleProductToRounding() {
        int before = DjlRuntime.intraOpThreads();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray w = m.randomNormal(new Shape(OUT, IN));
            for (int threads : new int[] {2, 3}) {
                DjlRuntime.setIntraOpThreads(threads);
                for (long[] shape : new long[][] {{1, 1, IN}, {1, IN}, {2, 1, IN}, {4, IN}, {2, 4, IN}}) {
                    NDArray x = m.randomNormal(new Shape(shape));
                    assertEquals(threads, RowBlockProduct.parts(x, w), "split for " + new Shape(shape));
                    NDArray split = RowBlockProduct.timesTransposed(x, w);
                    NDArray single = x.matMul(w.transpose());
                    assertEquals(single.getShape(), split.getShape());
                    float[] expected = single.toFloatArray();
                    float[] actual = split.toFloatArray();
                    float largest = single.abs().max().getFloat();
                    assertArrayEquals(expected, actual, ROUNDING * largest, "x " + new Shape(shape) + ", " + threads + " threads");
                }
            }
        } finally {
            DjlRuntime.setIntraOpThreads(before);
        }
    }

    @Test
    void keepsOneProductWhereSplittingDoesNotPay() {
        int before = DjlRuntime.intraOpThreads();
        try (NDManager m = NDManager.newBaseManager()) {
            DjlRuntime.setIntraOpThreads(2);
            NDArray large = m.zeros(new Shape(OUT, IN));
            NDArray small = m.zeros(new Shape(768, IN)); // 2.3 MiB
            assertEquals(1, RowBlockProduct.parts(m.zeros(new Shape(1, 9, IN)), large), "9 rows: a matrix product");
            assertEquals(1, RowBlockProduct.parts(m.zeros(new Shape(1, IN)), small), "a small weight");
            DjlRuntime.setIntraOpThreads(1);
            assertEquals(1, RowBlockProduct.parts(m.zeros(new Shape(1, IN)), large), "one thread");
        } finally {
            DjlRuntime.setIntraOpThreads(before);
        }
    }
}
