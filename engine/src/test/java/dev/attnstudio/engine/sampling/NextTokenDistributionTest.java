package dev.attnstudio.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NextTokenDistributionTest {

    /** Probabilities 0.1, 0.2, 0.3, 0.4 at temperature 1. */
    private static final float[] LOGITS = {(float) Math.log(1), (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};

    @Test
    void ordersTokensByProbabilityAndReportsThem() {
        NextTokenDistribution d = NextTokenDistribution.of(LOGITS, new SamplingConfig(1, 0, 1, 0), 3);
        assertArrayEquals(new int[] {3, 2, 1}, d.tokens());
        assertArrayEquals(new double[] {0.4, 0.3, 0.2}, d.probabilities(), 1e-6);
        assertEquals(4, d.kept());
        assertEquals(1.0, d.keptMass(), 1e-9);
    }

    @Test
    void temperatureSharpensTheDistribution() {
        NextTokenDistribution d = NextTokenDistribution.of(LOGITS, new SamplingConfig(0.5, 0, 1, 0), 4);
        // p ~ exp(l / 0.5) = x^2: 1, 4, 9, 16 over 30
        assertArrayEquals(new double[] {16 / 30.0, 9 / 30.0, 4 / 30.0, 1 / 30.0}, d.probabilities(), 1e-6);
    }

    @Test
    void topKAndTopPCutAsTheSamplerDoes() {
        assertEquals(2, NextTokenDistribution.of(LOGITS, new SamplingConfig(1, 0, 0.5, 0), 4).kept());
        // top-p applies within the top-k: 0.4 already reaches half of 0.7
        assertEquals(1, NextTokenDistribution.of(LOGITS, new SamplingConfig(1, 2, 0.5, 0), 4).kept());
        assertEquals(3, NextTokenDistribution.of(LOGITS, new SamplingConfig(1, 3, 1, 0), 4).kept());
        assertEquals(1, NextTokenDistribution.of(LOGITS, SamplingConfig.GREEDY, 4).kept());

        SamplingConfig nucleus = new SamplingConfig(1, 0, 0.5, 0);
        NextTokenDistribution d = NextTokenDistribution.of(LOGITS, nucleus, 4);
        Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            seen.add(new Sampler(new SamplingConfig(1, 0, 0.5, seed)).next(LOGITS).token());
        }
        assertEquals(Set.of(d.tokens()[0], d.tokens()[1]), seen);
        assertTrue(d.keptMass() > 0.69 && d.keptMass() < 0.71, "kept mass " + d.keptMass());
    }
}
