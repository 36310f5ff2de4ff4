package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The task {@code reverse-t5} is trained on: the encoder reads a string of N random lower-case letters (N =
 * {@value #MIN_LENGTH}..{@value #MAX_LENGTH}, letters drawn independently, so they repeat) followed by {@code </s>};
 * the decoder writes the same letters in reverse order, then {@code </s>}. Output position j (0-based) is input
 * position N-1-j: a model that solves the task has to find that position, which is what its cross-attention shows.
 * Because letters repeat, matching by content alone is not enough; the position has to be found.
 *
 * <p>Ids follow T5's convention: {@code <pad>} 0 (also the decoder start token), {@code </s>} 1, {@code <unk>} 2, then
 * the letters a..z as 3..28. Teacher-forced decoder input: {@code <pad>} then the reversed letters (N + 1 tokens); the
 * targets: the reversed letters then {@code </s>}. As one {@code NextTokenBatch} row that is the N + 2 tokens
 * {@code <pad> r_0 .. r_{N-1} </s>}, each predicting the next, the last predicting nothing.
 */
public final class ReverseTask {

    /** The letters strings are made of. */
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";
    /** {@code <pad>}: padding, and the token the decoder starts from. */
    public static final int PAD = 0;
    /** {@code </s>}: ends the encoder input and the output. */
    public static final int EOS = 1;
    /** {@code <unk>}: anything that is not a lower-case letter. It never occurs in the data. */
    public static final int UNK = 2;
    /** The id of 'a'; 'z' is {@code FIRST_LETTER + 25}. */
    public static final int FIRST_LETTER = 3;
    /** Rows of the token embedding. */
    public static final int VOCAB = FIRST_LETTER + ALPHABET.length();
    public static final int MIN_LENGTH = 4;
    public static final int MAX_LENGTH = 12;

    /** Seed of the held-out strings the accuracy and the head scores are measured on (never trained on). */
    public static final long EVAL_SEED = 20260501L;
    /** Held-out strings per length: 9 lengths x 64 = 576 strings. */
    public static final int EVAL_ROWS_PER_LENGTH = 64;

    private static final String[] SPECIAL = {"<pad>", "</s>", "<unk>"};

    private ReverseTask() {
    }

    /**
     * Strings of one length with their reversals, as ids.
     *
     * @param encoder the encoder input [B][N+1]: the letters, then {@code </s>}
     * @param decoder the decoder sequence [B][N+2]: {@code <pad>}, the letters reversed, {@code </s>}; position t
     *                reads tokens 0..t and predicts token t+1
     */
    public record Examples(long[][] encoder, long[][] decoder) {

        public int size() {
            return encoder.length;
        }

        /** N, the letters per string. */
        public int letters() {
            return encoder[0].length - 1;
        }

        /** The expected output of row b: the letters reversed, then {@code </s>} (N + 1 ids). */
        public long[] target(int b) {
            return Arrays.copyOfRange(decoder[b], 1, decoder[b].length);
        }
    }

    /** {@code rows} strings of {@code length} letters drawn uniformly and independently. */
    public static Examples examples(SplittableRandom random, int rows, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("a string needs at least one letter, got " + length);
        }
        long[][] encoder = new long[rows][length + 1];
        long[][] decoder = new long[rows][length + 2];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < length; i++) {
                encoder[b][i] = FIRST_LETTER + random.nextInt(ALPHABET.length());
            }
            encoder[b][length] = EOS;
            decoder[b][0] = PAD;
            for (int j = 0; j < length; j++) {
                decoder[b][j + 1] = encoder[b][length - 1 - j];
            }
            decoder[b][length + 1] = EOS;
        }
        return new Examples(encoder, decoder);
    }

    /** A training batch: one length drawn for the whole batch (no padding), then the rows. */
    public static Examples trainingExamples(SplittableRandom random, int rows) {
        int length = MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1);
        return examples(random, rows, length);
    }

    /** The held-out set: {@value #EVAL_ROWS_PER_LENGTH} strings of every length, from {@link #EVAL_SEED}. */
    public static List<Examples> evalSet() {
        SplittableRandom random = new SplittableRandom(EVAL_SEED);
        List<Examples> batches = new ArrayList<>();
        for (int n = MIN_LENGTH; n <= MAX_LENGTH; n++) {
            batches.add(examples(random, EVAL_ROWS_PER_LENGTH, n));
        }
        return batches;
    }

    /** The chance that N letters drawn this way hold some letter twice: 1 - 26!/(26-N)!/26^N. */
    public static double repeatProbability(int letters) {
        double distinct = 1;
        for (int k = 0; k < letters; k++) {
            distinct *= (double) (ALPHABET.length() - k) / ALPHABET.length();
        }
        return 1 - distinct;
    }

    /** The string the card's alignment figure shows: 10 letters from seed 7. */
    public static Examples probe() {
        return examples(new SplittableRandom(7), 1, 10);
    }

    /** The text of one id: a letter, or a special token's name. */
    public static String token(long id) {
        if (id >= 0 && id < FIRST_LETTER) {
            return SPECIAL[(int) id];
        }
        if (id >= FIRST_LETTER && id < VOCAB) {
            return String.valueOf(ALPHABET.charAt((int) id - FIRST_LETTER));
        }
        throw new IllegalArgumentException("no token has id " + id + " (0.." + (VOCAB - 1) + ")");
    }

    /** Ids as text, letters run together, special tokens by name: {@code "cba</s>"}. */
    public static String text(long[] ids) {
        StringBuilder s = new StringBuilder();
        for (long id : ids) {
            s.append(token(id));
        }
        return s.toString();
    }

    /**
     * A character-level tokenizer.json in T5's style: every character is a token (a BPE model with no merges over
     * single characters; anything outside a..z is {@code <unk>}), the encoder input gets {@code </s>} appended (a
     * template post-processor), and decoding runs the characters together. So "hello" encodes to the encoder input
     * {@code h e l l o </s>}.
     */
    public static String tokenizerJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < FIRST_LETTER; id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", SPECIAL[id]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        post.set("single", template(json, "A"));
        ArrayNode pair = template(json, "A");
        pair.addAll(template(json, "B"));
        post.set("pair", pair);
        ObjectNode eos = post.putObject("special_tokens").putObject(SPECIAL[EOS]);
        eos.put("id", SPECIAL[EOS]);
        eos.putArray("ids").add(EOS);
        eos.putArray("tokens").add(SPECIAL[EOS]);
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", SPECIAL[UNK]);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < VOCAB; id++) {
            vocab.put(token(id), id);
        }
        model.putArray("merges");
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sequence then {@code </s>}, as a TemplateProcessing template. */
    private static ArrayNode template(ObjectMapper json, String sequence) {
        ArrayNode t = json.createArrayNode();
        ObjectNode s = t.addObject().putObject("Sequence");
        s.put("id", sequence);
        s.put("type_id", 0);
        ObjectNode eos = t.addObject().putObject("SpecialToken");
        eos.put("id", SPECIAL[EOS]);
        eos.put("type_id", 0);
        return t;
    }
}
