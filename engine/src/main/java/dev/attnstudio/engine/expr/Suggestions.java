package dev.attnstudio.engine.expr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** "Did you mean ...": names close to a misspelt one, by edit distance or by a shared last part. */
final class Suggestions {

    private static final int MAX = 3;

    private Suggestions() {
    }

    /**
     * Up to three candidates: those nearest by edit distance, if any is within a few edits (a third of the name's
     * length, 1 to 3); else those whose last dotted part ends with the wanted name's last part
     * ({@code attn.hook_pattern} finds {@code blocks.0.attn.hook_pattern} and {@code blocks.1.attn.hook_pattern}).
     */
    static List<String> closest(String wanted, Collection<String> candidates) {
        int limit = Math.max(1, Math.min(3, wanted.length() / 3));
        String tail = lastPart(wanted);
        int best = Integer.MAX_VALUE;
        List<String> nearest = new ArrayList<>();
        List<String> sameTail = new ArrayList<>();
        for (String c : new TreeSet<>(candidates)) {
            if (c.equals(wanted)) {
                continue;
            }
            int d = distance(wanted, c);
            if (d <= limit && d <= best) {
                if (d < best) {
                    nearest.clear();
                    best = d;
                }
                nearest.add(c);
            }
            if (tail.length() >= 3 && lastPart(c).endsWith(tail)) {
                sameTail.add(c);
            }
        }
        List<String> out = nearest.isEmpty() ? sameTail : nearest;
        return out.subList(0, Math.min(MAX, out.size()));
    }

    /** "; did you mean x?" or "; did you mean one of x, y, z?", or "" when there is nothing close. */
    static String didYouMean(String wanted, Collection<String> candidates) {
        List<String> close = closest(wanted, candidates);
        if (close.isEmpty()) {
            return "";
        }
        return close.size() == 1 ? "; did you mean " + close.get(0) + "?"
                : "; did you mean one of " + String.join(", ", close) + "?";
    }

    private static String lastPart(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
