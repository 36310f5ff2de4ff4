package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.train.NextTokenBatch;
import dev.attnstudio.engine.train.Trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The task {@code induction-2l} is trained on: a half of H random tokens, all different, followed by the same H
 * tokens again. The first half cannot be predicted; from the second half's first token on, every next token can be
 * read off the earlier copy. H varies from sequence to sequence ({@value #MIN_HALF}..{@value #MAX_HALF}), so the
 * model cannot just look a fixed distance back: it has to find where the current token occurred before and copy
 * what followed it, which is what an induction head does.
 *
 * <p>Scored positions: queries t = H .. 2H-2, each predicting token t+1 (H-1 per sequence). The last token of the
 * first half (predicting the repeat's first token) is random and not scored, in training or in the accuracy.
 *
 * <p>Tokens are {@code a0} .. {@code a63} (ids 0..63); id 64 is {@code <unk>}, for words outside the vocabulary
 * typed in the app. It never occurs in the data.
 */
public final class InductionTask {

    /** Tokens the data is drawn from. */
    public static final int TOKENS = 64;
    /** The id of {@code <unk>}. */
    public static final int UNK = TOKENS;
    public static final int MIN_HALF = 8;
    public static final int MAX_HALF = 16;

    /** 2 layers of {@code heads} heads, d_mlp 4 d_model, 32 positions, 65 tokens, gelu_new. */
    public static ModelConfig config(int heads, int dModel) {
        return new ModelConfig(2, heads, dModel, 2 * MAX_HALF, TOKENS + 1, 1e-5, ModelConfig.Activation.GELU_NEW);
    }

    /** Seed of the held-out sequences the accuracy and the head scores are measured on (never trained on). */
    public static final long EVAL_SEED = 20260417L;
    /** Held-out sequences per half length: 9 lengths x 64 = 576 sequences, 6,624 scored predictions. */
    public static final int EVAL_ROWS_PER_HALF = 64;

    private InductionTask() {
    }

    /** The name of a token id: {@code a17}, or {@code <unk>}. */
    public static String token(long id) {
        return id == UNK ? "<unk>" : "a" + id;
    }

    /** Token names joined by spaces: what a user types in the app to get these ids. */
    public static String text(long[] ids) {
        StringBuilder s = new StringBuilder();
        for (long id : ids) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(token(id));
        }
        return s.toString();
    }

    /** {@code rows} sequences of one half length: H distinct random tokens, then the same H again. */
    public static long[][] sequences(SplittableRandom random, int rows, int half) {
        if (half < 1 || half > TOKENS) {
            throw new IllegalArgumentException("half length must be 1.." + TOKENS + ", got " + half);
        }
        long[][] ids = new long[rows][2 * half];
        int[] pool = new int[TOKENS];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < TOKENS; i++) {
                pool[i] = i;
            }
            // the first `half` steps of a Fisher-Yates shuffle: `half` distinct tokens, uniformly
            for (int t = 0; t < half; t++) {
                int j = t + random.nextInt(TOKENS - t);
                int tmp = pool[t];
                pool[t] = pool[j];
                pool[j] = tmp;
                ids[b][t] = pool[t];
                ids[b][t + half] = pool[t];
            }
        }
        return ids;
    }

    /** Weight 1 on the scored positions H .. 2H-2 of every row. */
    public static NextTokenBatch scored(long[][] ids) {
        int len = ids[0].length;
        int half = len / 2;
        float[][] weights = new float[ids.length][len];
        for (float[] row : weights) {
            for (int t = half; t < len - 1; t++) {
                row[t] = 1f;
            }
        }
        return new NextTokenBatch(ids, weights);
    }

    /** A training batch: one half length drawn for the whole batch (rows share a length), then the rows. */
    public static NextTokenBatch trainingBatch(SplittableRandom random, int rows) {
        int half = MIN_HALF + random.nextInt(MAX_HALF - MIN_HALF + 1);
        return scored(sequences(random, rows, half));
    }

    /** The held-out set: {@value #EVAL_ROWS_PER_HALF} sequences of every half length, from {@link #EVAL_SEED}. */
    public static List<long[][]> evalSet() {
        SplittableRandom random = new SplittableRandom(EVAL_SEED);
        List<long[][]> batches = new ArrayList<>();
        for (int half = MIN_HALF; half <= MAX_HALF; half++) {
            batches.add(sequences(random, EVAL_ROWS_PER_HALF, half));
        }
        return batches;
    }

    /**
     * Next-token accuracy and loss on the repeated half of the held-out set, through the engine's forward pass.
     *
     * @return {accuracy, mean cross-entropy in nats}
     */
    public static double[] accuracyAndLoss(TransformerModel model, Interventions interventions) {
        double correct = 0;
        double counted = 0;
        double loss = 0;
        for (long[][] batch : evalSet()) {
            Trainer.Evaluation e = Trainer.evaluate(model, interventions, scored(batch));
            correct += e.correct();
            counted += e.counted();
            loss += e.loss() * e.counted();
        }
        return new double[] {correct / counted, loss / counted};
    }

    /** The fixed sequence whose attention the timeline records: half length 12, drawn from seed 7. */
    public static long[] probe() {
        return sequences(new SplittableRandom(7), 1, 12)[0];
    }

    /**
     * A WordLevel tokenizer.json: {@code a0}..{@code a63} are ids 0..63, anything else is {@code <unk>} (64).
     * Text is split on whitespace and punctuation, so "a3 a17 a5 a3 a17" is five tokens. No special tokens are
     * added around a text.
     */
    public static String tokenizerJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode unk = root.putArray("added_tokens").addObject();
        unk.put("id", UNK);
        unk.put("content", token(UNK));
        unk.put("single_word", false);
        unk.put("lstrip", false);
        unk.put("rstrip", false);
        unk.put("normalized", false);
        unk.put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id <= UNK; id++) {
            vocab.put(token(id), id);
        }
        model.put("unk_token", token(UNK));
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
