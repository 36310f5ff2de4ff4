package dev.attnstudio.app.panels;

import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Short printable labels for tokens on axes and bars: whitespace made visible, long tokens cut. */
final class TokenLabels {

    static final int MAX_CHARS = 12;

    private TokenLabels() {
    }

    static List<String> of(Tokenizer tokenizer, long[] ids, int from, int to) {
        List<String> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(label(tokenizer, ids[i]));
        }
        return out;
    }

    static String label(Tokenizer tokenizer, long id) {
        if (tokenizer == null) {
            return "#" + id; // a model without a tokenizer.json (an ONNX export, a recording without one)
        }
        String s = tokenizer.decode(id);
        if (s.indexOf('\uFFFD') >= 0) {
            return "#" + id; // part of a multi-byte character: not printable on its own
        }
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
        String label = b.length() == 0 ? "#" + id : b.toString();
        return label.length() > MAX_CHARS ? label.substring(0, MAX_CHARS - 1) + "\u2026" : label;
    }
}
