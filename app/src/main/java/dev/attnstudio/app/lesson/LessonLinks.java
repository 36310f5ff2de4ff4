package dev.attnstudio.app.lesson;

import dev.attnstudio.lessons.format.ViewSelection;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The action links of a lesson page: {@code [the Head view](view:head?layer=0&head=1)} shows a view with a selection,
 * {@code [run to the softmax](run:blocks.0.attn.hook_pattern)} runs the pass to a step (a name or a pattern with
 * {@code *} and {@code **}). Any other link is not an action.
 */
public final class LessonLinks {

    /** What an action link asks for. */
    public sealed interface Link {
    }

    /** Show a view, selecting what the link names. */
    public record Show(ViewSelection view) implements Link {
    }

    /** Run the pass until a step matches the pattern. */
    public record RunTo(String pattern) implements Link {
    }

    private static final Set<String> INTEGERS = Set.of("layer", "head", "row", "query");
    private static final Set<String> STACKS = Set.of("encoder", "decoder", "cross");

    private LessonLinks() {
    }

    /**
     * The action a link's destination asks for, or empty when it is not an action link.
     *
     * @throws IllegalArgumentException naming what is wrong in an action link (an unknown view, a bad number)
     */
    public static Optional<Link> parse(String destination) {
        if (destination == null) {
            return Optional.empty();
        }
        String d = destination.strip();
        if (d.startsWith("run:")) {
            String pattern = decode(d.substring(4)).strip();
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("the link \"" + d + "\" names no step to run to");
            }
            return Optional.of(new RunTo(pattern));
        }
        if (!d.startsWith("view:")) {
            return Optional.empty();
        }
        String rest = d.substring(5);
        int q = rest.indexOf('?');
        String view = (q < 0 ? rest : rest.substring(0, q)).strip();
        if (!ViewSelection.VIEWS.contains(view)) {
            throw new IllegalArgumentException("the link \"" + d + "\" names no view: \"" + view + "\" is not one of "
                    + String.join(", ", ViewSelection.VIEWS));
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                params.put(decode(key).strip(), eq < 0 ? "" : decode(pair.substring(eq + 1)).strip());
            }
        }
        Integer[] ints = new Integer[4];
        int i = 0;
        for (String name : new String[] {"layer", "head", "row", "query"}) {
            String v = params.remove(name);
            ints[i++] = v == null ? null : integer(d, name, v);
        }
        String stack = params.remove("stack");
        if (stack != null && !STACKS.contains(stack)) {
            throw new IllegalArgumentException("the link \"" + d + "\": stack is encoder, decoder or cross, not \"" + stack
                    + "\"");
        }
        String hook = params.remove("hook");
        if (!params.isEmpty()) {
            throw new IllegalArgumentException("the link \"" + d + "\" has unknown parameter(s) " + params.keySet()
                    + "; a view link takes " + String.join(", ", INTEGERS) + ", stack and hook");
        }
        return Optional.of(new Show(new ViewSelection(view, ints[0], ints[1], ints[2], stack, ints[3], hook)));
    }

    private static Integer integer(String link, String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the link \"" + link + "\": " + name + " is a whole number from 0, not \""
                    + v + "\"");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
