package dev.attnstudio.app.tokens;

import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.List;

/**
 * Finds the id a tokenizer uses for padding, by asking it to tokenize the usual pad spellings and keeping the one
 * it reads as a single special token. Padding positions are masked out of attention, so any id in the vocabulary
 * would compute the same; the tokenizer's own keeps the token strip honest ({@code [PAD]}, not a random word).
 */
public final class PadToken {

    /** Spellings tried in order: BERT's, SentencePiece's, GPT-2's end-of-text (which GPT-2 pads with). */
    private static final List<String> SPELLINGS = List.of("[PAD]", "<pad>", "<|endoftext|>");

    private PadToken() {
    }

    /** The pad id, or 0 when the tokenizer knows none of the spellings as a special token. */
    public static long idOf(Tokenizer tokenizer) {
        for (String spelling : SPELLINGS) {
            Tokenizer.Tokens t = tokenizer.encode(spelling);
            for (int i = 0; i < t.size(); i++) {
                if (t.special()[i] && spelling.equals(t.strings()[i])) {
                    return t.ids()[i];
                }
            }
        }
        return 0;
    }
}
