package dev.attnstudio.engine.diagnose;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The smoothed Jensen-Shannon divergence of two rows, against a hand computation. */
class JensenShannonTest {

    @Test
    void matchesAHandComputation() {
        // P = [1, 0], Q = [0, 1] over n = 2 keys: P~ = [.9995, .0005], Q~ = [.0005, .9995], M = [.5, .5]
        // JS = 1/2 (2 (.9995 ln(.9995/.5) + .0005 ln(.0005/.5))) = .9995 ln 1.999 + .0005 ln .001
        double expected = 0.9995 * Math.log(1.999) + 0.0005 * Math.log(0.001);
        float[] p = {1, 0};
        float[] q = {0, 1};
        assertEquals(expected, JensenShannon.rows(p, 0, q, 0, new int[] {0, 1}), 1e-12);
        assertEquals(0.6888, expected, 1e-4, "close to log 2 for disjoint rows");
    }

    @Test
    void identicalRowsAreZeroAndOnlyAllowedKeysCount() {
        float[] p = {0.2f, 0.3f, 0.5f, 0.9f};
        assertEquals(0, JensenShannon.rows(p, 0, p, 0, new int[] {0, 1, 2}), 1e-15);
        // rows at an offset, over keys {0, 1}: P = [.5, .5], Q = [.25, .75]
        float[] both = {9, 0.5f, 0.5f, 0.25f, 0.75f};
        double a0 = 0.0005 + 0.999 * 0.5, a1 = a0;
        double b0 = 0.0005 + 0.999 * 0.25, b1 = 0.0005 + 0.999 * 0.75;
        double m0 = (a0 + b0) / 2, m1 = (a1 + b1) / 2;
        double expected = 0.5 * (a0 * Math.log(a0 / m0) + b0 * Math.log(b0 / m0) + a1 * Math.log(a1 / m1)
                + b1 * Math.log(b1 / m1));
        assertEquals(expected, JensenShannon.rows(both, 1, both, 3, new int[] {0, 1}), 1e-12);
    }
}
