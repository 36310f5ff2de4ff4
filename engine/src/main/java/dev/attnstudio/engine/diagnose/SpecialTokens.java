package dev.attnstudio.engine.diagnose;

import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The token ids a tokenizer marks as special ([CLS], [SEP], &lt;|endoftext|&gt;, ...), with their text: where the
 * sink diagnostics look for attention sinks besides the first position.
 *
 * @param names id to its text
 */
public record SpecialTokens(Map<Long, String> names) {

    /** No special tokens: only the first position is watched for a sink. */
    public static final SpecialTokens NONE = new SpecialTokens(Map.of());

    public SpecialTokens {
        names = Map.copyOf(names);
    }

    /** The ids the tokenizer flagged special in these encodings. */
    public static SpecialTokens of(Tokenizer.Tokens... encodings) {
        Map<Long, String> out = new LinkedHashMap<>();
        for (Tokenizer.Tokens t : encodings) {
            for (int i = 0; i < t.size(); i++) {
                if (t.special()[i]) {
                    out.put(t.ids()[i], t.strings()[i]);
                }
            }
        }
        return new SpecialTokens(out);
    }

    public boolean contains(long id) {
        return names.containsKey(id);
    }

    /** The text of a special id (its id in brackets if unnamed). */
    public String name(long id) {
        String n = names.get(id);
        return n == null ? "<" + id + ">" : n;
    }
}
