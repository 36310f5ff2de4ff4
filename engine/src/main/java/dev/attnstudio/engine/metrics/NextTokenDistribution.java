package dev.attnstudio.engine.metrics;

import dev.attnstudio.engine.sampling.SamplingConfig;

import java.util.Arrays;

/**
 * The most likely next tokens of one position, with their probabilities under softmax(logits / temperature),
 * and how many of them a sampler with the same {@link SamplingConfig} could pick after its top-k and top-p
 * cuts. For views: a bar chart of what the model predicts and which bars sampling may choose.
 *
 * @param temperature   the temperature applied (1 for greedy configs: greedy ranks by the raw logits)
 * @param tokens        token ids, most probable first, ties by lower id (as the sampler orders them)
 * @param probabilities their probabilities before any cut, same order
 * @param kept          how many of the most probable tokens (over the whole vocabulary) the sampler may pick:
 *                      1 for greedy, else what survives top-k and then top-p
 * @param keptMass      total probability of those {@code kept} tokens
 */
public record NextTokenDistribution(double temperature, int[] tokens, double[] probabilities, int kept,
                                    double keptMass) {

    /**
     * @param logits one position's logits [V]
     * @param topN   how many of the most probable tokens to report
     */
    public static NextTokenDistribution of(float[] logits, SamplingConfig config, int topN) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits: the vocabulary is empty");
        }
        double temperature = config.greedy() ? 1 : config.temperature();
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
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        // by logit, not by probability: equal after exp, but logits keep ties the sampler also sees as ties
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));

        int kept;
        double keptMass;
        if (config.greedy()) {
            kept = 1;
            keptMass = p[order[0]];
        } else {
            int topK = config.topK() > 0 ? Math.min(config.topK(), p.length) : p.length;
            double topKMass = 0;
            for (int i = 0; i < topK; i++) {
                topKMass += p[order[i]];
            }
            // the same rule as the sampler: the smallest prefix of the top-k whose mass reaches top-p of theirs
            kept = 0;
            keptMass = 0;
            while (kept < topK && (kept == 0 || keptMass < config.topP() * topKMass)) {
                keptMass += p[order[kept++]];
            }
        }
        int n = Math.min(topN, p.length);
        int[] tokens = new int[n];
        double[] probabilities = new double[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = order[i];
            probabilities[i] = p[order[i]];
        }
        return new NextTokenDistribution(temperature, tokens, probabilities, kept, keptMass);
    }

    /** Total probability of the tokens reported. */
    public double reportedMass() {
        double sum = 0;
        for (double p : probabilities) {
            sum += p;
        }
        return sum;
    }
}
