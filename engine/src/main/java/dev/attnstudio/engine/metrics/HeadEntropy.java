package dev.attnstudio.engine.metrics;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;

/**
 * Shannon entropy (nats) of every attention row of one layer, and the same normalized by log(n), n being the
 * number of keys the query may attend to under the mask actually applied: 0 = all weight on one key,
 * 1 = uniform over the allowed keys. A row with one allowed key (or none) has normalized entropy 0.
 *
 * <p>Indexing: [batch][head][query], flattened row-major.
 */
public record HeadEntropy(int layer, int batch, int heads, int queries, float[] entropy, float[] normalized,
                          int[] allowedKeys) {

    /** Entropy of every head and query of a layer's pattern in the stepper's pass under the cursor. */
    public static HeadEntropy of(Stepper stepper, int layer) {
        return of(stepper, HookName.Block.PATTERN.at(layer));
    }

    /**
     * Entropy of every head and query of any attention pattern in the stepper's pass under the cursor, e.g.
     * {@code decoder.blocks.0.cross_attn.hook_pattern}, normalized by the keys its mask (the matching
     * {@code hook_mask}) allows.
     *
     * @throws IllegalArgumentException if the name is not a pattern hook
     */
    public static HeadEntropy of(Stepper stepper, String patternHook) {
        HookName.Parsed p = HookName.parse(patternHook);
        if (p.block() != HookName.Block.PATTERN && p.block() != HookName.Block.CROSS_PATTERN) {
            throw new IllegalArgumentException(patternHook + " is not an attention pattern (attn.hook_pattern or "
                    + "cross_attn.hook_pattern)");
        }
        String mask = patternHook.substring(0, patternHook.length() - "hook_pattern".length()) + "hook_mask";
        Trace t = stepper.group().trace();
        return of(p.layer(), t.read(patternHook), t.read(mask));
    }

    /**
     * @param pattern {@code hook_pattern} [B, H, T, K]
     * @param mask    {@code hook_mask} [B or 1, 1, T or 1, K] (0 allowed, -inf blocked), broadcast as applied
     */
    public static HeadEntropy of(int layer, TensorData pattern, TensorData mask) {
        long[] s = pattern.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("a pattern is [batch, heads, queries, keys], got " + pattern.shapeString());
        }
        int b = (int) s[0], h = (int) s[1], t = (int) s[2], k = (int) s[3];
        long[] ms = mask.shape();
        if (ms.length != 4 || ms[3] != k || (ms[0] != 1 && ms[0] != b) || (ms[2] != 1 && ms[2] != t)) {
            throw new IllegalArgumentException("mask " + mask.shapeString() + " does not broadcast over pattern "
                    + pattern.shapeString());
        }
        int maskQueries = (int) ms[2];
        float[] p = pattern.values();
        float[] m = mask.values();
        float[] entropy = new float[b * h * t];
        float[] normalized = new float[b * h * t];
        int[] allowed = new int[b * h * t];
        for (int bi = 0; bi < b; bi++) {
            int mb = ms[0] == 1 ? 0 : bi;
            for (int q = 0; q < t; q++) {
                int n = 0;
                int maskRow = (mb * maskQueries + (maskQueries == 1 ? 0 : q)) * k;
                for (int key = 0; key < k; key++) {
                    if (m[maskRow + key] == 0f) {
                        n++;
                    }
                }
                for (int hi = 0; hi < h; hi++) {
                    int row = ((bi * h + hi) * t + q) * k;
                    double e = 0;
                    for (int key = 0; key < k; key++) {
                        float w = p[row + key];
                        if (w > 0) {
                            e -= w * Math.log(w);
                        }
                    }
                    int out = (bi * h + hi) * t + q;
                    entropy[out] = (float) e;
                    normalized[out] = n > 1 ? (float) (e / Math.log(n)) : 0f;
                    allowed[out] = n;
                }
            }
        }
        return new HeadEntropy(layer, b, h, t, entropy, normalized, allowed);
    }

    public float entropy(int b, int head, int query) {
        return entropy[(b * heads + head) * queries + query];
    }

    public float normalized(int b, int head, int query) {
        return normalized[(b * heads + head) * queries + query];
    }

    /**
     * Mean normalized entropy of a head over every query row of batch row b that may see more than one key,
     * padding rows included: right for unpadded rows (one prompt, equal-length windows). For a padded batch use
     * {@link #meanNormalized(int, int, long[])} with the row's attention mask.
     */
    public float meanNormalized(int b, int head) {
        return meanNormalized(b, head, null);
    }

    /**
     * Mean normalized entropy of a head over the queries of batch row b that are real tokens and may see more than
     * one key; 0 if there is no such query. A padding position's row says nothing about how the head treats the
     * real tokens, so averaging it in would pull a short prompt of a padded batch toward the padding's pattern.
     *
     * @param queryMask the pass's attention mask row for b (1 = real token, 0 = padding), one entry per query, or
     *                  null to count every query as real
     */
    public float meanNormalized(int b, int head, long[] queryMask) {
        if (queryMask != null && queryMask.length != queries) {
            throw new IllegalArgumentException("the query mask has " + queryMask.length + " entries for " + queries
                    + " queries");
        }
        double sum = 0;
        int n = 0;
        for (int q = 0; q < queries; q++) {
            int i = (b * heads + head) * queries + q;
            if ((queryMask == null || queryMask[q] != 0) && allowedKeys[i] > 1) {
                sum += normalized[i];
                n++;
            }
        }
        return n == 0 ? 0f : (float) (sum / n);
    }
}
