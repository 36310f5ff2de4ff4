package dev.attnstudio.app.tokens;

import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * A generation as text: the prompt, and the continuation the model wrote after it, as the tokenizer decodes them. For a
 * decoder the continuation is what decoding the whole sequence adds to decoding the prompt (so a character split
 * over two tokens, or a word-start marker, reads as it would in the whole text); for an encoder-decoder the prompt is
 * the encoder's source and the continuation the decoder's output after its given tokens.
 *
 * @param prompt       the prompt's text (an encoder-decoder: the source's)
 * @param continuation the generated tokens' text; empty before anything was generated
 * @param generated    how many tokens were generated
 * @param seq2seq      whether the continuation is an encoder-decoder's output rather than more of the prompt
 */
public record Continuation(String prompt, String continuation, int generated, boolean seq2seq) {

    /**
     * Decodes the prompt and what the stepper generated after it (batch row 0). Engine thread only: it reads the stepper.
     *
     * @param tokenizer the model's tokenizer, or null (then ids are shown as {@code #id})
     */
    public static Continuation of(Stepper stepper, Tokenizer tokenizer) {
        Stepper.Group prompt = stepper.groups().get(0);
        long[] sequence = stepper.tokens();
        boolean seq2seq = prompt.decoderIds() != null;
        long[] given = seq2seq ? prompt.decoderIds()[0] : prompt.ids()[0];
        return new Continuation(decode(tokenizer, prompt.ids()[0]), after(tokenizer, given, sequence),
                sequence.length - given.length, seq2seq);
    }

    /** The text {@code all} adds after its first {@code before.length} tokens. */
    static String after(Tokenizer tokenizer, long[] before, long[] all) {
        if (all.length == before.length) {
            return "";
        }
        String whole = decode(tokenizer, all);
        String head = decode(tokenizer, before);
        return whole.startsWith(head) ? whole.substring(head.length())
                : decode(tokenizer, Arrays.copyOfRange(all, before.length, all.length));
    }

    private static String decode(Tokenizer tokenizer, long[] ids) {
        if (tokenizer == null) {
            return LongStream.of(ids).mapToObj(id -> "#" + id).collect(Collectors.joining(" "));
        }
        return tokenizer.decode(ids);
    }
}
