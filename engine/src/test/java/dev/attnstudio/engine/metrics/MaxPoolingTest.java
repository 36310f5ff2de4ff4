package dev.attnstudio.engine.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MaxPoolingTest {

    @Test
    void maxPoolingKeepsPeaksAndMasks() {
        float ninf = Float.NEGATIVE_INFINITY;
        float[] m = {
                1, 2, 0, ninf, 5,
                3, 0, ninf, ninf, 0,
                0, 0, 9, 0, 0,
        };
        MaxPooling p = MaxPooling.of(m, 3, 5, 2, 3);
        assertEquals(2, p.factor());
        assertEquals(2, p.rows());
        assertEquals(3, p.cols());
        assertArrayEquals(new float[] {3, 0, 5, 0, 9, 0}, p.values());
        MaxPooling masked = MaxPooling.of(new float[] {ninf, ninf, 1, Float.NaN, ninf, ninf, 0, 0}, 2, 4, 1, 2);
        assertArrayEquals(new float[] {ninf, Float.NaN}, masked.values());
        MaxPooling same = MaxPooling.of(m, 3, 5, 3, 5);
        assertEquals(1, same.factor());
        assertArrayEquals(m, same.values());
    }
}
