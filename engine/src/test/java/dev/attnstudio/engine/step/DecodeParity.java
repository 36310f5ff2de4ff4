package dev.attnstudio.engine.step;

import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Generates greedily twice, over the KV cache and by full recompute, checking the two runs step by step. */
public final class DecodeParity {

    private DecodeParity() {
    }

    /**
     * Asserts both runs choose the same tokens, the cached one decodes one token per pass into a cache that
     * grows by one each time, and returns the largest |cached - recomputed| last-position logit seen.
     */
    public static double maxLogitDiff(TransformerModel model, long[] prompt, int tokens) {
        return maxLogitDiff(model, Batch.of(prompt), tokens);
    }

    /**
     * As {@link #maxLogitDiff(TransformerModel, long[], int)} for any prompt, e.g. an encoder-decoder's source (and
     * decoder start): then the cache grows with the decoder's sequence and each decode pass reads one decoder token.
     */
    public static double maxLogitDiff(TransformerModel model, Batch prompt, int tokens) {
        try (Stepper cached = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.OFF));
             Stepper recompute = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(false))) {
            cached.reset(prompt);
            recompute.reset(prompt);
            Sampler a = new Sampler(SamplingConfig.GREEDY);
            Sampler b = new Sampler(SamplingConfig.GREEDY);
            int start = cached.tokens().length;
            double worst = 0;
            for (int i = 0; i < tokens; i++) {
                assertEquals(recompute.generate(b).token(), cached.generate(a).token(), "token " + i);
                cached.runToEnd();
                recompute.runToEnd();
                float[] la = cached.lastLogits(cached.groups().get(cached.groups().size() - 1));
                float[] lb = recompute.lastLogits(recompute.groups().get(recompute.groups().size() - 1));
                for (int v = 0; v < la.length; v++) {
                    worst = Math.max(worst, Math.abs(la[v] - lb[v]));
                }
            }
            assertEquals(start + tokens, cached.cache().length());
            Stepper.Group decode = cached.groups().get(1);
            assertEquals(PassKind.DECODE, decode.kind());
            assertEquals(1, (decode.decoderIds() != null ? decode.decoderIds() : decode.ids())[0].length);
            assertArrayEquals(cached.tokens(), recompute.tokens());
            return worst;
        }
    }
}
