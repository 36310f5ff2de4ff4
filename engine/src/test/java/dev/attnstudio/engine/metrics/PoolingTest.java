package dev.attnstudio.engine.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolingTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** A 5x5 matrix: 2x2 blocks give a 3x3 result whose last row and column pool partial blocks. */
    private static final float[] M = {
            1, 2, 3, 4, 5,
            6, 7, 8, 9, 10,
            11, 12, 13, 14, 15,
            16, 17, 18, 19, 20,
            21, 22, 23, 24, 25,
    };

    @Test
    void maxPoolingTakesTheLargestOfEachBlockIncludingPartialBlocks() {
        // blocks by hand: {1,2,6,7} {3,4,8,9} {5,10} / {11,12,16,17} {13,14,18,19} {15,20} / {21,22} {23,24} {25}
        assertArrayEquals(new float[] {7, 9, 10, 17, 19, 20, 22, 24, 25}, Pooling.pool(M, 5, 5, 2, Pooling.Rule.MAX));
    }

    @Test
    void meanPoolingAveragesEachBlockOverTheCellsItHas() {
        assertArrayEquals(new float[] {4, 6, 7.5f, 14, 16, 17.5f, 21.5f, 23.5f, 25},
                Pooling.pool(M, 5, 5, 2, Pooling.Rule.MEAN), 1e-6f);
    }

    @Test
    void aWindowIsPooledFromItsOwnCorner() {
        // rows 1..3, cols 2..4 of M in 3x3 blocks: one block {8,9,10,13,14,15,18,19,20}
        assertArrayEquals(new float[] {20}, Pooling.pool(M, 0, 5, 1, 2, 3, 3, 3, Pooling.Rule.MAX));
        assertArrayEquals(new float[] {14}, Pooling.pool(M, 0, 5, 1, 2, 3, 3, 3, Pooling.Rule.MEAN), 1e-6f);
        // an offset selects a later matrix in the same array (e.g. head 1 of [H, T, K])
        float[] two = new float[50];
        System.arraycopy(M, 0, two, 25, 25);
        assertArrayEquals(Pooling.pool(M, 5, 5, 2, Pooling.Rule.MAX), Pooling.pool(two, 25, 5, 0, 0, 5, 5, 2, Pooling.Rule.MAX));
    }

    @Test
    void factorOneCopiesTheWindow() {
        assertArrayEquals(new float[] {7, 8, 12, 13}, Pooling.pool(M, 0, 5, 1, 1, 2, 2, 1, Pooling.Rule.MEAN));
    }

    @Test
    void maskedCellsAreLeftOutUnlessTheWholeBlockIsMasked() {
        float[] causal = {
                0.5f, NEG_INF, NEG_INF, NEG_INF,
                0.2f, 0.4f, NEG_INF, NEG_INF,
                0.1f, 0.3f, 0.6f, NEG_INF,
                -1f, 0.0f, 0.9f, 0.3f,
        };
        float[] max = Pooling.pool(causal, 4, 4, 2, Pooling.Rule.MAX);
        assertArrayEquals(new float[] {0.5f, NEG_INF, 0.3f, 0.9f}, max);
        float[] mean = Pooling.pool(causal, 4, 4, 2, Pooling.Rule.MEAN);
        assertArrayEquals(new float[] {(0.5f + 0.2f + 0.4f) / 3, NEG_INF, (0.1f + 0.3f - 1f + 0f) / 4, (0.6f + 0.9f + 0.3f) / 3},
                mean, 1e-6f);
    }

    @Test
    void aWideMatrixPoolsPartialBlocksOnBothAxesAndKeepsMaskedAndNanBlocksApart() {
        // 3x5 in 2x2 blocks: a partial last row and column; -inf drops out of a block that has other values
        float[] m = {
                1, 2, 0, NEG_INF, 5,
                3, 0, NEG_INF, NEG_INF, 0,
                0, 0, 9, 0, 0,
        };
        assertArrayEquals(new float[] {3, 0, 5, 0, 9, 0}, Pooling.pool(m, 3, 5, 2, Pooling.Rule.MAX));
        // a wholly masked block stays -inf beside a block whose NaN comes after a larger value
        float[] masked = {NEG_INF, NEG_INF, 1, Float.NaN, NEG_INF, NEG_INF, 0, 0};
        float[] pooled = Pooling.pool(masked, 2, 4, 2, Pooling.Rule.MAX);
        assertEquals(NEG_INF, pooled[0]);
        assertTrue(Float.isNaN(pooled[1]));
    }

    @Test
    void aNanPoisonsItsBlock() {
        float[] m = {1, Float.NaN, 3, 4};
        assertTrue(Float.isNaN(Pooling.pool(m, 2, 2, 2, Pooling.Rule.MAX)[0]));
        assertTrue(Float.isNaN(Pooling.pool(m, 2, 2, 2, Pooling.Rule.MEAN)[0]));
    }

    @Test
    void factorFitsCellsIntoPixels() {
        assertEquals(1, Pooling.factor(256, 512));
        assertEquals(1, Pooling.factor(256, 256));
        assertEquals(2, Pooling.factor(257, 256));
        assertEquals(4, Pooling.factor(1024, 300));
        assertEquals(3, Pooling.blocks(5, 2));
    }

    @Test
    void aWindowOutsideTheMatrixIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Pooling.pool(M, 0, 5, 3, 0, 3, 5, 2, Pooling.Rule.MAX));
        assertThrows(IllegalArgumentException.class, () -> Pooling.pool(M, 0, 5, 0, 3, 2, 3, 2, Pooling.Rule.MAX));
        assertThrows(IllegalArgumentException.class, () -> Pooling.pool(M, 5, 5, 0, Pooling.Rule.MAX));
    }
}
