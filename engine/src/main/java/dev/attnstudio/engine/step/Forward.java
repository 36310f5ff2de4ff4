package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.model.Interventions;
import dev.attnstudio.engine.model.Pass;
import dev.attnstudio.engine.model.TransformerModel;

/**
 * A whole forward pass without stepping or capture: the same steps the stepper runs, for training and for
 * batch evaluation. Under a gradient collector, autograd records every step, so a loss on the result
 * back-propagates through the engine's own forward pass.
 */
public final class Forward {

    private Forward() {
    }

    /**
     * Runs the prompt pass and returns the model's output ({@link TransformerModel#outputHook()}: logits
     * [B, T, V] for decoders) attached to {@code into}; every intermediate is freed.
     */
    public static NDArray run(TransformerModel model, Batch batch, Interventions interventions, NDManager into) {
        Pass pass = new Pass(batch.size(), batch.length(), 0, interventions, null,
                batch.padded() ? batch.attentionMask() : null);
        try (Trace trace = new Trace(model.program(pass), model.manager(), Capture.OFF, batch)) {
            while (!trace.complete()) {
                trace.runNext();
            }
            NDArray out = trace.valueOf(model.outputHook());
            out.attach(into);
            return out;
        }
    }
}
