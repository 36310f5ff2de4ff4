package dev.attnstudio.engine.diagnose.rollout;

/**
 * The result of {@link AttentionRollout}: matrices over the n real tokens, row-major, row i = output position i,
 * column j = input token j.
 *
 * @param positions         the pass positions of the n tokens
 * @param perLayer          [layer][n * n] R_l, the rollout up to and including layer l; the last is the model's
 * @param perHead           [layer][head][n * n] A(l, h) R_(l-1), or null when not asked for
 * @param fieldNormalized   causal stacks: the last R divided cell by cell by the rollout of uniform causal attention
 *                          (what the receptive field alone gives each token), rows renormalized; null for encoders
 * @param caveat            for causal stacks, why rollout favours early tokens; null for encoders
 */
public record Rollout(int[] positions, float[][] perLayer, float[][][] perHead, float[] fieldNormalized,
                      String caveat) {

    /** Tokens (n). */
    public int tokens() {
        return positions.length;
    }

    /** R_L[i][j] of the whole model. */
    public float weight(int i, int j) {
        return perLayer[perLayer.length - 1][i * positions.length + j];
    }

    /** The model's rollout row of output position i. */
    public float[] row(int i) {
        int n = positions.length;
        float[] out = new float[n];
        System.arraycopy(perLayer[perLayer.length - 1], i * n, out, 0, n);
        return out;
    }
}
