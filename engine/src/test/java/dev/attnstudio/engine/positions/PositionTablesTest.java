package dev.attnstudio.engine.positions;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PositionTablesTest {

    private static final double EPS = 1e-12;

    @Test
    void sinusoidalStartsWithZerosAndOnesAndUsesSinAtEvenAndCosAtOddIndices() {
        double[][] pe = PositionTables.sinusoidal(4, 6);
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 1}, pe[0], EPS);
        // pair 0 turns at frequency 1: PE(pos, 0) = sin(pos), PE(pos, 1) = cos(pos)
        assertEquals(Math.sin(3), pe[3][0], EPS);
        assertEquals(Math.cos(3), pe[3][1], EPS);
        // pair 1 of a 6-wide table: 3 / 10000^(2/6)
        double angle = 3 / Math.pow(10000, 2.0 / 6);
        assertEquals(Math.sin(angle), pe[3][2], EPS);
        assertEquals(Math.cos(angle), pe[3][3], EPS);
        assertEquals(angle, PositionTables.sinusoidalAngle(3, 3, 6, 10000), EPS);
    }

    /** The Annotated Transformer's form: div_term = exp(2i * -(ln(10000) / d_model)), a different computation. */
    @Test
    void matchesTheExpLogFormOfTheReferenceImplementation() {
        int width = 16;
        double[][] pe = PositionTables.sinusoidal(20, width);
        for (int pos = 0; pos < 20; pos++) {
            for (int i = 0; i < width; i += 2) {
                double div = Math.exp(i * -(Math.log(10000.0) / width));
                assertEquals(Math.sin(pos * div), pe[pos][i], 1e-9);
                assertEquals(Math.cos(pos * div), pe[pos][i + 1], 1e-9);
            }
        }
    }

    /** Every pair stays on the unit circle, and moving k positions turns it by an angle that depends on k alone. */
    @Test
    void shiftingAPositionRotatesEachPairByTheSameAngleWhereverItStarts() {
        int width = 8;
        for (int k : new int[] {1, 5}) {
            for (int i = 0; i < width; i += 2) {
                double turn = PositionTables.sinusoidalAngle(k, i, width, PositionTables.SINUSOIDAL_BASE);
                for (int pos : new int[] {0, 3, 11}) {
                    double s = PositionTables.sinusoidal(pos, i, width, PositionTables.SINUSOIDAL_BASE);
                    double c = PositionTables.sinusoidal(pos, i + 1, width, PositionTables.SINUSOIDAL_BASE);
                    assertEquals(1, s * s + c * c, 1e-12);
                    double rotatedS = s * Math.cos(turn) + c * Math.sin(turn);
                    double rotatedC = c * Math.cos(turn) - s * Math.sin(turn);
                    assertEquals(PositionTables.sinusoidal(pos + k, i, width, PositionTables.SINUSOIDAL_BASE), rotatedS, 1e-9);
                    assertEquals(PositionTables.sinusoidal(pos + k, i + 1, width, PositionTables.SINUSOIDAL_BASE), rotatedC, 1e-9);
                }
            }
        }
    }

    @Test
    void alibiSlopesOfAPowerOfTwoAreTheGeometricSequenceOfThePaper() {
        assertArrayEquals(new double[] {0.5, 0.25, 0.125, 0.0625, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256},
                PositionTables.alibiSlopes(8), EPS);
        assertArrayEquals(new double[] {0.25, 1.0 / 16, 1.0 / 64, 1.0 / 256}, PositionTables.alibiSlopes(4), EPS);
        double[] sixteen = PositionTables.alibiSlopes(16);
        assertEquals(Math.pow(2, -0.5), sixteen[0], EPS);
        assertEquals(1.0 / 256, sixteen[15], EPS);
    }

    /** get_slopes(6) of the paper's code: get_slopes_power_of_2(4) + get_slopes(8)[0::2][:2]. */
    @Test
    void otherHeadCountsTakeEveryOtherSlopeOfTheNextPowerOfTwo() {
        assertArrayEquals(new double[] {0.25, 1.0 / 16, 1.0 / 64, 1.0 / 256, 0.5, 0.125},
                PositionTables.alibiSlopes(6), EPS);
        assertArrayEquals(new double[] {Math.pow(2, -8)}, PositionTables.alibiSlopes(1), EPS);
        assertEquals(12, PositionTables.alibiSlopes(12).length);
        assertThrows(IllegalArgumentException.class, () -> PositionTables.alibiSlopes(0));
    }

    @Test
    void alibiBiasGrowsLinearlyWithTheDistanceBackToTheKey() {
        double[][][] bias = PositionTables.alibiBias(4, 5, 5);
        assertEquals(0, bias[0][3][3], EPS);
        assertEquals(-0.25 * 3, bias[0][3][0], EPS);
        assertEquals(-(1.0 / 256) * 4, bias[3][4][0], EPS);
        // the same distance gets the same bias wherever it is
        assertEquals(bias[1][2][1], bias[1][4][3], EPS);
        assertEquals(PositionTables.alibiBias(1.0 / 16, 4, 1), bias[1][4][1], EPS);
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PositionTables.sinusoidal(0, 4, 4, 10000));
        assertThrows(IllegalArgumentException.class, () -> PositionTables.sinusoidal(0, -1, 4, 10000));
        assertThrows(IllegalArgumentException.class, () -> PositionTables.sinusoidal(0, 0, 0, 10000));
    }
}
