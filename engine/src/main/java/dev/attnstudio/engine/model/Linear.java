package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * x -> x W (+ b). The weight stays in the layout its checkpoint stores, so a trainer can be handed the checkpoint's
 * own tensors: [in, out] (GPT-2's Conv1D; BERT after its load-time transpose) or [out, in] (a torch Linear, as LLaMA
 * and T5 store them; multiplied through a transposed view, no copy). A weight held in half precision is widened to
 * float32 for each product ({@link HalfWeights}: exact, the copy freed at once); the bias is always float32.
 *
 * @param weight [in, out] or [out, in]
 * @param bias   [out], or null for none
 * @param outIn  whether the weight is stored [out, in]
 */
record Linear(NDArray weight, NDArray bias, boolean outIn) {

    /** A weight stored [in, out], with a bias or null. */
    static Linear inOut(NDArray weight, NDArray bias) {
        return new Linear(weight, bias, false);
    }

    /** A torch Linear weight [out, in], with a bias or null. */
    static Linear outIn(NDArray weight, NDArray bias) {
        return new Linear(weight, bias, true);
    }

    long inputs() {
        return weight.getShape().get(outIn ? 1 : 0);
    }

    long outputs() {
        return weight.getShape().get(outIn ? 0 : 1);
    }

    /** [..., in] -> [..., out]. */
    NDArray apply(NDArray x) {
        NDArray y = HalfWeights.times(x, weight, outIn);
        return bias == null ? y : y.add(bias);
    }

    /** "x W_Q + b_Q", or "x W_Q (no bias)". */
    String math(String in, String w) {
        return in + " W_" + w + (bias == null ? " (no bias)" : " + b_" + w);
    }
}
