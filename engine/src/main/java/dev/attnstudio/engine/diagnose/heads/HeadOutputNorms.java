package dev.attnstudio.engine.diagnose.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.TensorData;

import java.util.List;

/**
 * How much each head writes into the residual stream: ||z_h W_O[h]|| / ||x|| per real query position, averaged, where
 * z_h is the head's slice of {@code attn.hook_z}, W_O[h] its rows of the output projection (the bias b_O belongs to
 * no head and is left out) and x the residual stream the sub-layer reads ({@code hook_resid_pre}; cross-attention:
 * {@code hook_resid_mid}). A head whose ratio is tiny adds nothing the rest of the model can see: a dead head.
 *
 * <p>W_O is read through the model's own output-projection step (the pass's {@code hook_attn_out} kernel) applied to
 * the identity: no engine accessor is needed. The norm uses the Gram matrix G_h = W_O[h] W_O[h]^T [h, h]:
 * ||z_h W_O[h]||^2 = z_h G_h z_h^T.
 */
public final class HeadOutputNorms {

    private final AttentionLayer layer;
    private final double[] sum;
    private final long[] count;

    public HeadOutputNorms(AttentionLayer layer, int heads) {
        this.layer = layer;
        this.sum = new double[heads];
        this.count = new long[heads];
    }

    /** Adds one pass; its {@code hook_z} and the residual must be readable. */
    public void add(PassView pass, AllowedCells cells, NDManager parent) {
        // the stream the sub-layer reads: resid_pre, or for cross-attention the stack's resid_mid (a block hook, not a
        // cross-attention one)
        AttentionLayer block = new AttentionLayer(new Capabilities.Site(layer.site().stack(), false), layer.layer());
        String residHook = block.hook(layer.site().cross() ? HookName.Block.RESID_MID : HookName.Block.RESID_PRE);
        TensorData z = pass.trace().read(layer.hook(HookName.Block.Z));         // [B, T, H, h]
        TensorData x = pass.trace().read(residHook);                            // [B, T, d]
        long[] zs = z.shape();
        int b = (int) zs[0], t = (int) zs[1], heads = (int) zs[2], dh = (int) zs[3];
        int d = (int) x.shape()[2];
        float[] ratio;
        try (NDManager m = parent.newSubManager()) {
            NDArray gram = gram(pass.trace().program(), m, heads, dh);                          // [H, h, h]
            NDArray zt = m.create(z.values(), new Shape((long) b * t, heads, dh)).transpose(1, 0, 2); // [H, N, h]
            NDArray sq = zt.matMul(gram).mul(zt).sum(new int[] {2});                          // [H, N]
            NDArray headNorm = sq.maximum(0f).sqrt();
            NDArray residNorm = m.create(x.values(), new Shape((long) b * t, d)).norm(new int[] {1}); // [N]
            ratio = headNorm.div(residNorm.maximum(1e-12f)).toFloatArray();
        }
        int n = b * t;
        for (int h = 0; h < heads; h++) {
            for (int row = 0; row < b; row++) {
                for (int q = 0; q < t; q++) {
                    float r = ratio[h * n + row * t + q];
                    if (cells.real(row, q) && Float.isFinite(r)) {
                        sum[h] += r;
                        count[h]++;
                    }
                }
            }
        }
    }

    /** G_h = W_O[h] W_O[h]^T for every head, with W_O read by running the output projection on the identity. */
    private NDArray gram(Program program, NDManager m, int heads, int dh) {
        int i = program.indexOf(layer.hook(HookName.Block.ATTN_OUT));
        Op op = program.op(i);
        int inner = heads * dh;
        NDArray eye = m.eye(inner).reshape(1, inner, heads, dh);
        NDArray rows = op.kernel().apply(List.of(eye), m);                                // [1, H h, d] = W_O + b_O
        NDArray bias = op.kernel().apply(List.of(m.zeros(new Shape(1, 1, heads, dh))), m); // [1, 1, d] = b_O
        NDArray w = rows.sub(bias).reshape(heads, dh, -1);                                // [H, h, d]
        return w.matMul(w.transpose(0, 2, 1));
    }

    /** Mean ||head output|| / ||residual|| over the real query positions added; NaN if none. */
    public double ratio(int head) {
        return count[head] == 0 ? Double.NaN : sum[head] / count[head];
    }
}
