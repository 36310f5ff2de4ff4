package dev.attnstudio.engine.metrics;

/**
 * Per-head means of {@link HeadEntropy#normalized} that leave out padding queries: a padding position's row
 * says nothing about how a head treats the real tokens, so averaging it in (as
 * {@link HeadEntropy#meanNormalized} does) pulls short prompts of a padded batch toward the padding's pattern.
 */
public final class EntropyMeans {

    private EntropyMeans() {
    }

    /**
     * Mean normalized entropy of every head over the queries of batch row {@code b} that are real tokens and may
     * see more than one key; 0 for a head with no such query.
     *
     * @param queryMask this pass's attention mask row for {@code b} (1 = real token, 0 = padding), one entry per
     *                  query, or null when nothing is padding
     * @return one mean per head, [H]
     */
    public static float[] meanNormalized(HeadEntropy entropy, int b, long[] queryMask) {
        if (queryMask != null && queryMask.length != entropy.queries()) {
            throw new IllegalArgumentException("the query mask has " + queryMask.length + " entries for "
                    + entropy.queries() + " queries");
        }
        float[] means = new float[entropy.heads()];
        for (int head = 0; head < entropy.heads(); head++) {
            double sum = 0;
            int n = 0;
            for (int q = 0; q < entropy.queries(); q++) {
                int i = (b * entropy.heads() + head) * entropy.queries() + q;
                if ((queryMask == null || queryMask[q] != 0) && entropy.allowedKeys()[i] > 1) {
                    sum += entropy.normalized()[i];
                    n++;
                }
            }
            means[head] = n == 0 ? 0f : (float) (sum / n);
        }
        return means;
    }
}
