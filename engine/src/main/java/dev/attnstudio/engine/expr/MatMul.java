package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.Arrays;

/**
 * {@code a @ b} as NumPy's matmul: the last two axes are matrices, the leading axes broadcast as batch axes. A 1-D
 * left operand is a row vector and a 1-D right operand a column vector, and the added axis is removed from the
 * result. Dot products accumulate in double.
 */
final class MatMul {

    private MatMul() {
    }

    static TensorData apply(TensorData a, TensorData b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new MathError("'@' multiplies matrices, but " + (a.rank() == 0 ? "the left" : "the right")
                    + " operand is a single number; use * to scale");
        }
        long[] as = a.rank() == 1 ? new long[] {1, a.shape()[0]} : a.shape();
        long[] bs = b.rank() == 1 ? new long[] {b.shape()[0], 1} : b.shape();
        int m = (int) as[as.length - 2];
        int k = (int) as[as.length - 1];
        int kb = (int) bs[bs.length - 2];
        int n = (int) bs[bs.length - 1];
        if (k != kb) {
            throw new MathError("'@' needs the last axis of the left operand to match the second-to-last axis of the "
                    + "right: " + Shapes.show(a.shape()) + " @ " + Shapes.show(b.shape()) + " has " + k + " vs " + kb);
        }
        long[] aBatch = Arrays.copyOf(as, as.length - 2);
        long[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        long[] batch;
        try {
            batch = Broadcast.shape(aBatch, bBatch);
        } catch (MathError e) {
            throw new MathError("'@' broadcasts the axes before the last two, but " + Shapes.show(aBatch) + " of "
                    + Shapes.show(a.shape()) + " and " + Shapes.show(bBatch) + " of " + Shapes.show(b.shape())
                    + " do not broadcast");
        }
        long[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = m;
        full[batch.length + 1] = n;
        float[] r = new float[Shapes.size(full)];
        multiply(a.values(), Broadcast.stridesWithin(aBatch, batch), b.values(), Broadcast.stridesWithin(bBatch, batch),
                batch, m, k, n, r);
        return Shapes.tensor(resultShape(a, b, batch, m, n), r);
    }

    /** Batch strides count matrices; each matrix is m x k (left) or k x n (right). */
    private static void multiply(float[] av, int[] sa, float[] bv, int[] sb, long[] batch, int m, int k, int n,
                                 float[] r) {
        int matrices = Shapes.size(batch);
        int[] idx = new int[batch.length];
        int ia = 0;
        int ib = 0;
        double[] acc = new double[n];
        for (int t = 0; t < matrices; t++) {
            int aOff = ia * m * k;
            int bOff = ib * k * n;
            int rOff = t * m * n;
            for (int i = 0; i < m; i++) {
                Arrays.fill(acc, 0);
                for (int p = 0; p < k; p++) {
                    double x = av[aOff + i * k + p];
                    int row = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += x * bv[row + j];
                    }
                }
                for (int j = 0; j < n; j++) {
                    r[rOff + i * n + j] = (float) acc[j];
                }
            }
            for (int d = batch.length - 1; d >= 0; d--) {
                idx[d]++;
                ia += sa[d];
                ib += sb[d];
                if (idx[d] < batch[d]) {
                    break;
                }
                ia -= sa[d] * (int) batch[d];
                ib -= sb[d] * (int) batch[d];
                idx[d] = 0;
            }
        }
    }

    private static long[] resultShape(TensorData a, TensorData b, long[] batch, int m, int n) {
        long[] out = Arrays.copyOf(batch, batch.length + (a.rank() == 1 ? 0 : 1) + (b.rank() == 1 ? 0 : 1));
        int d = batch.length;
        if (a.rank() != 1) {
            out[d++] = m;
        }
        if (b.rank() != 1) {
            out[d] = n;
        }
        return out;
    }
}
