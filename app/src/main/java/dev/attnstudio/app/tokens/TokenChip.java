package dev.attnstudio.app.tokens;

/**
 * One token of the prompt as the UI shows it.
 *
 * @param position index in its row
 * @param id       vocabulary id
 * @param text     the token's text with whitespace made visible (a space prints as {@code ␣})
 * @param special  a special token the tokenizer added ({@code [CLS]}, {@code <|endoftext|>}), not typed text
 * @param typeId   token type (segment): 0 for the first text, 1 for the second of a sentence pair
 * @param padding  a padding position added to make the rows of a batch one length; attention never reads it
 * @param sampled  for a token the model generated: the pass that reads it and the probability it was sampled with;
 *                 null for a token of the prompt (typed, or given as decoder ids)
 */
public record TokenChip(int position, long id, String text, boolean special, long typeId, boolean padding,
                        Sampled sampled) {

    /**
     * How a generated token came about.
     *
     * @param pass        the pass that reads it (1 for the first generated token; the prompt's pass is 0)
     * @param probability its probability under the sampling settings it was drawn with
     */
    public record Sampled(int pass, double probability) {
    }

    /** A token of the prompt (not generated). */
    public TokenChip(int position, long id, String text, boolean special, long typeId, boolean padding) {
        this(position, id, text, special, typeId, padding, null);
    }

    /** A token of segment A that is not padding. */
    public TokenChip(int position, long id, String text, boolean special) {
        this(position, id, text, special, 0, false);
    }

    /** A token the model generated; the pass that reads it and its probability in {@code sampled}. */
    public static TokenChip generated(int position, long id, String text, boolean special, Sampled sampled) {
        return new TokenChip(position, id, text, special, 0, false, java.util.Objects.requireNonNull(sampled, "sampled"));
    }

    /** Whether the model generated this token (it was not part of the prompt). */
    public boolean isGenerated() {
        return sampled != null;
    }

    /** Makes a decoded token printable: spaces, tabs and line breaks become visible marks; empty becomes ∅. */
    public static String visible(String decoded) {
        if (decoded.isEmpty()) {
            return "\u2205";
        }
        StringBuilder out = new StringBuilder(decoded.length());
        decoded.codePoints().forEach(cp -> {
            switch (cp) {
                case ' ' -> out.append('\u2423');
                case '\n' -> out.append('\u21b5');
                case '\r' -> out.append("\\r");
                case '\t' -> out.append('\u2192');
                default -> {
                    if (Character.isISOControl(cp)) {
                        out.append(String.format("\\x%02x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.toString();
    }
}
