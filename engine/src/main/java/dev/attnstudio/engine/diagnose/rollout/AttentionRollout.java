package dev.attnstudio.engine.diagnose.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Attention rollout (Abnar and Zuidema 2020, "Quantifying Attention Flow in Transformers"): how much each input token
 * reaches each output position through every layer, treating the residual connection as half of each layer.
 *
 * <p>A_bar_l = (1/H) sum_h A_(l,h) (heads averaged first), A_hat_l = 0.5 A_bar_l + 0.5 I with rows renormalized to
 * sum to 1, R_1 = A_hat_1 and R_l = A_hat_l R_(l-1). Per head (their appendix A.1): A_(l,h) R_(l-1), with R_0 = I.
 * Cost O(L n^3); the products run on the engine's tensor library.
 *
 * <p>Decoders: the paper's model was bidirectional. Under a causal mask, row i mixes only i + 1 tokens and every path
 * ends on the earliest ones, so rollout piles weight on the first tokens whatever the heads do (the "natural bias
 * toward initial tokens"). The receptive-field-normalized variant divides R_L cell by cell by U_L, the rollout of
 * uniform causal attention (A_bar[i,j] = 1/(i+1) for j <= i), and renormalizes rows: above-uniform weight is what the
 * heads chose, not what the mask made.
 */
public final class AttentionRollout {

    /** Shown with every decoder rollout. */
    public static final String CAUSAL_CAVEAT = "Rollout assumes bidirectional attention (Abnar and Zuidema used a BERT-like"
            + " model). Under a causal mask every path ends on the earliest tokens, so the first tokens (and any attention"
            + " sink) collect weight whatever the heads do; compare with the receptive-field-normalized variant.";

    private AttentionRollout() {
    }

    /**
     * @param perHead also roll out every head (L x H more matrix products)
     */
    public static Rollout of(LayerPatterns p, NDManager parent, boolean perHead) {
        int n = p.tokens();
        int layers = p.layers();
        float[][] perLayer = new float[layers][];
        float[][][] heads = perHead ? new float[layers][][] : null;
        float[] normalized = null;
        try (NDManager m = parent.newSubManager()) {
            NDArray eye = m.eye(n);
            NDArray r = null;
            for (int l = 0; l < layers; l++) {
                int h = p.heads()[l].length;
                float[] mean = new float[n * n];
                for (float[] head : p.heads()[l]) {
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] += head[i] / h;
                    }
                }
                NDArray aHat = withResidual(m.create(mean, new Shape(n, n)), eye);
                if (heads != null) {
                    float[] all = new float[h * n * n];
                    for (int head = 0; head < h; head++) {
                        System.arraycopy(p.heads()[l][head], 0, all, head * n * n, n * n);
                    }
                    NDArray byHead = m.create(all, new Shape(h, n, n)).matMul(r == null ? eye : r); // [H, n, n]
                    float[] flat = byHead.toFloatArray();
                    heads[l] = new float[h][];
                    for (int head = 0; head < h; head++) {
                        heads[l][head] = java.util.Arrays.copyOfRange(flat, head * n * n, (head + 1) * n * n);
                    }
                }
                r = r == null ? aHat : aHat.matMul(r);
                perLayer[l] = r.toFloatArray();
            }
            if (p.causal()) {
                float[] uniform = new float[n * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        uniform[i * n + j] = 1f / (i + 1);
                    }
                }
                NDArray uHat = withResidual(m.create(uniform, new Shape(n, n)), eye);
                NDArray u = uHat;
                for (int l = 1; l < layers; l++) {
                    u = uHat.matMul(u);
                }
                NDArray ratio = r.div(u.add(u.eq(0).toType(u.getDataType(), false))).mul(u.gt(0).toType(u.getDataType(), false));
                normalized = ratio.div(ratio.sum(new int[] {1}, true).maximum(1e-30f)).toFloatArray();
            }
        }
        return new Rollout(p.positions(), perLayer, heads, normalized, p.causal() ? CAUSAL_CAVEAT : null);
    }

    /** 0.5 A + 0.5 I, rows renormalized to sum to 1 (a row of A that is all zero becomes the identity row). */
    private static NDArray withResidual(NDArray a, NDArray eye) {
        NDArray aug = a.mul(0.5f).add(eye.mul(0.5f));
        return aug.div(aug.sum(new int[] {1}, true));
    }
}
