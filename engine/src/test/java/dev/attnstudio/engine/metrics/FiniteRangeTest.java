package dev.attnstudio.engine.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FiniteRangeTest {

    @Test
    void countsMaskedAndNanCellsAndSpansOnlyFiniteOnes() {
        float[] v = {3f, Float.NEGATIVE_INFINITY, -2f, Float.NaN, 7f, Float.POSITIVE_INFINITY};
        assertEquals(new FiniteRange(-2f, 7f, 3, 1, 2), FiniteRange.of(v));
        assertEquals(new FiniteRange(-2f, -2f, 1, 1, 0), FiniteRange.of(v, 1, 2));
        assertEquals(new FiniteRange(0f, 0f, 0, 1, 0), FiniteRange.of(new float[] {Float.NEGATIVE_INFINITY}));
    }

    @Test
    void rowsGiveEachRowItsOwnRange() {
        float[] m = {1, 5, Float.NEGATIVE_INFINITY, -3, 0, 2, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertArrayEquals(new float[] {1, 5, -3, 2, 0, 0}, FiniteRange.rows(m, 3, 3));
    }
}
