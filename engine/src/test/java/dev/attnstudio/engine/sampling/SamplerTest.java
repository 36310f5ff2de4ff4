package dev.attnstudio.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class SamplerTest {

    @Test
    void ordersByLogitWithNegativesAndTies() {
        float[] logits = {-1f, 3f, -0f, 3f, 0.5f, -7.25f, Float.NEGATIVE_INFINITY, 2.9999998f};
        assertArrayEquals(new int[] {1, 3, 7, 4, 2, 0, 5, 6}, Sampler.byLogitDescending(logits));
    }

    @Test
    void greedyPicksTheArgmaxAndReportsItsProbability() {
        Sampler.Choice c = new Sampler(SamplingConfig.GREEDY).next(new float[] {0f, (float) Math.log(3), 0f});
        assertEquals(1, c.token());
        assertEquals(0.6, c.probability(), 1e-6);
        assertArrayEquals(new int[] {1, 0, 2}, c.candidates());
    }

    @Test
    void topKAndTopPNeverPickOutsideTheirSet() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i * 1.7) * 3;
        }
        int[] order = Sampler.byLogitDescending(logits);
        Sampler topK = new Sampler(new SamplingConfig(2.0, 3, 1, 5));
        Sampler topP = new Sampler(new SamplingConfig(1.0, 0, 0.5, 5));
        double[] p = Sampler.softmax(logits, 1.0);
        int nucleus = 0;
        for (double mass = 0; mass < 0.5; nucleus++) {
            mass += p[order[nucleus]];
        }
        int[] allowedP = Arrays.copyOf(order, nucleus);
        boolean[] seen = new boolean[3];
        for (int i = 0; i < 500; i++) {
            int k = topK.next(logits).token();
            int idx = Arrays.stream(order).boxed().toList().indexOf(k);
            assertTrue(idx < 3, "top-3 sampled rank " + idx);
            seen[idx] = true;
            int t = topP.next(logits).token();
            assertTrue(Arrays.stream(allowedP).anyMatch(a -> a == t), "top-p sampled " + t);
        }
        assertTrue(seen[0] && seen[1] && seen[2], "temperature 2 over 500 draws should reach all of the top 3");
    }

    @Test
    void topPCountsMassWithinTheTopK() {
        // two equal best tokens: within the top 2 each holds half, so top-p 0.5 keeps only the first
        Sampler s = new Sampler(new SamplingConfig(1.0, 2, 0.5, 3));
        for (int i = 0; i < 200; i++) {
            assertEquals(1, s.next(new float[] {0f, 5f, 5f, 0f}).token());
        }
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(1, -2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(1, 0, 0, 0));
    }

    @Test
    void theFirstFewOfTheOrderEqualTheFullSortsPrefix() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int v = 1 + r.nextInt(trial < 100 ? 40 : 5000);
            float[] logits = new float[v];
            for (int i = 0; i < v; i++) {
                // few distinct values, so ties are common, and the odd infinity or NaN
                int pick = r.nextInt(100);
                logits[i] = pick == 0 ? Float.NEGATIVE_INFINITY : pick == 1 ? Float.POSITIVE_INFINITY
                        : pick == 2 ? Float.NaN : (r.nextInt(13) - 6) * 0.5f;
            }
            int[] full = Sampler.byLogitDescending(logits);
            for (int n : new int[] {1, 2, 10, 40, v}) {
                assertArrayEquals(Arrays.copyOf(full, Math.min(n, v)), Sampler.byLogitDescending(logits, n),
                        "trial " + trial + ", n " + n + ", logits " + Arrays.toString(logits));
            }
        }
    }
}
