package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;

/** A normalization over d_model: LayerNorm (GPT-2, BERT) or RMSNorm (LLaMA, T5). [B, T, d] -> [B, T, d]. */
public interface Norm {

    NDArray forward(NDArray x);

    /** One line stating the formula, for the step's description. */
    String math();
}
