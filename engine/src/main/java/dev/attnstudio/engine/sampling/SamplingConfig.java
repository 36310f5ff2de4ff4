package dev.attnstudio.engine.sampling;

/**
 * How the next token is chosen. Temperature 0 means greedy (argmax); otherwise the logits are divided by the
 * temperature, cut to the top-k tokens (0 = no cut) and to the smallest set whose probability reaches top-p
 * (1 = no cut), renormalized, and sampled with a generator seeded by {@code seed}: the same config replays
 * the same tokens.
 */
public record SamplingConfig(double temperature, int topK, double topP, long seed) {

    public static final SamplingConfig GREEDY = new SamplingConfig(0, 0, 1, 0);

    public SamplingConfig {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), was " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 = all tokens), was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], was " + topP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
