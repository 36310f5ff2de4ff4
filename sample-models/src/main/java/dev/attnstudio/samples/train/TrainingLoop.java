package dev.attnstudio.samples.train;

import dev.attnstudio.engine.train.NextTokenBatch;
import dev.attnstudio.engine.train.Optimization;
import dev.attnstudio.engine.train.Trainer;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * The loop the sample trainers share: training batches drawn from a {@link SplittableRandom} seeded with seed + 1, a
 * row of the curve before the first step and after every step the trainer asks for, each with the mean training loss
 * since the previous row, and the time spent in training steps alone (measuring the rows is not counted).
 */
final class TrainingLoop {

    /** Draws the next training batch. */
    @FunctionalInterface
    interface Batches {
        NextTokenBatch next(SplittableRandom data);
    }

    /** Measures and records a row of the curve. */
    @FunctionalInterface
    interface Row {
        /**
         * @param step      steps taken (0: before training)
         * @param rate      the learning rate of the last step (0 before training)
         * @param trainLoss the mean training loss of the steps since the previous row; null before training
         */
        void at(int step, float rate, Double trainLoss);
    }

    /** Sees every step's training loss. */
    @FunctionalInterface
    interface StepLoss {
        void after(int step, float loss);
    }

    private TrainingLoop() {
    }

    /** {@link #run(Trainer, int, long, Batches, IntPredicate, Row, StepLoss)} without a look at each step. */
    static long run(Trainer trainer, int steps, long seed, Batches batches, IntPredicate rowAt, Row row) {
        return run(trainer, steps, seed, batches, rowAt, row, (step, loss) -> { });
    }

    /**
     * Takes {@code steps} training steps; {@code rowAt} says after which steps a row is recorded (the last step should
     * be one of them, so the curve ends on the trained model).
     *
     * @return nanoseconds spent in training steps
     */
    static long run(Trainer trainer, int steps, long seed, Batches batches, IntPredicate rowAt, Row row,
                    StepLoss each) {
        SplittableRandom data = new SplittableRandom(seed + 1);
        row.at(0, 0f, null);
        long trainingNanos = 0;
        double sinceRow = 0;
        int stepsSinceRow = 0;
        for (int step = 1; step <= steps; step++) {
            long t0 = System.nanoTime();
            Trainer.StepResult r = trainer.step(batches.next(data));
            trainingNanos += System.nanoTime() - t0;
            each.after(step, r.loss());
            sinceRow += r.loss();
            stepsSinceRow++;
            if (rowAt.test(step)) {
                row.at(step, r.learningRate(), sinceRow / stepsSinceRow);
                sinceRow = 0;
                stepsSinceRow = 0;
            }
        }
        return trainingNanos;
    }

    /**
     * The trainers' schedule: AdamW at the peak rate after a linear warm-up over {@code warmup} steps (at most a tenth
     * of the run), then a cosine decay to a tenth of the peak over the remaining steps.
     */
    static Optimization schedule(float peak, float weightDecay, int warmup, int steps) {
        int w = Math.min(warmup, steps / 10);
        return Optimization.adamW(peak, weightDecay).withWarmup(w).withCosineDecay(steps - w, peak / 10);
    }

    /** Rows every {@code every} steps and after the last one. */
    static IntPredicate every(int every, int steps) {
        return step -> step % every == 0 || step == steps;
    }
}
