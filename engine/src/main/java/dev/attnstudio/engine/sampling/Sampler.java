package dev.attnstudio.engine.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks next tokens from logits under a {@link SamplingConfig}; one generator per generation, so runs replay. */
public final class Sampler {

    /**
     * A chosen token, its probability under softmax(logits / temperature) before any top-k/top-p cut, and the
     * most likely candidates with their probabilities under that same distribution.
     */
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
        // greedy and top-k need only the first few of the order (a top-p cut alone may need all of it)
        int needed = config.greedy() ? CANDIDATES_REPORTED
                : config.topK() > 0 ? Math.max(config.topK(), CANDIDATES_REPORTED) : logits.length;
        int[] order = byLogitDescending(logits, needed);
        int token;
        if (config.greedy()) {
            token = order[0];
        } else {
            Nucleus nucleus = nucleus(probs, order, config);
            double u = random.nextDouble() * nucleus.mass();
            int j = 0;
            double acc = probs[order[0]];
            while (acc < u && j < nucleus.size() - 1) {
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

    /** The tokens sampling may pick: the first {@code size} of the order, holding probability {@code mass}. */
    record Nucleus(int size, double mass) {
    }

    /**
     * The smallest prefix of the top-k tokens (all when top_k = 0) whose mass reaches top_p of the top-k's mass: top-p
     * applies to the distribution renormalized over the top-k tokens, as Hugging Face chains them.
     *
     * @param order token ids, most probable first ({@link #byLogitDescending})
     */
    static Nucleus nucleus(double[] probs, int[] order, SamplingConfig config) {
        int topK = config.topK() > 0 ? Math.min(config.topK(), probs.length) : probs.length;
        double topKMass = 0;
        for (int i = 0; i < topK; i++) {
            topKMass += probs[order[i]];
        }
        double mass = 0;
        int size = 0;
        while (size < topK && (size == 0 || mass < config.topP() * topKMass)) {
            mass += probs[order[size++]];
        }
        return new Nucleus(size, mass);
    }

    /** Token ids ordered by logit, highest first, ties by lower id: a primitive sort of packed keys. */
    static int[] byLogitDescending(float[] logits) {
        return byLogitDescending(logits, logits.length);
    }

    /**
     * The first {@code n} token ids of {@link #byLogitDescending(float[])}. For a small {@code n} (greedy decoding, top-k)
     * a bounded selection, O(V n) at worst and about O(V) on real logits, instead of sorting the whole vocabulary for
     * every generated token.
     */
    static int[] byLogitDescending(float[] logits, int n) {
        n = Math.min(n, logits.length);
        if (n <= 0) {
            return new int[0];
        }
        long[] top = new long[n]; // the n largest keys so far, ascending
        int held = 0;
        long[] all = n * 8L >= logits.length ? new long[logits.length] : null;
        for (int i = 0; i < logits.length; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF); // float order as signed int order
            long key = ((long) sortable << 32) | (Integer.MAX_VALUE - i);
            if (all != null) {
                all[i] = key;
            } else if (held < n) { // insert into the ascending top[0 .. held)
                int at = held++;
                while (at > 0 && top[at - 1] > key) {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = key;
            } else if (key > top[0]) { // replace the smallest and move the key up to its place
                int at = 0;
                while (at + 1 < n && top[at + 1] < key) {
                    top[at] = top[at + 1];
                    at++;
                }
                top[at] = key;
            }
        }
        if (all != null) {
            Arrays.sort(all);
            top = Arrays.copyOfRange(all, all.length - n, all.length);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = Integer.MAX_VALUE - (int) top[n - 1 - i];
        }
        return order;
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
