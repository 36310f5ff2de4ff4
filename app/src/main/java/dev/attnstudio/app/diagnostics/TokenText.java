package dev.attnstudio.app.diagnostics;

import dev.attnstudio.engine.tokenizer.Tokenizer;

/** Printable text of a token for labels: whitespace made visible, control characters escaped, long tokens cut. */
public final class TokenText {

    private static final int MAX_CHARS = 12;

    private TokenText() {
    }

    /** The token's text ({@code #id} without a tokenizer or for a lone byte of a multi-byte character). */
    public static String of(Tokenizer tokenizer, long id) {
        String s = tokenizer == null ? "" : tokenizer.decode(id);
        if (s.indexOf('\uFFFD') >= 0) {
            return "#" + id;
        }
        return visible(s.isEmpty() ? "#" + id : s);
    }

    /** Whitespace shown as visible marks, control characters escaped, cut to a label's length. */
    public static String visible(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            switch (c) {
                case ' ' -> b.append('\u2423');
                case '\n' -> b.append('\u21b5');
                case '\t' -> b.append('\u21e5');
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\x%02x", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        String label = b.toString();
        return label.length() > MAX_CHARS ? label.substring(0, MAX_CHARS - 1) + "\u2026" : label;
    }
}
