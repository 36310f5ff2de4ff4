package dev.attnstudio.engine.sampling;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Picks next tokens from logits under a {@link SamplingConfig}; one generator per generation, so runs replay. */
public final class Sampler {

    /** A chosen token with the distribution it was drawn from (top candidates first). */
    public record Choice(int token, double probability, int[] candidates, double[] candidateProbabilities) {
    }

    private static final int CANDIDATES_REPORTED = 10;

    private final SamplingConfig config;
    private final SplittableRandom random;

    public Sampler(SamplingConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public SamplingConfig config() {
        return config;
    }

    /** Chooses the next token from one position's logits [V]. */
    public Choice next(float[] logits) {
        double temperature = config.greedy() ? 1 : config.temperature();
        double[] probs = softmax(logits, temperature);
        Integer[] order = IntStream.range(0, probs.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -probs[i]).thenComparingInt(i -> i));

        int kept = config.topK() > 0 ? Math.min(config.topK(), probs.length) : probs.length;
        double mass = 0;
        int nucleus = 0;
        while (nucleus < kept && (nucleus == 0 || mass < config.topP())) {
            mass += probs[order[nucleus++]];
        }
        int token;
        if (config.greedy()) {
            token = order[0];
        } else {
            double u = random.nextDouble() * mass;
            int j = 0;
            double acc = probs[order[0]];
            while (acc < u && j < nucleus - 1) {
                acc += probs[order[++j]];
            }
            token = order[j];
        }
        int reported = Math.min(CANDIDATES_REPORTED, probs.length);
        int[] candidates = new int[reported];
        double[] candidateProbs = new double[reported];
        for (int i = 0; i < reported; i++) {
            candidates[i] = order[i];
            candidateProbs[i] = probs[order[i]];
        }
        return new Choice(token, probs[token], candidates, candidateProbs);
    }

    /** softmax(logits / temperature), computed in double with the max subtracted. */
    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
