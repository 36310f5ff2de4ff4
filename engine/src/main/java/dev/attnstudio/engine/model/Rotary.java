package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.Locale;

/**
 * Rotary position embedding (RoFormer), in Hugging Face LLaMA's "rotate_half" layout: coordinate i of a head is
 * paired with coordinate i + h/2, and the pair turns by the angle p theta^(-2i/h) at position p:
 * x_rot = x cos + rotate_half(x) sin, with rotate_half([x1, x2]) = [-x2, x1]. A rotation keeps every vector's
 * length, and q_m . k_n depends on the positions only through m - n.
 *
 * <p>Partial rotary (GPT-NeoX's {@code rotary_pct}): only the first r = int(h pct) coordinates of each head rotate,
 * in the same layout within them (i paired with i + r/2, angle p theta^(-2i/r)); coordinates r..h-1 pass through
 * unchanged (Hugging Face's {@code apply_rotary_pos_emb} of {@code modeling_gpt_neox.py}: {@code q[..., :r]} rotated,
 * {@code q[..., r:]} concatenated back). With r = h this is the full rotation, computed exactly as before.
 *
 * <p>Angles are formed in float32 as Hugging Face forms them (inverse frequencies, then position x frequency,
 * each rounded to float), so long positions round the same way. The cos/sin rows are made per pass for its
 * positions only: a table for every position of a long-context model would be hundreds of MiB.
 */
final class Rotary {

    private final int dHead;       // h
    private final int dRot;        // r: the leading coordinates of a head that rotate (h unless partial)
    private final double theta;    // rope_theta
    private final float[] invFreq; // [r/2]: theta^(-2i/r)

    /** Every coordinate of a head rotates (LLaMA). */
    Rotary(int dHead, double theta) {
        this(dHead, dHead, theta);
    }

    /** The first {@code dRot} coordinates of each head rotate, the rest pass through (GPT-NeoX's rotary_pct). */
    Rotary(int dHead, int dRot, double theta) {
        if (dRot < 2 || dRot % 2 != 0) {
            throw new IllegalArgumentException("rotary embeddings need an even number of rotating coordinates, got " + dRot);
        }
        if (dRot > dHead) {
            throw new IllegalArgumentException(dRot + " rotating coordinates do not fit a head of " + dHead);
        }
        if (!(theta > 1)) {
            throw new IllegalArgumentException("rope_theta must be greater than 1, was " + theta);
        }
        this.dHead = dHead;
        this.dRot = dRot;
        this.theta = theta;
        this.invFreq = new float[dRot / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / dRot;
            invFreq[i] = 1f / (float) Math.pow(theta, exponent);
        }
    }

    /** One line for the step's description, e.g. "q rotated by position 0..11: ...". */
    String math(String what, int first, int last) {
        String positions = first == last ? "position " + first : "positions " + first + ".." + last;
        if (dRot < dHead) {
            return String.format(Locale.ROOT, "%s rotated by %s: the first r = %d of h = %d coordinates, pairs (i, i + r/2) "
                    + "turn by p theta^(-2i/r), theta = %s; coordinates %d..%d pass through", what, positions, dRot, dHead,
                    trim(theta), dRot, dHead - 1);
        }
        return String.format(Locale.ROOT, "%s rotated by %s: pairs (i, i + h/2) turn by p theta^(-2i/h), theta = %s",
                what, positions, trim(theta));
    }

    private static String trim(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * Rotates x [B, T, n, h] whose position t is the absolute position {@code start + t} (a decode pass starts
     * after the cached positions). Returns a new array [B, T, n, h].
     */
    NDArray apply(NDArray x, int start, NDManager manager) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(3) != dHead) {
            throw new IllegalArgumentException("expected [B, T, heads, " + dHead + "], got " + s);
        }
        if (dRot == dHead) {
            return rotate(x, start, manager);
        }
        NDList parts = x.split(new long[] {dRot}, 3);                  // [B, T, n, r], [B, T, n, h - r]
        return NDArrays.concat(new NDList(rotate(parts.get(0), start, manager), parts.get(1)), 3); // [B, T, n, h]
    }

    /** Rotates every coordinate of x [B, T, n, r]: x cos + rotate_half(x) sin. */
    private NDArray rotate(NDArray x, int start, NDManager manager) {
        int t = (int) x.getShape().get(1);
        int half = dRot / 2;
        float[] cos = new float[t * dRot];
        float[] sin = new float[t * dRot];
        for (int p = 0; p < t; p++) {
            float position = start + p;
            for (int i = 0; i < half; i++) {
                float angle = position * invFreq[i];
                float c = (float) Math.cos(angle);
                float sn = (float) Math.sin(angle);
                cos[p * dRot + i] = c;
                cos[p * dRot + i + half] = c;
                sin[p * dRot + i] = sn;
                sin[p * dRot + i + half] = sn;
            }
        }
        NDArray c = Tensors.owned(manager, cos, new Shape(1, t, 1, dRot));
        NDArray sn = Tensors.owned(manager, sin, new Shape(1, t, 1, dRot));
        NDList halves = x.split(2, 3);                                                 // x1, x2: [B, T, n, r/2]
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3); // [-x2, x1]
        return x.mul(c).add(rotated.mul(sn));
    }
}
