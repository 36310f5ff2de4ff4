package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;

/** A normalization over d_model: LayerNorm (GPT-2, BERT) or RMSNorm (LLaMA, T5). [B, T, d] -> [B, T, d]. */
interface Norm {

    NDArray forward(NDArray x);

    Op.NormType type();

    /** One line stating the formula, for the step's description. */
    String math();

    /** Adds the step {@code name} = norm({@code input}); {@code note} (or null) is appended to the description. */
    default void addStep(Program.Builder p, String name, String input, String note) {
        p.norm(name, type(), note == null ? math() : math() + note, (in, m) -> forward(in.get(0)), input);
    }
}
