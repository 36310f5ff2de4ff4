package dev.attnstudio.lessons.format;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code {{name}}} and {@code {{name:3}}} placeholders of a page's Markdown, where the worked example's results
 * go (3: decimals, 2 by default).
 */
public final class Placeholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(?::\\s*(\\d))?\\s*}}");

    /** One placeholder: its name, decimals and 1-based line. */
    public record Use(String name, int decimals, int line) {
    }

    private Placeholders() {
    }

    public static List<Use> find(String markdown) {
        List<Use> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(markdown);
        while (m.find()) {
            int line = 1;
            for (int i = 0; i < m.start(); i++) {
                if (markdown.charAt(i) == '\n') {
                    line++;
                }
            }
            out.add(new Use(m.group(1), m.group(2) == null ? 2 : Integer.parseInt(m.group(2)), line));
        }
        return out;
    }

    /** The Markdown with each placeholder replaced by {@code value(name, decimals)}. */
    public static String fill(String markdown, BiFunction<String, Integer, String> value) {
        Matcher m = PLACEHOLDER.matcher(markdown);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int decimals = m.group(2) == null ? 2 : Integer.parseInt(m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(value.apply(m.group(1), decimals)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
