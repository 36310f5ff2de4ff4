package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTest {

    private static TensorData row(float... v) {
        return new TensorData("x", new long[] {v.length}, v);
    }

    @Test
    void arenaTolerancesAreAbsolutePlusRelativeToTheExpected() {
        assertEquals(1e-4, Comparison.ATOL);
        assertEquals(1e-3, Comparison.RTOL);
        assertTrue(Comparison.isClose(0.00009, 0, Comparison.ATOL, Comparison.RTOL));
        assertFalse(Comparison.isClose(0.00011, 0, Comparison.ATOL, Comparison.RTOL));
        assertTrue(Comparison.isClose(1001, 1000, Comparison.ATOL, Comparison.RTOL), "1 <= 1e-4 + 1e-3 * 1000");
        assertFalse(Comparison.isClose(1000, 998.8, Comparison.ATOL, Comparison.RTOL));
        assertTrue(Comparison.isClose(1000, 1001.001, Comparison.ATOL, Comparison.RTOL));
        assertFalse(Comparison.isClose(1001.001, 1000, Comparison.ATOL, Comparison.RTOL), "asymmetric, as NumPy's");
    }

    @Test
    void specialValues() {
        double inf = Double.POSITIVE_INFINITY;
        assertTrue(Comparison.isClose(Double.NaN, Double.NaN, 0, 0), "NaN where NaN is expected is right");
        assertFalse(Comparison.isClose(Double.NaN, 0, 1, 1));
        assertFalse(Comparison.isClose(0, Double.NaN, 1, 1));
        assertTrue(Comparison.isClose(-inf, -inf, 0, 0));
        assertFalse(Comparison.isClose(inf, -inf, 1, 1));
        assertFalse(Comparison.isClose(1e30, inf, 1, 1));
    }

    @Test
    void countsCloseValuesAndFindsTheFirstWrongOne() {
        TensorData expected = new TensorData("e", new long[] {2, 2}, new float[] {1, 2, 3, Float.NEGATIVE_INFINITY});
        TensorData actual = new TensorData("a", new long[] {2, 2}, new float[] {1.00005f, 2.5f, 3, Float.NEGATIVE_INFINITY});
        Comparison c = Comparison.of(actual, expected);
        assertTrue(c.shapesAgree());
        assertEquals(4, c.total());
        assertEquals(3, c.close());
        assertEquals(0.75, c.fractionClose());
        assertFalse(c.allClose());
        assertEquals(0.5, c.maxAbsDiff(), 1e-6);
        assertArrayEquals(new long[] {0, 1}, c.firstMismatch());
        assertEquals("3 of 4 values are close (75.0%); max abs diff 0.500; first wrong at [0, 1]", c.summary());
    }

    @Test
    void allCloseWithTighterTolerances() {
        Comparison c = Comparison.of(row(1, 2, Float.NaN), row(1, 2.0000005f, Float.NaN), 1e-6, 0);
        assertTrue(c.allClose());
        assertNull(c.firstMismatch());
        assertEquals(1.0, c.fractionClose());
        assertTrue(c.summary().startsWith("all 3 values are close; max abs diff 4.77e-07"), c.summary());
        assertFalse(Comparison.of(row(1, 2.01f), row(1, 2), 1e-6, 0).allClose());
        assertEquals("all 2 values are close; max abs diff 0", Comparison.of(row(1, 2), row(1, 2)).summary());
    }

    @Test
    void aNanOrInfinityAgainstANumberIsAnInfiniteDifference() {
        Comparison c = Comparison.of(row(Float.NaN, 1), row(0, 1));
        assertEquals(Double.POSITIVE_INFINITY, c.maxAbsDiff());
        assertEquals(0.5, c.fractionClose());
    }

    @Test
    void aShapeMismatchIsReportedAsSuchWithNothingCorrect() {
        TensorData expected = new TensorData("e", new long[] {1, 3}, new float[] {1, 2, 3});
        Comparison c = Comparison.of(row(1, 2, 3), expected);
        assertFalse(c.shapesAgree());
        assertFalse(c.allClose());
        assertEquals(0, c.close());
        assertEquals(0.0, c.fractionClose());
        assertTrue(Double.isNaN(c.maxAbsDiff()));
        assertArrayEquals(new long[] {3}, c.actualShape());
        assertEquals("shape [3] does not match the expected [1, 3]", c.summary());
    }

    @Test
    void emptyTensorsOfTheSameShapeAgree() {
        assertTrue(Comparison.of(row(), row()).allClose());
        assertEquals(1.0, Comparison.of(row(), row()).fractionClose());
    }
}
