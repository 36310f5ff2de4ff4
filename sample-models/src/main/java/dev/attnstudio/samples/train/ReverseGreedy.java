package dev.attnstudio.samples.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Forward;
import dev.attnstudio.engine.step.Stepper;

import java.util.Arrays;

/**
 * Greedy decoding of an encoder-decoder, two ways that must agree: a batched loop through the engine's plain forward
 * pass (every row of a batch at once, the decoder recomputed over its whole prefix each step: what the accuracy is
 * measured with), and the engine's {@link Stepper} one string at a time (the KV cache and the cached cross-attention
 * keys, as the app and the command line generate).
 */
final class ReverseGreedy {

    private ReverseGreedy() {
    }

    /**
     * The arg-max continuation of every row: {@code steps} tokens after the decoder start token.
     *
     * @param source encoder inputs [B][S], unpadded
     * @param start  the decoder start token
     * @return the generated tokens [B][steps] (the start token not included)
     */
    static long[][] batched(TransformerModel model, Interventions interventions, long[][] source, long start, int steps) {
        int rows = source.length;
        long[][] decoder = new long[rows][1];
        for (long[] row : decoder) {
            row[0] = start;
        }
        for (int s = 0; s < steps; s++) {
            long[] next;
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray logits = Forward.run(model, Batch.of(source).withDecoder(decoder), interventions, scope); // [B, T, V]
                next = logits.get(":, -1, :").argMax(1).toLongArray();                                          // [B]
            }
            for (int b = 0; b < rows; b++) {
                decoder[b] = Arrays.copyOf(decoder[b], decoder[b].length + 1);
                decoder[b][s + 1] = next[b];
            }
        }
        long[][] out = new long[rows][];
        for (int b = 0; b < rows; b++) {
            out[b] = Arrays.copyOfRange(decoder[b], 1, decoder[b].length);
        }
        return out;
    }

    /** The same for one source through the stepper, generating with the KV cache: {@code steps} tokens. */
    static long[] stepper(TransformerModel model, long[] source, int steps) {
        Sampler greedy = new Sampler(SamplingConfig.GREEDY);
        try (Stepper stepper = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(true))) {
            stepper.reset(Batch.of(source));
            for (int s = 0; s < steps; s++) {
                stepper.generate(greedy);
            }
            long[] all = stepper.tokens(); // the decoder's sequence: the start token, then what was generated
            return Arrays.copyOfRange(all, 1, all.length);
        }
    }
}
