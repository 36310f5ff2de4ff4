package dev.attnstudio.engine.intervene;

import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The interventions applied to a run, in the order they were chosen, and the catalogue of every intervention the
 * engine offers with its command-line form. Immutable; {@code with...} returns a copy.
 */
public record Interventions(List<Intervention> applied) {

    /** The model as it is. */
    public static final Interventions NONE = new Interventions(List.of());

    /** One intervention of the catalogue: its command-line form and what it does, for --help and menus. */
    public record Entry(String syntax, String help) {
    }

    private static final Pattern HEAD = Pattern.compile("(mean-)?ablate:(?:(encoder|decoder|cross)\\.)?(\\d+)\\.(\\d+)");

    public Interventions {
        applied = List.copyOf(applied);
    }

    /** These plus {@code i} (unless one with the same spec is already applied). */
    public Interventions with(Intervention i) {
        if (applied.stream().anyMatch(a -> a.spec().equals(i.spec()))) {
            return this;
        }
        List<Intervention> more = new ArrayList<>(applied);
        more.add(i);
        return new Interventions(more);
    }

    /** These without the one whose spec is {@code spec}. */
    public Interventions without(String spec) {
        return new Interventions(applied.stream().filter(a -> !a.spec().equals(spec)).toList());
    }

    /** These plus a zero-ablated self-attention head. */
    public Interventions withAblatedHead(int layer, int head) {
        return with(HeadAblation.zero(layer, head));
    }

    public boolean contains(String spec) {
        return applied.stream().anyMatch(a -> a.spec().equals(spec));
    }

    public boolean any() {
        return !applied.isEmpty();
    }

    /** Whether a loss over a padded batch counts the padding positions (the padding-in-loss bug is applied). */
    public boolean countsPaddingInLoss() {
        return applied.stream().anyMatch(Intervention::countsPaddingInLoss);
    }

    /** The command-line forms, in order. */
    public List<String> specs() {
        return applied.stream().map(Intervention::spec).toList();
    }

    /**
     * Checks every intervention against the model.
     *
     * @throws IllegalArgumentException naming the first that does not fit
     */
    public void check(Capabilities model) {
        applied.forEach(i -> i.check(model));
    }

    /** Attaches every intervention's hooks for one run; the handle removes them all. */
    public Hooks.Handle attach(Hooks hooks) {
        List<Hooks.Handle> handles = applied.stream().map(i -> i.attach(hooks)).toList();
        return () -> handles.forEach(Hooks.Handle::close);
    }

    /**
     * Parses one command-line form: {@code ablate:L.H}, {@code mean-ablate:L.H} (prefix the head with {@code encoder.},
     * {@code decoder.} or {@code cross.} for one sub-layer of an encoder-decoder), {@code no-scaling},
     * {@code no-positions}, {@code mask:bidirectional|causal|window:N}, {@code mask-bug:NAME}.
     *
     * @throws IllegalArgumentException naming what is wrong and what would be valid
     */
    public static Intervention parse(String spec) {
        String s = spec.trim();
        Matcher head = HEAD.matcher(s);
        if (head.matches()) {
            HeadAblation.Site site = head.group(2) == null ? HeadAblation.Site.SELF
                    : HeadAblation.Site.valueOf(head.group(2).toUpperCase(Locale.ROOT));
            return new HeadAblation(site, Integer.parseInt(head.group(3)), Integer.parseInt(head.group(4)),
                    head.group(1) != null);
        }
        for (Switches sw : Switches.values()) {
            if (sw.spec().equals(s)) {
                return sw;
            }
        }
        if (s.startsWith("mask:")) {
            return MaskOverride.parse(s.substring("mask:".length()));
        }
        if (s.startsWith("mask-bug:")) {
            return MaskBug.named(s.substring("mask-bug:".length()));
        }
        throw new IllegalArgumentException("'" + spec + "' is not an intervention; the interventions: "
                + String.join(", ", catalogue().stream().map(Entry::syntax).toList()));
    }

    /** Every intervention the engine offers, with one line each. */
    public static List<Entry> catalogue() {
        List<Entry> entries = new ArrayList<>(List.of(
                new Entry("ablate:L.H", "zero head H of layer L: its slice of attn.hook_z is 0 before the output projection"
                        + " (encoder-decoders: every self-attention; cross.L.H, encoder.L.H, decoder.L.H for one)"),
                new Entry("mean-ablate:L.H", "replace head H of layer L's hook_z by its mean over the prompt's real positions"),
                new Entry(Switches.NO_SCALING.spec(), "do not divide the scores by sqrt(d_head)"),
                new Entry(Switches.NO_POSITIONS.spec(), "no position information: position embeddings and biases zeroed, "
                        + "q and k not rotated"),
                new Entry("mask:bidirectional", "every query sees every key (padding stays masked)"),
                new Entry("mask:causal", "every query sees only itself and earlier keys"),
                new Entry("mask:window:N", "every query sees itself and the N - 1 keys before it")));
        for (MaskBug bug : MaskBug.values()) {
            entries.add(new Entry(bug.spec(), "bug: " + bug.description()));
        }
        return entries;
    }
}
