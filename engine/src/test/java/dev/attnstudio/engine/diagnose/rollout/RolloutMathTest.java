package dev.attnstudio.engine.diagnose.rollout;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Rollout and flow on a 2-layer, 2-head, 3-token toy whose products are worked out by hand. */
class RolloutMathTest {

    // layer 1: head 0 and head 1 (row-major 3 x 3, causal)
    static final float[] L1H0 = {1, 0, 0, 1, 0, 0, 0.5f, 0.5f, 0};
    static final float[] L1H1 = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    static final float[] L2H0 = {1, 0, 0, 0.5f, 0.5f, 0, 1, 0, 0};
    static final float[] L2H1 = {1, 0, 0, 0, 1, 0, 0, 1, 0};

    static LayerPatterns toy(boolean causal) {
        return new LayerPatterns(new float[][][] {{L1H0, L1H1}, {L2H0, L2H1}}, new int[] {0, 1, 2}, causal);
    }

    /**
     * By hand: A_bar_1 = [[1,0,0],[.5,.5,0],[.25,.25,.5]], A_hat_1 = .5 A_bar_1 + .5 I = [[1,0,0],[.25,.75,0],
     * [.125,.125,.75]]; A_bar_2 = [[1,0,0],[.25,.75,0],[.5,.5,0]], A_hat_2 = [[1,0,0],[.125,.875,0],[.25,.25,.5]];
     * R_2 = A_hat_2 A_hat_1 = [[1,0,0],[.34375,.65625,0],[.375,.25,.375]].
     */
    @Test
    void twoLayersEqualTheHandComputedProduct() {
        try (NDManager m = NDManager.newBaseManager()) {
            Rollout r = AttentionRollout.of(toy(false), m, true);
            double[][] r1 = {{1, 0, 0}, {0.25, 0.75, 0}, {0.125, 0.125, 0.75}};
            double[][] r2 = {{1, 0, 0}, {0.34375, 0.65625, 0}, {0.375, 0.25, 0.375}};
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(r1[i][j], r.perLayer()[0][i * 3 + j], 1e-6, "R_1[" + i + "][" + j + "]");
                    assertEquals(r2[i][j], r.weight(i, j), 1e-6, "R_2[" + i + "][" + j + "]");
                }
            }
            // per head at layer 2: A(2, 0) R_1; row 1 = .5 [1,0,0] + .5 [.25,.75,0] = [.625,.375,0]
            assertEquals(0.625, r.perHead()[1][0][3], 1e-6);
            assertEquals(0.375, r.perHead()[1][0][4], 1e-6);
            // per head at layer 1 is the head itself (R_0 = I)
            assertArrayEquals(L1H0, r.perHead()[0][0], 1e-6f);
            assertNull(r.fieldNormalized(), "bidirectional: no causal variant");
            assertNull(r.caveat());
        }
    }

    @Test
    void causalRolloutCarriesTheCaveatAndANormalizedVariantWhoseRowsSumToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Rollout r = AttentionRollout.of(toy(true), m, false);
            assertEquals(AttentionRollout.CAUSAL_CAVEAT, r.caveat());
            for (int i = 0; i < 3; i++) {
                double sum = 0;
                for (int j = 0; j < 3; j++) {
                    sum += r.fieldNormalized()[i * 3 + j];
                }
                assertEquals(1.0, sum, 1e-5);
            }
            // uniform causal attention: U_2 row 2 = [.3125+.125*... ] computed: A_hat_u = [[1,0,0],[.25,.75,0],
            // [1/6,1/6,2/3]]; U_2 row 2 = [1/6 + 1/24 + 1/9, 1/8 + 1/9, 4/9]; R_2 row 2 = [.375,.25,.375]
            double u0 = 1.0 / 6 + 1.0 / 6 * 0.25 + 2.0 / 3 * 1.0 / 6;
            double u1 = 1.0 / 6 * 0.75 + 2.0 / 3 * 1.0 / 6;
            double u2 = 2.0 / 3 * 2.0 / 3;
            assertEquals(1.0, u0 + u1 + u2, 1e-9);
            double[] ratio = {0.375 / u0, 0.25 / u1, 0.375 / u2};
            double s = ratio[0] + ratio[1] + ratio[2];
            for (int j = 0; j < 3; j++) {
                assertEquals(ratio[j] / s, r.fieldNormalized()[6 + j], 1e-5, "normalized row 2, key " + j);
            }
        }
    }

    /**
     * Flow from output 2 on the toy (edges = A_hat): to input 2 only the path 2 -> 2 -> 2 (min(.5, .75) = .5); input 1
     * through 2 -> 1 -> 1 (min(.25, .75)) plus 2 -> 2 -> 1 (min(.5, .125)): .25 + .125 = .375; input 0: .25 + .125 +
     * the rest of node (2,2)'s capacity... computed by max-flow; the three must stay within their cut capacities.
     */
    @Test
    void flowIsAMaxFlowOverTheLayerGraph() {
        AttentionFlow.Flow f = AttentionFlow.of(toy(true), 2);
        assertEquals(0.5, f.raw()[2], 1e-9, "only (2,2) -> (1,2) -> (0,2), limited by its first edge");
        assertEquals(0.375, f.raw()[1], 1e-9);
        // into input 0: every edge out of (2, 2) can reach it: .25 + .25 + .5 = 1 at most, and paths are
        // (2,2)->(1,0)->(0,0) = .25, (2,2)->(1,1)->(0,0) min(.25,.25) = .25, (2,2)->(1,2)->(0,0) min(.5,.125) = .125
        assertEquals(0.625, f.raw()[0], 1e-9);
        double sum = 0;
        for (double v : f.normalized()) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-9);
    }

    @Test
    void flowRefusesLongPromptsWithAClearMessage() {
        int n = AttentionFlow.MAX_TOKENS + 1;
        float[] eye = new float[n * n];
        for (int i = 0; i < n; i++) {
            eye[i * n + i] = 1;
        }
        LayerPatterns p = new LayerPatterns(new float[][][] {{eye}}, java.util.stream.IntStream.range(0, n).toArray(), true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionFlow.of(p, 0));
        assertTrue(e.getMessage().contains("limited to 64 tokens") && e.getMessage().contains("rollout"), e.getMessage());
    }
}
