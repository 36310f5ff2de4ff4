package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Duplicate-token and induction (prefix-matching) scores of every head on a probe the engine builds itself: rows of
 * {@code period} random tokens repeated {@code repeats} times, optionally after a BOS token, drawn from a seeded
 * generator (distinct within a period when the vocabulary allows, so each token has one earlier copy per repeat).
 * Olsson et al. (2022) use 25 tokens repeated 4 times after BOS; ARENA 50 tokens repeated twice.
 *
 * <p>Each score is TransformerLens's {@code detect_head} "mul" measure, sum(A * D) / sum(A), over the query rows the
 * 0/1 template D covers (the queries of every later repeat): the share of their attention on the template's keys.
 * For query position i in a later repeat and every earlier copy at i - m P (m >= 1, P the period):
 * duplicate-token D marks key i - m P (the same token earlier); induction D marks key i - m P + 1 (the token that
 * followed it). A uniform head scores about 1 / (its receptive field) per marked key.
 *
 * <p>Encoder-decoders are probed with the probe as both source and decoder input: their encoder and decoder
 * self-attention get scores; cross-attention has no template and scores NaN.
 *
 * @param period      tokens per repeat (P)
 * @param repeats     copies of them per row
 * @param rows        rows in the probe batch
 * @param seed        the generator's seed
 * @param vocabFrom   first token id drawn (inclusive)
 * @param vocabTo     last token id drawn (exclusive)
 * @param bos         a token put before every row, or -1 for none
 */
public record InductionProbe(int period, int repeats, int rows, long seed, int vocabFrom, int vocabTo, long bos) {

    /** Olsson et al.'s period, shortened to fit models with few positions. */
    public static final int DEFAULT_PERIOD = 25;

    public InductionProbe {
        if (period < 2 || repeats < 2 || rows < 1 || vocabFrom < 0 || vocabTo - vocabFrom < 2) {
            throw new IllegalArgumentException("a probe needs a period >= 2, >= 2 repeats, >= 1 row and >= 2 tokens to"
                    + " draw from");
        }
    }

    /**
     * The default probe for a model: two repeats of min(25, what fits in its positions) tokens, 8 rows, seed 0, drawn
     * from its whole vocabulary, no BOS.
     */
    public static InductionProbe forModel(TransformerModel model) {
        int positions = model.config().nPositions();
        return new InductionProbe(Math.max(2, Math.min(DEFAULT_PERIOD, positions / 2)), 2, 8, 0, 0,
                model.config().vocabSize(), -1);
    }

    /** The same probe drawing tokens from [from, to). */
    public InductionProbe withVocabulary(int from, int to) {
        return new InductionProbe(period, repeats, rows, seed, from, to, bos);
    }

    /** The same probe with a BOS token (-1: none) before every row. */
    public InductionProbe withBos(long token) {
        return new InductionProbe(period, repeats, rows, seed, vocabFrom, vocabTo, token);
    }

    /** Where the first random token sits (1 after a BOS). */
    public int offset() {
        return bos >= 0 ? 1 : 0;
    }

    /** The probe's token ids [rows][offset + period * repeats]. */
    public long[][] ids() {
        SplittableRandom random = new SplittableRandom(seed);
        int span = vocabTo - vocabFrom;
        long[][] out = new long[rows][offset() + period * repeats];
        for (long[] row : out) {
            if (bos >= 0) {
                row[0] = bos;
            }
            long[] first = new long[period];
            if (span >= period) {
                Map<Integer, Integer> swapped = new HashMap<>(); // a partial Fisher-Yates over [0, span)
                for (int t = 0; t < period; t++) {
                    int j = t + random.nextInt(span - t);
                    int at = swapped.getOrDefault(j, j);
                    swapped.put(j, swapped.getOrDefault(t, t));
                    first[t] = vocabFrom + at;
                }
            } else {
                for (int t = 0; t < period; t++) {
                    first[t] = vocabFrom + random.nextInt(span);
                }
            }
            for (int r = 0; r < repeats; r++) {
                System.arraycopy(first, 0, row, offset() + r * period, period);
            }
        }
        return out;
    }

    /** Both scores of one head. */
    public record Scores(double duplicate, double induction) {
    }

    /** Runs the probe and scores every head of every self-attention sub-layer: [layer][head]. */
    public Map<AttentionLayer, Scores[]> measure(TransformerModel model) {
        Capabilities c = model.capabilities();
        long[][] ids = ids();
        if (ids[0].length > model.config().nPositions()) {
            throw new IllegalArgumentException("the probe has " + ids[0].length + " tokens; the model reads at most "
                    + model.config().nPositions());
        }
        Batch batch = c.readsSource() ? Batch.of(ids).withDecoder(ids) : Batch.of(ids);
        Map<AttentionLayer, Scores[]> out = new LinkedHashMap<>();
        try (Stepper stepper = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
            stepper.reset(batch);
            PassView.runThroughAttention(stepper, c); // the scores read patterns only: no MLP, norm or unembedding after
            PassView pass = PassView.prompt(stepper);
            for (AttentionLayer layer : AttentionLayer.all(c)) {
                Scores[] scores = new Scores[c.heads()];
                if (layer.site().cross()) {
                    java.util.Arrays.fill(scores, new Scores(Double.NaN, Double.NaN));
                } else {
                    AllowedCells cells = AllowedCells.of(layer, pass.intended(layer));
                    TensorData p = pass.pattern(layer);
                    for (int h = 0; h < c.heads(); h++) {
                        scores[h] = new Scores(score(p, cells, h, 0), score(p, cells, h, 1));
                    }
                }
                out.put(layer, scores);
            }
        }
        return out;
    }

    /**
     * sum(A * D) / sum(A) over the template's rows, for the template whose marked keys are i - m P + shift.
     *
     * @param shift 0: duplicate-token, 1: induction
     */
    double score(TensorData pattern, AllowedCells cells, int head, int shift) {
        long[] s = pattern.shape();
        int heads = (int) s[1], t = (int) s[2], k = (int) s[3];
        float[] a = pattern.values();
        double marked = 0;
        double total = 0;
        for (int row = 0; row < s[0]; row++) {
            for (int q = offset() + period; q < t; q++) {
                int base = ((row * heads + head) * t + q) * k;
                double rowSum = 0;
                double rowMarked = 0;
                for (int key = 0; key < k; key++) {
                    if (cells.allowed(row, q, key)) {
                        rowSum += a[base + key];
                    }
                }
                for (int m = 1; q - m * period >= offset(); m++) {
                    int key = q - m * period + shift;
                    if (key < k && cells.allowed(row, q, key)) {
                        rowMarked += a[base + key];
                    }
                }
                if (Double.isFinite(rowSum) && Double.isFinite(rowMarked)) {
                    marked += rowMarked;
                    total += rowSum;
                }
            }
        }
        return total == 0 ? Double.NaN : marked / total;
    }
}
