package dev.attnstudio.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.HalfWeights;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Forward;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a model's own weights on next-token prediction: the engine's forward pass ({@link Forward#run}) under
 * DJL's gradient collector, a weighted cross-entropy, back-propagation, then one Adam/AdamW update of every entry of
 * {@link TransformerModel#parameters()} in place. The model keeps running through the stepper as before; it simply
 * has new weights. An encoder-decoder (T5) trains the same way on {@link NextTokenBatch#seq2seq} pairs: the loss is
 * over the decoder's positions, the gradients reach both stacks.
 *
 * <p>Each step's arrays live in a manager of their own, closed at the end of the step; what survives is the
 * weights, their gradient buffers (zeroed after each update) and the optimizer's moment estimates.
 *
 * <p>Native memory that autograd reads. DJL's PyTorch engine creates arrays from Java data without copying
 * ({@code from_blob} over a direct buffer that only the Java array object keeps alive), and its scalar operations
 * ({@code x.mul(0.5f)}, {@code x.pow(3)}) make such an array and close it at once. Autograd saves the scalar for the
 * backward pass, so once the garbage collector frees the buffer, back-propagation reads freed memory: gradients
 * silently become garbage (or inf, or an out-of-range index) at some random step. Every step kernel on the training
 * path must therefore make its constants with {@code manager.full(...)} (PyTorch-owned) or keep them open until the
 * backward pass; {@code TrainerTest.gradientsDoNotDependOnTheGarbageCollector} checks it. The same holds for the
 * pass's input ids, which {@link Forward#run} frees with its trace before the backward pass: a model's embedding step
 * must index with a PyTorch-owned copy of them (as {@code Gpt2Model} does).
 *
 * <p>Reproducibility: the engine's random seed is set (nothing in these models draws from it: there is no dropout);
 * initial weights and data come from the caller's seeded generators. Not thread-safe: one engine thread.
 */
public final class Trainer implements AutoCloseable {

    /**
     * One update.
     *
     * @param step          1-based number of this update
     * @param loss          the weighted mean cross-entropy (nats) before the update
     * @param gradientNorm  global L2 norm of the gradient, before clipping
     * @param learningRate  the rate the schedule gave this update
     * @param gradientNorms L2 norm of each parameter's gradient, by parameter name, before clipping
     */
    public record StepResult(int step, float loss, double gradientNorm, float learningRate,
                             Map<String, Double> gradientNorms) {
    }

    /**
     * Next-token quality on a batch, without training.
     *
     * @param loss     weighted mean cross-entropy (nats)
     * @param correct  weighted count of positions whose arg-max is the next token
     * @param counted  total weight of the positions scored
     */
    public record Evaluation(double loss, double correct, double counted) {
        public double accuracy() {
            return correct / counted;
        }
    }

    private final TransformerModel model;
    private final Optimization optimization;
    private final Interventions interventions;
    private final Map<String, NDArray> parameters;
    private final Optimizer optimizer;
    private final Tracker schedule;
    private int steps;
    /** Runs between the forward and the backward pass; tests use it to provoke garbage collection there. */
    Runnable beforeBackward = () -> { };

    /**
     * Marks every parameter as requiring a gradient.
     *
     * @param interventions the forward pass to train through ({@link Interventions#NONE} for the model as it is)
     * @param seed          the engine's random seed
     * @throws UnsupportedOperationException if the model family cannot be trained, or its weights are held in half
     *                                       precision (a bf16/f16 checkpoint opened with half-precision weights)
     */
    public Trainer(TransformerModel model, Optimization optimization, Interventions interventions, int seed) {
        this.model = model;
        this.optimization = optimization;
        this.interventions = interventions;
        this.parameters = model.parameters();
        parameters.forEach((name, p) -> {
            if (HalfWeights.isHalf(p)) {
                throw new UnsupportedOperationException("weight " + name + " is held in " + HalfWeights.storedAs(p)
                        + " as the checkpoint stores it; training updates float32 weights: open the model with"
                        + " half-precision weights off (-D" + HalfWeights.PROPERTY + "=false)");
            }
        });
        DjlRuntime.engine().setRandomSeed(seed);
        this.optimizer = optimization.newOptimizer();
        this.schedule = optimization.schedule();
        parameters.values().forEach(p -> p.setRequiresGradient(true));
    }

    public Optimization optimization() {
        return optimization;
    }

    /** Updates done so far. */
    public int steps() {
        return steps;
    }

    /**
     * Forward, loss, backward, update.
     *
     * @throws IllegalStateException if the loss is not finite (training diverged); the weights are then not updated
     */
    public StepResult step(NextTokenBatch batch) {
        try (NDManager scope = model.manager().newSubManager()) {
            float loss;
            try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                NDArray logits = Forward.run(model, batch.inputs(), interventions, scope); // [B, T, V]
                NDArray lossArray = crossEntropy(logits, batch, scope);
                beforeBackward.run();
                collector.backward(lossArray);
                loss = lossArray.getFloat();
            }
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            Map<String, Double> norms = new LinkedHashMap<>();
            double squares = 0;
            for (Map.Entry<String, NDArray> p : parameters.entrySet()) {
                NDArray g = p.getValue().getGradient(); // a new handle on the parameter's gradient buffer
                g.attach(scope);                       // the handle goes with the step; the buffer stays
                gradients.put(p.getKey(), g);
                double norm = g.norm().getFloat();
                norms.put(p.getKey(), norm);
                squares += norm * norm;
            }
            double total = Math.sqrt(squares);
            if (!Float.isFinite(loss) || !Double.isFinite(total)) {
                gradients.values().forEach(g -> g.subi(g));
                throw new IllegalStateException("training diverged at step " + (steps + 1) + ": loss " + loss
                        + ", gradient norm " + total);
            }
            if (optimization.clipNorm() > 0 && total > optimization.clipNorm()) {
                float factor = (float) (optimization.clipNorm() / total);
                gradients.values().forEach(g -> g.muli(factor));
            }
            steps++;
            float rate = schedule.getNewValue(steps);
            for (Map.Entry<String, NDArray> g : gradients.entrySet()) {
                optimizer.update(g.getKey(), parameters.get(g.getKey()), g.getValue());
                g.getValue().subi(g.getValue()); // PyTorch adds gradients up: clear them for the next step
            }
            return new StepResult(steps, loss, total, rate, Collections.unmodifiableMap(norms));
        }
    }

    /** Loss and arg-max accuracy on a batch, without gradients and without changing anything. */
    public Evaluation evaluate(NextTokenBatch batch) {
        return evaluate(model, interventions, batch);
    }

    /** Loss and arg-max accuracy of any decoder on a batch (no training involved). */
    public static Evaluation evaluate(TransformerModel model, Interventions interventions, NextTokenBatch batch) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray logits = Forward.run(model, batch.inputs(), interventions, scope);
            double loss = crossEntropy(logits, batch, scope).getFloat();
            long[] predicted = logits.argMax(2).toLongArray(); // [B * T]
            long[][] targets = batch.targets();
            double correct = 0;
            double counted = 0;
            int len = batch.length();
            for (int b = 0; b < batch.size(); b++) {
                for (int t = 0; t < len; t++) {
                    float w = batch.weights()[b][t];
                    counted += w;
                    if (predicted[b * len + t] == targets[b][t]) {
                        correct += w;
                    }
                }
            }
            return new Evaluation(loss, correct, counted);
        }
    }

    /**
     * Weighted mean of -log p(next token): the sum over (b, t) of w[b][t] * -log softmax(logits[b, t])[target],
     * divided by the sum of the weights. A scalar in {@code scope}.
     */
    private static NDArray crossEntropy(NDArray logits, NextTokenBatch batch, NDManager scope) {
        int b = batch.size();
        int t = batch.length();
        long[] targets = new long[b * t];
        float[] weights = new float[b * t];
        double total = 0;
        long[][] next = batch.targets();
        for (int i = 0; i < b; i++) {
            System.arraycopy(next[i], 0, targets, i * t, t);
            System.arraycopy(batch.weights()[i], 0, weights, i * t, t);
            for (float w : batch.weights()[i]) {
                total += w;
            }
        }
        // Everything autograd saves for the backward pass must stay alive until it runs: these arrays stay open in
        // `scope`, and the scalar is made by PyTorch (full) rather than from a Java buffer (see the class comment).
        NDArray index = scope.create(targets, new Shape(b, t, 1));                   // [B, T, 1]
        NDArray w = scope.create(weights, new Shape(b, t));                          // [B, T]
        NDArray logp = logits.logSoftmax(2).gather(index, 2).reshape(b, t);           // [B, T]
        return logp.mul(w).sum().mul(scope.full(new Shape(), (float) (-1 / total)));
    }

    /** Parameters stop requiring gradients; the model keeps its trained weights. */
    @Override
    public void close() {
        parameters.values().forEach(p -> p.setRequiresGradient(false));
    }
}
