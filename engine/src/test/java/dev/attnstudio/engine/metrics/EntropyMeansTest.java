package dev.attnstudio.engine.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EntropyMeansTest {

    /** One batch row, two heads, three queries; query 0 sees one key, query 2 is padding. */
    private static final HeadEntropy ENTROPY = new HeadEntropy(0, 1, 2, 3,
            new float[6],
            new float[] {0.0f, 0.4f, 0.9f, 0.0f, 0.2f, 0.1f},
            new int[] {1, 2, 3, 1, 2, 3});

    @Test
    void leavesOutPaddingQueriesAndSingleKeyRows() {
        assertArrayEquals(new float[] {0.4f, 0.2f}, EntropyMeans.meanNormalized(ENTROPY, 0, new long[] {1, 1, 0}), 1e-6f);
        // without a mask it agrees with HeadEntropy's own mean
        float[] all = EntropyMeans.meanNormalized(ENTROPY, 0, null);
        assertEquals(ENTROPY.meanNormalized(0, 0), all[0], 1e-6f);
        assertEquals(ENTROPY.meanNormalized(0, 1), all[1], 1e-6f);
        assertEquals(0.65f, all[0], 1e-6f);
    }
}
