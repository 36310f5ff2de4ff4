package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static org.junit.jupiter.api.Assertions.*;

/** A small random BERT: padding, segments and post-norm wiring. Exactness on real weights is in sample-models. */
class BertModelTest {

    static final ModelConfig CONFIG = new ModelConfig(ModelConfig.Architecture.BERT, 2, 4, 32, 64, 40, 50, 2, 1e-12,
            ModelConfig.Activation.GELU);
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = LoadedModel.of("tiny-bert", CONFIG, RandomBert.tensors(CONFIG, 11, 0.3f), null, DjlRuntime.DeviceChoice.CPU);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static TensorData run(Batch batch, String hook) {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            s.reset(batch);
            s.runToEnd();
            return s.read(hook);
        }
    }

    @Test
    void paddedRowsEqualTheirUnpaddedRunAndPaddingGetsNoAttention() {
        long[] shortRow = {1, 7, 9, 2};
        long[] longRow = {1, 5, 6, 8, 3, 4, 2};
        String out = model.model().outputHook();
        TensorData alone = run(Batch.of(shortRow), out);
        for (Batch.Padding side : Batch.Padding.values()) {
            Batch batch = Batch.pad(List.of(shortRow, longRow), null, side, 0);
            try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
                s.reset(batch);
                s.runToEnd();
                TensorData hidden = s.read(out);
                int offset = side == Batch.Padding.LEFT ? 3 : 0;
                // BERT numbers positions 0..T-1 whatever the mask (as Hugging Face does), so only right padding
                // leaves a row's real tokens exactly where they were alone.
                for (int t = 0; side == Batch.Padding.RIGHT && t < shortRow.length; t++) {
                    for (int e = 0; e < 32; e++) {
                        assertEquals(alone.get(0, t, e), hidden.get(0, offset + t, e), 1e-4, side + " t=" + t);
                    }
                }
                assertArrayEquals(new long[] {2, 1, 1, 7}, s.read(MASK.at(0)).shape(), "padding alone broadcasts over queries");
                for (int l = 0; l < 2; l++) {
                    TensorData p = s.read(PATTERN.at(l));
                    for (int h = 0; h < 4; h++) {
                        for (int q = 0; q < 7; q++) {
                            for (int k = 0; k < 7; k++) {
                                if (batch.attentionMask()[0][k] == 0) {
                                    assertEquals(0f, p.get(0, h, q, k), 0f, "padding key " + k);
                                }
                            }
                        }
                    }
                }
                HeadEntropy e = HeadEntropy.of(s, 1);
                assertEquals(4, e.allowedKeys()[0], "row 0 has 4 real keys");
                assertEquals(7, e.allowedKeys()[e.heads() * e.queries()], "row 1 has 7");
                float[] row = s.read(PATTERN.at(1)).row(0, 2, offset);
                double h = 0;
                for (float w : row) {
                    h -= w > 0 ? w * Math.log(w) : 0;
                }
                assertEquals(h / Math.log(4), e.normalized(0, 2, offset), 1e-5);
            }
        }
    }

    @Test
    void eachWeightIsHeldOnce() {
        assertEquals(5 + 16 * CONFIG.nLayer(), model.model().manager().getManagedArrays().size(),
                "5 embedding tensors and 16 per layer; transposing must not leave views behind");
    }

    @Test
    void bidirectionalAndSegmentsMatter() {
        long[] ids = {1, 5, 6, 2, 8, 9, 2};
        TensorData p = run(Batch.of(ids), PATTERN.at(0));
        assertTrue(p.get(0, 0, 0, 6) > 0, "an encoder's first token sees the last");
        long[][] pairTypes = {{0, 0, 0, 0, 1, 1, 1}};
        long[][] mask = {{1, 1, 1, 1, 1, 1, 1}};
        TensorData single = run(Batch.of(ids), model.model().outputHook());
        TensorData pair = run(new Batch(new long[][] {ids}, pairTypes, mask), model.model().outputHook());
        assertNotEquals(single.get(0, 5, 0), pair.get(0, 5, 0), "segment B must change the embedding");
        assertThrows(IllegalArgumentException.class, () -> run(new Batch(new long[][] {ids}, new long[][] {{0, 0, 0, 0, 2, 2, 2}}, mask), "x"));
    }

    @Test
    void encodersDoNotGenerateAndDecodersRefusePadding() {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            s.reset(new long[] {1, 2, 3});
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> s.generate(new dev.attnstudio.engine.sampling.Sampler(dev.attnstudio.engine.sampling.SamplingConfig.GREEDY)));
            assertTrue(e.getMessage().contains("decoder"), e.getMessage());
        }
        try (LoadedModel gpt = TinyModels.load(TinyModels.tensors(1)); Stepper s = new Stepper(gpt.model(), Stepper.Options.DEFAULT)) {
            Batch padded = Batch.pad(List.of(new long[] {1, 2}, new long[] {3, 4, 5}), null, Batch.Padding.LEFT, 0);
            assertThrows(IllegalArgumentException.class, () -> s.reset(padded));
        }
    }
}
