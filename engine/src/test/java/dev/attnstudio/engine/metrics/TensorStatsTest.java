package dev.attnstudio.engine.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorStatsTest {

    @Test
    void handComputedExampleWithNonFiniteValues() {
        // finite: -1, 0, 1, 2, 3 -> mean 1, squared deviations 4 + 1 + 0 + 1 + 4 = 10, variance 2
        float[] v = {2, Float.NaN, -1, Float.NEGATIVE_INFINITY, 0, 3, Float.NEGATIVE_INFINITY, 1, Float.POSITIVE_INFINITY};
        TensorStats s = TensorStats.of(v, 4);
        assertEquals(9, s.count());
        assertEquals(5, s.finite());
        assertEquals(-1, s.min());
        assertEquals(3, s.max());
        assertEquals(1, s.mean(), 1e-12);
        assertEquals(Math.sqrt(2), s.std(), 1e-12);
        assertEquals(1, s.nan());
        assertEquals(1, s.positiveInfinity());
        assertEquals(2, s.negativeInfinity());
        assertEquals(4, s.nonFinite());
        // bins of width 1 over [-1, 3]: [-1,0) {-1}, [0,1) {0}, [1,2) {1}, [2,3] {2, 3}
        assertArrayEquals(new long[] {1, 1, 1, 2}, s.histogram());
        assertEquals(-1, s.binLow());
        assertEquals(3, s.binHigh());
        assertEquals(1, s.binWidth());
        assertEquals(2, s.maxBinCount());
    }

    @Test
    void constantValuesFallInTheMiddleBinOfAWidenedRange() {
        TensorStats s = TensorStats.of(new float[] {7, 7, 7}, 5);
        assertEquals(0, s.std());
        assertEquals(6.5, s.binLow());
        assertEquals(7.5, s.binHigh());
        assertArrayEquals(new long[] {0, 0, 3, 0, 0}, s.histogram());
    }

    @Test
    void nothingFiniteGivesNaNSummariesAndAnEmptyHistogram() {
        TensorStats s = TensorStats.of(new float[] {Float.NEGATIVE_INFINITY, Float.NaN}, 3);
        assertEquals(0, s.finite());
        assertTrue(Double.isNaN(s.min()) && Double.isNaN(s.mean()) && Double.isNaN(s.std()));
        assertArrayEquals(new long[3], s.histogram());
        assertThrows(IllegalArgumentException.class, () -> TensorStats.of(new float[1], 0));
    }
}
