package dev.attnstudio.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.runtime.DjlRuntime;

/**
 * x W^T for a large float32 weight W [out, in] and a few rows of x, computed so that every intra-op thread streams
 * part of W: W's rows are cut into {@code p} equal contiguous blocks (a view, no copy), viewed as a batch
 * [p, out / p, in], and multiplied in one batched product, which PyTorch spreads over its threads; the rows left over
 * when p does not divide {@code out} (GPT-2's 50,257-token unembedding) take one more small product.
 *
 * <p>Why: for a single row (one token of decoding) PyTorch hands x W^T to MKL's matrix-vector product, which runs on one
 * thread however many intra-op threads there are, so a decode step streams its weights through one core. Measured on a
 * 2-core machine (AMD EPYC, PyTorch 2.7.1, medians over weights larger than the caches): [50256, 768] 9.05 -> 5.08 ms,
 * [3072, 768] 565 -> 334 us, [768, 3072] 481 -> 292 us; at 2.4 MB ([768, 768]) the extra calls cost more than they
 * save (165 -> 257 us), hence {@link #MIN_BYTES}. Each output is the same dot product as in the single product, though
 * the batched kernel may add its terms in another order: the two agree to float rounding (about 1e-6 of the largest
 * output; tested). Stepped and fused runs both come here, so they still agree bit for bit.
 */
public final class RowBlockProduct {

    /** Weights below this stay one product: the break-even lies between 2.4 MB (1.56x slower split) and 9.4 MB (0.6x). */
    static final long MIN_BYTES = 8L << 20;
    /**
     * Rows of x up to which the split pays: measured 0.56x at 1-2 rows, 0.59x at 4, 0.72x at 8 on the unembedding; a
     * prompt's pass (tens of rows or more) is a matrix product MKL already spreads over the threads.
     */
    static final long MAX_ROWS = 8;

    private RowBlockProduct() {
    }

    /** x [..., in] . W^T, W [out, in] float32 -> [..., out]. */
    public static NDArray timesTransposed(NDArray x, NDArray w) {
        int parts = parts(x, w);
        if (parts < 2) {
            return x.matMul(w.transpose());
        }
        Shape xs = x.getShape();
        long in = w.getShape().get(1);
        long out = w.getShape().get(0);
        long rows = xs.size() / in;
        long block = out / parts;
        long even = block * parts;
        NDArray blocks = (even == out ? w : w.get(new NDIndex("0:{}", even))).reshape(parts, block, in);
        // [1, rows, in] . [p, in, block] -> [p, rows, block] -> [rows, p, block] -> [rows, even]; on p threads even
        // inside a pass that runs the rest on one (see Trace)
        NDArray batched = DjlRuntime.withIntraOpThreads(parts, () -> x.reshape(1, rows, in).matMul(blocks.transpose(0, 2, 1)));
        NDArray y = batched.transpose(1, 0, 2).reshape(rows, even);
        if (even < out) {
            NDArray rest = x.reshape(rows, in).matMul(w.get(new NDIndex("{}:", even)).transpose());
            y = NDArrays.concat(new NDList(y, rest), 1);
        }
        long[] shape = xs.getShape().clone();
        shape[shape.length - 1] = out;
        return y.reshape(shape);
    }

    /**
     * How many row blocks: the configured intra-op threads when the product is large, on the CPU and has few rows;
     * else 1.
     */
    public static int parts(NDArray x, NDArray w) {
        Shape ws = w.getShape();
        long in = ws.get(1);
        if (ws.size() * 4 < MIN_BYTES || x.getShape().size() / in > MAX_ROWS || !Device.cpu().equals(w.getDevice())) {
            return 1;
        }
        return (int) Math.min(DjlRuntime.intraOpThreads(), ws.get(0));
    }
}
