package dev.attnstudio.engine.train;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** A few training steps through the engine's own forward pass: the loss falls and every weight learns. */
class TrainerTest {

    /** 2 layers, 2 heads of 16, vocab 16, 16 positions: a few milliseconds a step. */
    static final ModelConfig TINY = new ModelConfig(2, 2, 32, 16, 16, 1e-5, ModelConfig.Activation.GELU_NEW);

    static LoadedModel tiny(long seed) {
        return LoadedModel.of("tiny-train", TINY, RandomGpt2.tensors(TINY, seed, 0.05f), null, DjlRuntime.DeviceChoice.CPU);
    }

    /** Rows of 8 random tokens repeated once; only the repeated half is scored. */
    static NextTokenBatch repeats(SplittableRandom random, int rows) {
        int half = 8;
        long[][] ids = new long[rows][2 * half];
        float[][] weights = new float[rows][2 * half];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < half; t++) {
                ids[b][t] = random.nextInt(TINY.vocabSize());
                ids[b][t + half] = ids[b][t];
            }
            for (int t = half; t < 2 * half - 1; t++) {
                weights[b][t] = 1f;
            }
        }
        return new NextTokenBatch(ids, weights);
    }

    @Test
    void lossFallsAndEveryParameterGetsAGradient() {
        try (LoadedModel m = tiny(1);
             Trainer trainer = new Trainer(m.model(), Optimization.adamW(3e-3f, 0.01f), Interventions.NONE, 1)) {
            SplittableRandom data = new SplittableRandom(11);
            NextTokenBatch fixed = repeats(new SplittableRandom(99), 32);
            double before = trainer.evaluate(fixed).loss();
            List<Trainer.StepResult> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(trainer.step(repeats(data, 32)));
            }
            double after = trainer.evaluate(fixed).loss();
            assertTrue(after < before, "loss on a fixed batch: " + before + " -> " + after);
            assertTrue(results.get(19).loss() < results.get(0).loss(),
                    "training loss " + results.get(0).loss() + " -> " + results.get(19).loss());
            assertEquals(20, trainer.steps());

            Map<String, Double> norms = results.get(0).gradientNorms();
            assertEquals(m.model().parameters().keySet(), norms.keySet());
            // wte, wpe, 2 x (ln_1 2, q/k/v 6, c_proj 2, ln_2 2, mlp 4), ln_f 2
            assertEquals(2 + 2 * 16 + 2, norms.size());
            norms.forEach((name, norm) -> assertTrue(norm > 0, name + " got no gradient"));
        }
    }

    @Test
    void theSameSeedsGiveTheSameRun() {
        float[][] losses = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (LoadedModel m = tiny(5); Trainer trainer = new Trainer(m.model(), Optimization.adam(1e-3f), Interventions.NONE, 5)) {
                SplittableRandom data = new SplittableRandom(6);
                losses[run] = new float[5];
                for (int i = 0; i < 5; i++) {
                    losses[run][i] = trainer.step(repeats(data, 16)).loss();
                }
            }
        }
        assertArrayEquals(losses[0], losses[1], 1e-6f);
    }

    /**
     * The same step twice from the same weights, the second time with the garbage collector forced to run (and freed
     * native memory reused) between the forward and the backward pass. Autograd must not read anything the collector
     * can free: a scalar op on a Java-made array (see {@link Trainer}) makes these gradients differ.
     */
    @Test
    void gradientsDoNotDependOnTheGarbageCollector() {
        NextTokenBatch batch = repeats(new SplittableRandom(21), 16);
        List<Map<String, Double>> norms = new ArrayList<>();
        for (boolean churn : new boolean[] {false, true}) {
            try (LoadedModel m = tiny(21); Trainer trainer = new Trainer(m.model(), Optimization.adam(1e-3f), Interventions.NONE, 21)) {
                if (churn) {
                    trainer.beforeBackward = TrainerTest::collectGarbageAndReuseNativeMemory;
                }
                norms.add(trainer.step(batch).gradientNorms());
            }
        }
        norms.get(0).forEach((name, norm) ->
                assertEquals(norm, norms.get(1).get(name), 1e-6 * (1 + norm), name + ": gradient changed by a garbage collection"));
    }

    private static void collectGarbageAndReuseNativeMemory() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(DjlRuntime.engine().getEngineName())) {
            for (int round = 0; round < 5; round++) {
                System.gc();
                try {
                    Thread.sleep(40); // the reference handler frees the unreachable direct buffers
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 500; i++) {
                    m.create(new float[] {1e30f}).close(); // reuse what was freed, with a loud value
                    m.create(new long[] {1L << 40}).close();
                }
            }
        }
    }

    @Test
    void stepsFreeTheirArrays() {
        try (LoadedModel m = tiny(2); Trainer trainer = new Trainer(m.model(), Optimization.adam(1e-3f), Interventions.NONE, 2)) {
            SplittableRandom data = new SplittableRandom(3);
            trainer.step(repeats(data, 8)); // creates the optimizer's moment estimates
            int baseline = m.model().manager().getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                trainer.step(repeats(data, 8));
                trainer.evaluate(repeats(data, 8));
            }
            assertEquals(baseline, m.model().manager().getManagedArrays().size());
        }
    }

    @Test
    void trainingChangesTheArraysTheForwardPassReads() {
        try (LoadedModel m = tiny(3)) {
            NDArray wte = m.model().parameters().get("wte.weight");
            float[] before = wte.toFloatArray();
            NextTokenBatch batch = repeats(new SplittableRandom(4), 8);
            double lossBefore = Trainer.evaluate(m.model(), Interventions.NONE, batch).loss();
            try (Trainer trainer = new Trainer(m.model(), Optimization.adam(1e-2f), Interventions.NONE, 3)) {
                trainer.step(batch);
            }
            assertFalse(java.util.Arrays.equals(before, m.model().parameters().get("wte.weight").toFloatArray()));
            assertNotEquals(lossBefore, Trainer.evaluate(m.model(), Interventions.NONE, batch).loss());
            assertFalse(wte.hasGradient(), "closing the trainer stops gradient tracking");
        }
    }

    @Test
    void aDivergedStepIsReportedNotApplied() {
        NextTokenBatch batch = repeats(new SplittableRandom(4), 4);
        assertThrows(IllegalArgumentException.class, () -> new NextTokenBatch(batch.ids(), new float[4][16]));
        float[][] lastCounted = new float[4][16];
        lastCounted[0][15] = 1f;
        assertThrows(IllegalArgumentException.class, () -> new NextTokenBatch(batch.ids(), lastCounted));
    }
}
