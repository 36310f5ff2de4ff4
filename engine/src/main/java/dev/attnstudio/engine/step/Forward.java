package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.program.KvCache;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.PassKind;

/**
 * A whole forward pass without stepping or capture: the same steps the stepper runs, for training and for
 * batch evaluation. Under a gradient collector, autograd records every step, so a loss on the result
 * back-propagates through the engine's own forward pass.
 */
public final class Forward {

    private Forward() {
    }

    /**
     * Runs the prompt pass under the given interventions and returns the model's output
     * ({@link TransformerModel#outputHook()}: logits [B, T, V] for decoders, over the decoder's positions for
     * encoder-decoders) attached to {@code into}; every intermediate is freed.
     */
    public static NDArray run(TransformerModel model, Batch batch, Interventions interventions, NDManager into) {
        interventions.check(model.capabilities());
        MemoryEstimate.of(model.config(), batch.size(), Math.max(batch.length(), batch.decoderLength()), 0, Capture.OFF,
                false).check();
        Hooks hooks = new Hooks();
        try (Hooks.Handle ignored = interventions.attach(hooks);
             Trace trace = new Trace(model.program(pass(batch, 0, null)), model.manager(), Capture.OFF, batch, hooks,
                     PassKind.PREFILL)) {
            while (!trace.complete()) {
                int end = trace.fusableEnd(i -> true);
                if (end > trace.executed()) {
                    trace.runFused(end); // what no intervention hooks runs fused
                } else {
                    trace.runNext();
                }
            }
            NDArray out = trace.valueOf(model.outputHook());
            out.attach(into);
            return out;
        }
    }

    /**
     * The pass that reads a batch after {@code past} cached positions: over the prompt, or for an encoder-decoder
     * (a batch with decoder ids) over the decoder's tokens with the source, padded as its attention mask says.
     */
    static Pass pass(Batch batch, int past, KvCache cache) {
        long[][] padding = batch.padded() ? batch.attentionMask() : null;
        if (batch.decoderIds() == null) {
            return new Pass(batch.size(), batch.length(), past, cache, padding);
        }
        return Pass.encoderDecoder(batch.size(), batch.length(), padding, batch.decoderLength(), past, cache);
    }
}
