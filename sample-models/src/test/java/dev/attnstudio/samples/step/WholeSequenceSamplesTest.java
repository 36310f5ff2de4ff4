package dev.attnstudio.samples.step;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.WholeSequence;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated sentence's attention read as one map, on the trained samples: greedy generation over the KV cache, then
 * every layer's pattern stitched from the passes (the prompt's rows, one row per decode pass) equals the passes' own
 * rows and a single pass over the finished sequence, for GPT-2 ({@code tiny-gpt}), LLaMA with grouped-query attention
 * and rotary positions ({@code tiny-llama}) and T5 ({@code reverse-t5}: decoder self-attention, decoder x source
 * cross-attention, and the encoder, which only the prompt's pass runs).
 */
class WholeSequenceSamplesTest {

    /** Stitched and recomputed patterns agree to this (float32, different kernels: one row vs. the whole matrix). */
    private static final float TOLERANCE = 1e-5f;
    private static final int GENERATED = 12;

    @Test
    void tinyGptPatternsStitchToTheRecompute() {
        try (LoadedModel m = SampleModels.open("tiny-gpt", DjlRuntime.DeviceChoice.CPU)) {
            long[] prompt = m.tokenizer().encode("In the beginning God").ids();
            assertStitchedEqualsRecompute(m, Batch.of(prompt), "blocks.%d.attn.hook_pattern", false);
        }
    }

    @Test
    void tinyLlamaPatternsStitchToTheRecompute() {
        try (LoadedModel m = SampleModels.open("tiny-llama", DjlRuntime.DeviceChoice.CPU)) {
            long[] prompt = m.tokenizer().encode("And God said, Let there").ids();
            assertStitchedEqualsRecompute(m, Batch.of(prompt), "blocks.%d.attn.hook_pattern", false);
        }
    }

    @Test
    void reverseT5DecoderSelfCrossAndEncoderStitchToTheRecompute() {
        try (LoadedModel m = SampleModels.open("reverse-t5", DjlRuntime.DeviceChoice.CPU)) {
            Batch prompt = Batch.of(m.tokenizer().encode("attention").ids());
            assertStitchedEqualsRecompute(m, prompt, "decoder.blocks.%d.attn.hook_pattern", true);
            assertStitchedEqualsRecompute(m, prompt, "decoder.blocks.%d.cross_attn.hook_pattern", true);
            assertStitchedEqualsRecompute(m, prompt, "encoder.blocks.%d.attn.hook_pattern", true);
        }
    }

    /**
     * Generates greedily over the cache, stitches every layer of {@code hookFormat} and compares it with the passes' rows
     * and with a recompute of the whole sequence (for T5: the source with the decoder's whole sequence as decoder ids).
     */
    private static void assertStitchedEqualsRecompute(LoadedModel m, Batch prompt, String hookFormat, boolean twoStacks) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(prompt);
            Sampler greedy = new Sampler(SamplingConfig.GREEDY);
            for (int i = 0; i < GENERATED; i++) {
                s.generate(greedy);
            }
            s.runToEnd();
            assertEquals(PassKind.DECODE, s.groups().get(GENERATED).kind());
            long[] sequence = s.tokens();
            Batch whole = twoStacks ? Batch.encoderDecoder(prompt.ids()[0], sequence) : Batch.of(sequence);
            boolean encoder = hookFormat.startsWith("encoder");
            int rows = encoder ? prompt.length() : sequence.length;
            double worst = 0;
            int layers = 0;
            try (Stepper recompute = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                recompute.reset(whole);
                recompute.runToEnd();
                for (String hook = String.format(hookFormat, 0); recompute.group().trace().program().indexOf(hook) >= 0;
                     hook = String.format(hookFormat, ++layers)) {
                    WholeSequence.Stitched w = WholeSequence.of(s, hook, 0);
                    assertEquals(rows, w.rows(), hook);
                    assertEquals(encoder ? 1 : GENERATED + 1, w.passes(), hook + ": passes giving rows");
                    assertRowsAreThePassesOwn(s, w, hook);
                    TensorData full = recompute.read(hook);
                    assertArrayEquals(full.shape(), w.values().shape(), hook);
                    assertArrayEquals(full.values(), w.values().values(), TOLERANCE, hook);
                    for (int i = 0; i < full.values().length; i++) {
                        worst = Math.max(worst, Math.abs(full.values()[i] - w.values().values()[i]));
                    }
                }
            }
            System.out.printf("%s %s: %d layers, %d rows, max |stitched - recomputed| = %.2e%n", m.name(), hookFormat,
                    layers, rows, worst);
            assertTrue(layers >= 2, hookFormat + ": " + layers + " layers");
        }
    }

    /**
     * Every stitched row, every head, is the row its pass computed (the prompt's rows, then each later pass's rows past
     * its cache), followed by zeros where that pass had no keys yet.
     */
    private static void assertRowsAreThePassesOwn(Stepper s, WholeSequence.Stitched w, String hook) {
        int q = 0;
        for (int g = 0; g < s.groups().size(); g++) {
            Stepper.Group group = s.groups().get(g);
            if (group.trace().program().indexOf(hook) < 0) {
                continue; // a decode pass has no encoder
            }
            TensorData own = group.trace().read(hook); // [1, H, Tq, K]
            for (int row = q - group.past(); row < own.shape()[2]; row++, q++) {
                assertEquals(g, w.rowPass()[q], hook + " row " + q);
                for (int h = 0; h < w.heads(); h++) {
                    float[] computed = own.row(0, h, row);
                    float[] stitched = w.values().row(0, h, q);
                    assertArrayEquals(computed, Arrays.copyOf(stitched, computed.length), 0f, hook + " row " + q);
                    for (int k = computed.length; k < stitched.length; k++) {
                        assertEquals(0f, stitched[k], 0f, hook + " row " + q + " key " + k);
                    }
                }
            }
        }
        assertEquals(w.rows(), q, hook + ": every row comes from a pass");
    }
}
