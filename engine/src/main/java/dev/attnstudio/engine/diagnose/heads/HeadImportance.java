package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.diagnose.Work;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.HeadAblation;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.metrics.TokenLoss;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Forward;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much the next-token loss depends on each head, two ways.
 *
 * <p>Ablation: the change in the mean next-token loss ({@link TokenLoss}, nats, over the prompts' real targets) when
 * the head's {@code hook_z} slice is replaced by its mean over the prompt (mean ablation, the default) or by zero
 * ({@link HeadAblation}): loss(ablated) - loss(model). One forward pass per head. The loss may be restricted to the
 * targets from a position on ({@code lossFrom}), for prompts whose beginning cannot be predicted (the second half
 * of repeated random tokens).
 *
 * <p>Gradient (Michel, Levy and Neubig 2019, "Are Sixteen Heads Really Better than One?"): each head's pattern is
 * multiplied by a gate xi = 1 per batch row, and I_h = mean over rows of |dL/dxi_h| = |sum_{i,j} A[i,j] dL/dA[i,j]|,
 * the first-order estimate of what removing the head does to the loss of that row. The forward pass is the engine's
 * own, run under DJL's autograd as the trainer runs it; the weights need no gradient. Michel et al. normalize I by its
 * L2 norm within each layer, given as {@code gradientNormalized}.
 *
 * <p>Both need a next-token loss, so only models that generate (decoders, encoder-decoders teacher-forced on their
 * decoder ids) get them; for an encoder every value is NaN.
 */
public final class HeadImportance {

    /** How an ablated head is replaced. */
    public enum Ablation {
        /** By its mean z over the prompt (keeps the average signal; removes what depends on the input). */
        MEAN,
        /** By zero. */
        ZERO,
        /** Not measured (one forward pass per head is too many for a large model). */
        OFF
    }

    /**
     * @param baseLoss           mean loss of the model as it is (nats)
     * @param ablationDelta      [layer index in {@link AttentionLayer#all}][head] loss(ablated) - loss
     * @param gradient           [layer][head] I_h
     * @param gradientNormalized [layer][head] I_h / ||I_layer||_2
     */
    public record Result(double baseLoss, Map<AttentionLayer, double[]> ablationDelta,
                         Map<AttentionLayer, double[]> gradient, Map<AttentionLayer, double[]> gradientNormalized) {
    }

    private HeadImportance() {
    }

    /**
     * The mean next-token loss over several prompt batches, weighted by their counted targets.
     *
     * @param lossFrom the first position whose prediction counts (0: all)
     */
    public static double loss(TransformerModel model, List<Batch> prompts, Interventions interventions, int lossFrom) {
        double total = 0;
        long counted = 0;
        try (Stepper s = new Stepper(model, new Stepper.Options(Capture.OFF, interventions, false))) {
            for (Batch b : prompts) {
                s.reset(b);
                s.runToEnd();
                TokenLoss l = TokenLoss.of(s);
                for (int r = 0; r < l.perToken().length; r++) {
                    for (int p = lossFrom; p < l.perToken()[r].length; p++) {
                        if (l.counted()[r][p]) {
                            total += l.perToken()[r][p];
                            counted++;
                        }
                    }
                }
            }
        }
        return counted == 0 ? Double.NaN : total / counted;
    }

    /**
     * Whether some prompt has a next token to predict: an output sequence (a decoder's prompt, an encoder-decoder's
     * decoder input, which is the start token alone when the batch gives none) of at least two positions.
     */
    static boolean hasTargets(Capabilities c, List<Batch> prompts) {
        return prompts.stream().anyMatch(b -> (c.readsSource() ? Math.max(1, b.decoderLength()) : b.length()) >= 2);
    }

    /** Measures both importances of every head (ablation unless {@code ablation} is OFF). */
    public static Result measure(TransformerModel model, List<Batch> prompts, Ablation ablation, int lossFrom) {
        return measure(model, prompts, ablation, lossFrom, Work.NONE);
    }

    /**
     * Measures both importances of every head, telling {@code work} before the gradient pass and before each head's
     * ablation (it may stop the measurement by throwing {@link java.util.concurrent.CancellationException}).
     */
    public static Result measure(TransformerModel model, List<Batch> prompts, Ablation ablation, int lossFrom, Work work) {
        Capabilities c = model.capabilities();
        List<AttentionLayer> layers = AttentionLayer.all(c);
        Map<AttentionLayer, double[]> delta = new LinkedHashMap<>();
        Map<AttentionLayer, double[]> grad = new LinkedHashMap<>();
        Map<AttentionLayer, double[]> norm = new LinkedHashMap<>();
        if (!c.generates() || !hasTargets(c, prompts)) {
            for (AttentionLayer l : layers) {
                delta.put(l, nan(c.heads()));
                grad.put(l, nan(c.heads()));
                norm.put(l, nan(c.heads()));
            }
            return new Result(Double.NaN, delta, grad, norm);
        }
        // the gradient pass's forward is the model as it is (its gates are ones): its logits give the base loss, so
        // no separate forward pass is run for it
        work.step("gradient importance", 0, 1);
        double base = gradients(model, prompts, layers, grad, lossFrom);
        int total = ablation == Ablation.OFF ? 0 : layers.size() * c.heads();
        int done = 0;
        for (AttentionLayer l : layers) {
            double[] d = nan(c.heads());
            if (ablation != Ablation.OFF) {
                for (int h = 0; h < c.heads(); h++) {
                    work.step("ablating heads", done++, total);
                    HeadAblation a = new HeadAblation(site(c, l), l.layer(), h, ablation == Ablation.MEAN);
                    d[h] = loss(model, prompts, Interventions.NONE.with(a), lossFrom) - base;
                }
            }
            delta.put(l, d);
        }
        for (AttentionLayer l : layers) {
            double[] g = grad.get(l);
            double sq = 0;
            for (double v : g) {
                sq += v * v;
            }
            double n = Math.sqrt(sq);
            double[] out = new double[g.length];
            for (int h = 0; h < g.length; h++) {
                out[h] = n == 0 ? 0 : g[h] / n;
            }
            norm.put(l, out);
        }
        return new Result(base, delta, grad, norm);
    }

    /** The ablation site of a sub-layer. */
    static HeadAblation.Site site(Capabilities c, AttentionLayer l) {
        if (!c.readsSource()) {
            return HeadAblation.Site.SELF;
        }
        if (l.site().cross()) {
            return HeadAblation.Site.CROSS;
        }
        return l.site().stack().id() == HookName.Stack.ENCODER ? HeadAblation.Site.ENCODER : HeadAblation.Site.DECODER;
    }

    /**
     * Michel et al.'s I_h, averaged over every row of every batch, into {@code out}; returns the mean next-token loss
     * of the same forward passes (the model as it is: every gate is 1), as {@link #loss} computes it.
     */
    private static double gradients(TransformerModel model, List<Batch> prompts, List<AttentionLayer> layers,
                                    Map<AttentionLayer, double[]> out, int lossFrom) {
        int heads = model.capabilities().heads();
        Map<AttentionLayer, double[]> sum = new LinkedHashMap<>();
        layers.forEach(l -> sum.put(l, new double[heads]));
        long rows = 0;
        double lossTotal = 0;
        long lossCounted = 0;
        for (Batch batch : prompts) {
            try (NDManager scope = model.manager().newSubManager()) {
                Map<String, NDArray> gates = new LinkedHashMap<>();
                for (AttentionLayer l : layers) {
                    NDArray gate = scope.ones(new Shape(batch.size(), heads, 1, 1));
                    gate.setRequiresGradient(true);
                    gates.put(l.hook(HookName.Block.PATTERN), gate);
                }
                try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                    NDArray logits = Forward.run(model, batch, Interventions.NONE.with(new Gates(gates)), scope);
                    double[] sumAndCount = lossTerms(TensorData.of(model.outputHook(), logits), batch, lossFrom);
                    lossTotal += sumAndCount[0];
                    lossCounted += (long) sumAndCount[1];
                    collector.backward(crossEntropy(logits, batch, scope, lossFrom));
                }
                for (AttentionLayer l : layers) {
                    float[] g = gates.get(l.hook(HookName.Block.PATTERN)).getGradient().toFloatArray(); // [B, H]
                    double[] s = sum.get(l);
                    for (int b = 0; b < batch.size(); b++) {
                        for (int h = 0; h < heads; h++) {
                            s[h] += Math.abs(g[b * heads + h]);
                        }
                    }
                }
            }
            rows += batch.size();
        }
        for (AttentionLayer l : layers) {
            double[] s = sum.get(l);
            double[] mean = new double[heads];
            for (int h = 0; h < heads; h++) {
                mean[h] = s[h] / rows;
            }
            out.put(l, mean);
        }
        return lossCounted == 0 ? Double.NaN : lossTotal / lossCounted;
    }

    /**
     * The summed loss and the number of counted targets of one batch's logits, exactly as {@link #loss} counts them
     * (TokenLoss over the output sequence, from {@code lossFrom} on, padding targets left out).
     */
    private static double[] lossTerms(TensorData logits, Batch batch, int lossFrom) {
        boolean twoStacks = batch.decoderIds() != null;
        long[][] ids = twoStacks ? batch.decoderIds() : batch.ids();
        long[][] mask = batch.attentionMask();
        if (twoStacks) {
            mask = new long[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                mask[i] = new long[ids[i].length];
                java.util.Arrays.fill(mask[i], 1);
            }
        }
        TokenLoss l = TokenLoss.of(logits, ids, mask, false);
        double total = 0;
        long counted = 0;
        for (int r = 0; r < l.perToken().length; r++) {
            for (int p = lossFrom; p < l.perToken()[r].length; p++) {
                if (l.counted()[r][p]) {
                    total += l.perToken()[r][p];
                    counted++;
                }
            }
        }
        return new double[] {total, counted};
    }

    /**
     * Mean -log p(next token) over the real targets, as a scalar on the autograd graph. Every constant stays open in
     * {@code scope} until the backward pass (see the trainer's note on Java buffers under autograd).
     */
    private static NDArray crossEntropy(NDArray logits, Batch batch, NDManager scope, int lossFrom) {
        boolean twoStacks = batch.decoderIds() != null;
        long[][] ids = twoStacks ? batch.decoderIds() : batch.ids();
        int b = ids.length;
        int t = ids[0].length;
        long[] targets = new long[b * t];
        float[] weights = new float[b * t];
        double total = 0;
        for (int row = 0; row < b; row++) {
            for (int p = lossFrom; p + 1 < t; p++) {
                targets[row * t + p] = ids[row][p + 1];
                boolean real = twoStacks || batch.attentionMask()[row][p + 1] != 0;
                weights[row * t + p] = real ? 1f : 0f;
                total += real ? 1 : 0;
            }
        }
        if (total == 0) {
            throw new IllegalArgumentException("the prompts have no next token to predict: give at least two tokens");
        }
        NDArray index = scope.create(targets, new Shape(b, t, 1));
        NDArray w = scope.create(weights, new Shape(b, t));
        NDArray logp = logits.logSoftmax(2).gather(index, 2).reshape(b, t);
        return logp.mul(w).sum().mul(scope.full(new Shape(), (float) (-1 / total)));
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    /** Multiplies each attention pattern by its gate [B, H, 1, 1] (ones that collect the gradient). */
    private record Gates(Map<String, NDArray> gates) implements Intervention {
        @Override
        public String spec() {
            return "importance-gates";
        }

        @Override
        public String label() {
            return "head gates for gradient importance";
        }

        @Override
        public Hooks.Handle attach(Hooks hooks) {
            List<Hooks.Handle> handles = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : gates.entrySet()) {
                NDArray gate = e.getValue();
                handles.add(hooks.add(e.getKey(), label(), (pattern, ctx) -> pattern.mul(gate)));
            }
            return () -> handles.forEach(Hooks.Handle::close);
        }
    }
}
