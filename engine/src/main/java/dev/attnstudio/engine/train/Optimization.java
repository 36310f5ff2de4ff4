package dev.attnstudio.engine.train;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * How the weights move: Adam or AdamW, a learning rate with optional linear warm-up and cosine decay, and
 * optional clipping of the global gradient norm. Immutable; the {@code with...} methods return copies.
 *
 * @param kind              Adam (L2 in the gradient) or AdamW (decoupled weight decay)
 * @param learningRate      peak learning rate
 * @param warmupSteps       steps of linear warm-up from 0 to the peak; 0 for none
 * @param decaySteps        steps of cosine decay after warm-up, from the peak to {@code finalLearningRate}; 0 keeps
 *                          the rate constant
 * @param finalLearningRate where cosine decay ends
 * @param weightDecay       weight decay (AdamW: decoupled; Adam: added to the gradient)
 * @param clipNorm          largest global gradient L2 norm; larger gradients are scaled down to it. 0 for no clipping
 */
public record Optimization(Kind kind, float learningRate, int warmupSteps, int decaySteps, float finalLearningRate,
                           float weightDecay, float clipNorm) {

    /** The two Adam variants DJL provides. */
    public enum Kind { ADAM, ADAMW }

    public Optimization {
        if (!(learningRate > 0) || warmupSteps < 0 || decaySteps < 0 || finalLearningRate < 0 || weightDecay < 0
                || clipNorm < 0) {
            throw new IllegalArgumentException("learning rate must be positive; steps, decay and clipping not negative");
        }
    }

    /** Adam at a constant rate, no weight decay, no clipping. */
    public static Optimization adam(float learningRate) {
        return new Optimization(Kind.ADAM, learningRate, 0, 0, 0f, 0f, 0f);
    }

    /** AdamW at a constant rate. */
    public static Optimization adamW(float learningRate, float weightDecay) {
        return new Optimization(Kind.ADAMW, learningRate, 0, 0, 0f, weightDecay, 0f);
    }

    public Optimization withWarmup(int steps) {
        return new Optimization(kind, learningRate, steps, decaySteps, finalLearningRate, weightDecay, clipNorm);
    }

    /** Cosine decay over {@code steps} after the warm-up, ending at {@code finalRate}. */
    public Optimization withCosineDecay(int steps, float finalRate) {
        return new Optimization(kind, learningRate, warmupSteps, steps, finalRate, weightDecay, clipNorm);
    }

    public Optimization withClipNorm(float maxNorm) {
        return new Optimization(kind, learningRate, warmupSteps, decaySteps, finalLearningRate, weightDecay, maxNorm);
    }

    /** The learning rate schedule; DJL counts updates from 1. */
    public Tracker schedule() {
        Tracker main = decaySteps == 0 ? Tracker.fixed(learningRate)
                : Tracker.cosine().setBaseValue(learningRate).optFinalValue(finalLearningRate)
                        .setMaxUpdates(decaySteps).build();
        if (warmupSteps == 0) {
            return main;
        }
        return Tracker.warmUp().setMainTracker(main).optWarmUpSteps(warmupSteps).optWarmUpBeginValue(0f).build();
    }

    /** A fresh DJL optimizer with this schedule (its moment estimates start at zero). */
    Optimizer newOptimizer() {
        return switch (kind) {
            case ADAM -> Optimizer.adam().optLearningRateTracker(schedule()).optWeightDecays(weightDecay).build();
            case ADAMW -> Optimizer.adamW().optLearningRateTracker(schedule()).optWeightDecays(weightDecay).build();
        };
    }

    /** For people: "AdamW lr 0.001, linear warm-up 100 steps, cosine decay to 0.0001 over 1900 steps, ...". */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(kind == Kind.ADAM ? "Adam" : "AdamW").append(" lr ").append(number(learningRate));
        if (warmupSteps > 0) {
            s.append(", linear warm-up ").append(warmupSteps).append(" steps");
        }
        if (decaySteps > 0) {
            s.append(", cosine decay to ").append(number(finalLearningRate)).append(" over ").append(decaySteps)
                    .append(" steps");
        }
        if (weightDecay > 0) {
            s.append(", weight decay ").append(number(weightDecay));
        }
        if (clipNorm > 0) {
            s.append(", gradient norm clipped at ").append(number(clipNorm));
        }
        return s.toString();
    }

    /** Four significant digits, no exponent, no trailing zeros: 1.00000005E-4f prints as 0.0001. */
    private static String number(float v) {
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
