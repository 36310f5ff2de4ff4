package dev.attnstudio.engine.metrics;

import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HeadEntropyTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** One batch row, two heads, three queries; query 0 sees one key, query 2 is padding. */
    private static final HeadEntropy ENTROPY = new HeadEntropy(0, 1, 2, 3,
            new float[6],
            new float[] {0.0f, 0.4f, 0.9f, 0.0f, 0.2f, 0.1f},
            new int[] {1, 2, 3, 1, 2, 3});

    @Test
    void entropyIsNormalizedByTheKeysTheMaskAllows() {
        // [1, 1, 3, 3] causal pattern; the mask [1, 1, 3, 3] allows 1, 2 and 3 keys
        TensorData pattern = new TensorData("p", new long[] {1, 1, 3, 3},
                new float[] {1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f});
        TensorData mask = new TensorData("m", new long[] {1, 1, 3, 3},
                new float[] {0, NEG_INF, NEG_INF, 0, 0, NEG_INF, 0, 0, 0});
        HeadEntropy e = HeadEntropy.of(4, pattern, mask);
        assertEquals(0f, e.entropy(0, 0, 0), 1e-6f);
        assertEquals(0f, e.normalized(0, 0, 0), "one allowed key: 0 by definition");
        assertEquals(Math.log(2), e.entropy(0, 0, 1), 1e-6);
        assertEquals(1f, e.normalized(0, 0, 1), 1e-6f, "uniform over the allowed keys");
        double h2 = -(0.2 * Math.log(0.2) + 0.3 * Math.log(0.3) + 0.5 * Math.log(0.5));
        assertEquals(h2 / Math.log(3), e.normalized(0, 0, 2), 1e-6);
        assertEquals((1 + h2 / Math.log(3)) / 2, e.meanNormalized(0, 0), 1e-6, "single-key rows are left out");
    }

    @Test
    void aQueryMaskLeavesOutPaddingRows() {
        assertEquals(0.4f, ENTROPY.meanNormalized(0, 0, new long[] {1, 1, 0}), 1e-6f);
        assertEquals(0.2f, ENTROPY.meanNormalized(0, 1, new long[] {1, 1, 0}), 1e-6f);
        // without a mask every row counts, the padding one included
        assertEquals(0.65f, ENTROPY.meanNormalized(0, 0), 1e-6f);
        assertEquals(ENTROPY.meanNormalized(0, 1), ENTROPY.meanNormalized(0, 1, null), 1e-6f);
        // no real query with more than one key: 0
        assertEquals(0f, ENTROPY.meanNormalized(0, 0, new long[] {1, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> ENTROPY.meanNormalized(0, 0, new long[] {1, 1}));
    }
}
