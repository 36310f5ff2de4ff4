package dev.attnstudio.engine.sampling;

/**
 * The most likely next tokens of one position, with their probabilities under softmax(logits / temperature),
 * and how many of them a sampler with the same {@link SamplingConfig} could pick after its top-k and top-p
 * cuts (the sampler's own rule: {@link Sampler#nucleus}). For views: a bar chart of what the model predicts and
 * which bars sampling may choose.
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
        double[] p = Sampler.softmax(logits, temperature);
        int[] order = Sampler.byLogitDescending(logits);
        int kept;
        double keptMass;
        if (config.greedy()) {
            kept = 1;
            keptMass = p[order[0]];
        } else {
            Sampler.Nucleus nucleus = Sampler.nucleus(p, order, config);
            kept = nucleus.size();
            keptMass = nucleus.mass();
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
