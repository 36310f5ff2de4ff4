package dev.attnstudio.app.main;

import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The prompt editor's input as the batch the model reads, with the chips the token strip shows. Runs on the engine
 * thread (the tokenizer belongs to the open model).
 */
final class PromptTokenizer {

    /**
     * A tokenized prompt: the batch to reset the stepper with, or (batch null) the reason there is none.
     *
     * @param chips [B][T] the token strip's chips, padding included; empty when the input could not be read
     */
    record Tokenized(Batch batch, List<List<TokenChip>> chips, String error) {

        static Tokenized failed(String error) {
            return new Tokenized(null, List.of(), error);
        }
    }

    private PromptTokenizer() {
    }

    /**
     * @param rules what the model takes besides the text; the rest of {@code input} is ignored
     * @param padId the id padding positions get
     */
    static Tokenized tokenize(PromptInput input, String model, Tokenizer tokenizer, PromptRules rules, long padId) {
        if (tokenizer == null) {
            return Tokenized.failed(model + " has no tokenizer.json, so it cannot read text");
        }
        PromptInput in = rules.apply(input);
        long[] decoderStart = null;
        if (!in.decoder().isBlank()) {
            try {
                decoderStart = parseIds(in.decoder());
            } catch (IllegalArgumentException e) {
                return Tokenized.failed(e.getMessage());
            }
        }
        List<String> texts = in.batch() ? in.text().lines().filter(l -> !l.isBlank()).toList() : List.of(in.text());
        String second = in.pair().isBlank() ? null : in.pair();
        List<Tokenizer.Tokens> encoded = texts.stream()
                .map(t -> second == null ? tokenizer.encode(t) : tokenizer.encodePair(t, second)).toList();
        if (encoded.isEmpty() || encoded.stream().anyMatch(t -> t.size() == 0)) {
            return Tokenized.failed("the prompt is empty: type at least one token" + (in.batch() ? " (one prompt per line)" : ""));
        }
        Batch batch = Batch.pad(encoded.stream().map(Tokenizer.Tokens::ids).toList(),
                encoded.stream().map(Tokenizer.Tokens::typeIds).toList(), Batch.Padding.RIGHT, padId);
        if (decoderStart != null) {
            batch = batch.withDecoder(new long[][] {decoderStart});
        }
        return new Tokenized(batch, chips(batch, encoded, tokenizer, padText(tokenizer, padId)), null);
    }

    /** "0, 17,5" as ids; a clear message for anything else. */
    static long[] parseIds(String text) {
        String[] parts = text.strip().split("\\s*[,\\s]\\s*");
        long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("decoder ids: \u2018" + parts[i] + "\u2019 is not a token id; "
                        + "type ids separated by commas, e.g. 0,17,5, or leave the field empty for the start token");
            }
        }
        return ids;
    }

    /**
     * One token's text as the strip shows it, or "#id" when it is no text on its own (no tokenizer, or one byte of
     * a multi-byte character, which decodes to U+FFFD).
     */
    static String tokenText(Tokenizer tokenizer, long id) {
        String text = tokenizer == null ? "\uFFFD" : tokenizer.decode(id);
        return text.indexOf('\uFFFD') >= 0 ? "#" + id : TokenChip.visible(text);
    }

    /**
     * What padding chips read: the tokenizer's pad token ({@code [PAD]}, {@code <pad>}), or "pad" for a tokenizer
     * without one, whose id 0 is a byte or a word that the padding is not.
     */
    static String padText(Tokenizer tokenizer, long padId) {
        String text = tokenizer.decode(padId);
        boolean token = !text.isBlank() && text.codePoints().noneMatch(c -> Character.isISOControl(c) || c == 0xFFFD)
                && (text.startsWith("[") || text.startsWith("<"));
        return token ? text : "pad";
    }

    private static List<List<TokenChip>> chips(Batch batch, List<Tokenizer.Tokens> encoded, Tokenizer tokenizer,
                                               String padText) {
        List<List<TokenChip>> rows = new ArrayList<>(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            Tokenizer.Tokens t = encoded.get(b);
            List<TokenChip> row = new ArrayList<>(batch.length());
            for (int i = 0; i < batch.length(); i++) {
                long id = batch.ids()[b][i];
                boolean padding = batch.attentionMask()[b][i] == 0;
                row.add(new TokenChip(i, id, padding ? padText : TokenChip.visible(tokenizer.decode(id)), !padding && t.special()[i],
                        batch.tokenTypes()[b][i], padding));
            }
            rows.add(List.copyOf(row));
        }
        return List.copyOf(rows);
    }
}
