package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.sampling.NextTokenDistribution;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Probes of the next-token distribution and of sampling: the most likely next tokens at a position, a token's
 * probability under a temperature and top-k / top-p cuts, how many tokens the sampler may pick (the engine's own
 * rule, {@link NextTokenDistribution}), and the token a {@code generate} action drew. Token options have the token id
 * as their id and its text as their label.
 */
final class GenerationProbes {

    private static final Param QUERY = Param.required("query", ParamType.QUERY,
            "the position whose logits predict the next token (the prompt's last: its length - 1)");
    private static final Param TEMPERATURE = Param.optional("temperature", ParamType.NUMBER,
            "divides the logits before the softmax (default 1)");
    private static final Param TOP_K = Param.optional("topK", ParamType.INT, "keep the k most likely tokens (default 0:"
            + " all)");
    private static final Param TOP_P = Param.optional("topP", ParamType.NUMBER, "keep the smallest set of most likely"
            + " tokens whose probability reaches p (default 1: all)");

    private GenerationProbes() {
    }

    static List<Probe> all() {
        return List.of(topTokens(), topToken(), sampledToken(), tokenProb(), samplerPool());
    }

    /** The logits of one position of a pass, [V]. */
    private static float[] logits(ProbeCall call, EngineContext ctx) {
        if (!ctx.capabilities().generates()) {
            throw new ProbeException(null, ctx.name() + " is an encoder: it predicts no next token");
        }
        Integer pass = call.optionalInteger("pass");
        TensorData all = ctx.read(HookName.Model.LOGITS.id, pass);
        int row = call.integer("row", 0);
        int q = call.integer("query");
        if (row < 0 || row >= all.shape()[0]) {
            throw new ProbeException("row", "row " + row + " does not exist: the batch has " + all.shape()[0] + " row(s)");
        }
        if (q < 0 || q >= all.shape()[1]) {
            throw new ProbeException("query", "position " + q + " does not exist: the pass has " + all.shape()[1]
                    + " position(s) (0-" + (all.shape()[1] - 1) + ")");
        }
        return all.row(row, q);
    }

    /** Token ids by logit, highest first, ties by the lower id (the sampler's order). */
    static int[] ranked(float[] logits) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** softmax(logits * factor), in double with the max subtracted. */
    static double[] softmax(float[] logits, double factor) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l * factor);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] * factor - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * How many of the most likely tokens survive top-k and then top-p (the smallest prefix of the top-k whose mass
     * reaches p of the top-k's mass), as the engine's sampler cuts them.
     */
    static int nucleus(double[] p, int[] order, int topK, double topP) {
        int k = topK > 0 ? Math.min(topK, p.length) : p.length;
        double kMass = 0;
        for (int i = 0; i < k; i++) {
            kMass += p[order[i]];
        }
        double mass = 0;
        int size = 0;
        while (size < k && (size == 0 || mass < topP * kMass)) {
            mass += p[order[size++]];
        }
        return size;
    }

    /** A token as students read it: its text in quotes, with a name for invisible ones. */
    static String label(EngineContext ctx, long id) {
        Tokenizer t = ctx.model().tokenizer();
        if (t == null) {
            return "token " + id;
        }
        String s = t.decode(id);
        return switch (s) {
            case " " -> "' ' (space)";
            case "\n" -> "'\\n' (new line)";
            case "" -> "token " + id;
            default -> "'" + s.replace("\n", "\\n") + "'";
        };
    }

    private static int rank(ProbeCall call, int[] order) {
        if (call.has("token")) {
            int token = call.integer("token");
            if (token < 0 || token >= order.length) {
                throw new ProbeException("token", "token " + token + " is outside the vocabulary of " + order.length);
            }
            for (int r = 0; r < order.length; r++) {
                if (order[r] == token) {
                    return r;
                }
            }
        }
        int r = call.integer("rank", 0);
        if (r < 0 || r >= order.length) {
            throw new ProbeException("rank", "rank " + r + " is outside the vocabulary of " + order.length);
        }
        return r;
    }

    private static double temperature(ProbeCall call, boolean zeroAllowed) {
        double t = call.number("temperature", 1);
        if (!(t > 0 || (zeroAllowed && t == 0)) || Double.isInfinite(t)) {
            throw new ProbeException("temperature", "the temperature must be above 0" + (zeroAllowed ? " (or 0: greedy)"
                    : "") + ", was " + Numbers.format(t));
        }
        return t;
    }

    private static double topP(ProbeCall call) {
        double p = call.number("topP", 1);
        if (!(p > 0 && p <= 1)) {
            throw new ProbeException("topP", "top-p must be in (0, 1], was " + Numbers.format(p));
        }
        return p;
    }

    private static int topK(ProbeCall call) {
        int k = call.integer("topK", 0);
        if (k < 0) {
            throw new ProbeException("topK", "top-k must be 0 (all tokens) or more, was " + k);
        }
        return k;
    }

    private static Probe topTokens() {
        return Probe.of("top-tokens", "the most likely next tokens at a position, as the options of a multiple choice"
                        + " (ids are token ids, labels the tokens' text)",
                List.of(QUERY, Param.optional("count", ParamType.INT, "how many (default 5)"), AttentionProbes.ROW,
                        AttentionProbes.PASS),
                call -> AnswerKind.OPTIONS,
                (call, ctx) -> {
                    int[] order = ranked(logits(call, ctx));
                    int count = call.integer("count", 5);
                    if (count < 2 || count > order.length) {
                        throw new ProbeException("count", "count must be from 2 to the vocabulary's " + order.length);
                    }
                    List<Answer.Option> options = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        options.add(new Answer.Option(Integer.toString(order[i]), label(ctx, order[i])));
                    }
                    return new Probe.Evaluation(new Answer.Options(options), count + " most likely tokens");
                });
    }

    private static Probe topToken() {
        return Probe.of("top-token", "the next token of a given rank at a position (rank 0: the most likely, greedy's"
                        + " pick), as an option id (the token id)",
                List.of(QUERY, Param.optional("rank", ParamType.INT, "0 (default) for the most likely, 1 for the next"),
                        AttentionProbes.ROW, AttentionProbes.PASS),
                call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    float[] logits = logits(call, ctx);
                    int[] order = ranked(logits);
                    int r = rank(call, order);
                    double[] p = softmax(logits, 1);
                    int id = order[r];
                    return new Probe.Evaluation(new Answer.Choice(Integer.toString(id)), "At position "
                            + call.integer("query") + " the token of rank " + r + " is " + label(ctx, id) + " (id " + id
                            + "): logit " + Numbers.format(logits[id], 3) + ", probability " + Numbers.format(p[id], 3)
                            + ".");
                });
    }

    private static Probe sampledToken() {
        return Probe.of("sampled-token", "the token a generate action drew from a pass's last logits, as an option id"
                        + " (the token id)",
                List.of(Param.optional("pass", ParamType.PASS, "the pass it was drawn from: 0 = the prompt's (default),"
                        + " 1 = the first generated token's, ...")),
                call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    int pass = call.integer("pass", 0);
                    Stepper.Group g = ctx.group(pass);
                    Sampler.Choice choice = g.next();
                    if (choice == null) {
                        throw new ProbeException("pass", "no token was generated from pass " + pass + ": add a"
                                + " {\"do\": \"generate\"} action");
                    }
                    return new Probe.Evaluation(new Answer.Choice(Integer.toString(choice.token())), "The sampler drew "
                            + label(ctx, choice.token()) + " (id " + choice.token() + ") from pass " + pass
                            + "'s last logits; its probability under the temperature was "
                            + Numbers.format(choice.probability(), 3) + ".");
                });
    }

    private static Probe tokenProb() {
        return Probe.of("token-prob", "a next token's probability at a position under a temperature, after the top-k"
                        + " and top-p cuts and renormalization (0 if cut); variants: times-temperature (logits"
                        + " multiplied by T), before-cut (not renormalized), logit (the raw logit)",
                List.of(QUERY, Param.optional("rank", ParamType.INT, "the token by rank, 0 (default) = most likely"),
                        Param.optional("token", ParamType.INT, "the token by id (instead of rank)"), TEMPERATURE, TOP_K,
                        TOP_P, AttentionProbes.ROW, AttentionProbes.PASS,
                        Param.choice("variant", false, "as-computed (the default), times-temperature, before-cut or"
                                + " logit", List.of("as-computed", "times-temperature", "before-cut", "logit"))),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    float[] logits = logits(call, ctx);
                    int[] order = ranked(logits);
                    int r = rank(call, order);
                    int id = order[r];
                    double t = temperature(call, false);
                    int k = topK(call);
                    double topP = topP(call);
                    String variant = call.string("variant", "as-computed");
                    if (variant.equals("logit")) {
                        return new Probe.Evaluation(new Answer.Number(logits[id]), "The logit of " + label(ctx, id)
                                + " is " + Numbers.format(logits[id], 4) + " (a score, not a probability).");
                    }
                    boolean times = variant.equals("times-temperature");
                    double[] p = softmax(logits, times ? t : 1 / t);
                    int kept = nucleus(p, order, k, topP);
                    double mass = 0;
                    for (int i = 0; i < kept; i++) {
                        mass += p[order[i]];
                    }
                    double value = variant.equals("before-cut") ? p[id] : r < kept ? p[id] / mass : 0;
                    String cut = k == 0 && topP == 1 ? "" : "; top-k " + k + " and top-p " + Numbers.format(topP)
                            + " keep " + kept + " token(s) holding " + Numbers.format(mass, 3) + (r < kept
                            ? variant.equals("before-cut") ? " (not renormalized here)" : ", so it becomes "
                            + Numbers.format(p[id], 4) + " / " + Numbers.format(mass, 4) : ", and it is cut: 0");
                    return new Probe.Evaluation(new Answer.Number(value), "softmax(logits " + (times ? "* " : "/ ")
                            + Numbers.format(t) + ") gives " + label(ctx, id) + " (rank " + r + ") "
                            + Numbers.format(p[id], 4) + cut + ". Its probability: " + Numbers.format(value, 4) + ".");
                });
    }

    private static Probe samplerPool() {
        return Probe.of("sampler-pool", "how many tokens the sampler may pick at a position under a temperature, top-k"
                        + " and top-p (the engine's own rule); variants: below-p (stops before the mass reaches p),"
                        + " before-temperature (top-p on the untempered probabilities)",
                List.of(QUERY, TEMPERATURE, TOP_K, TOP_P, AttentionProbes.ROW, AttentionProbes.PASS,
                        Param.choice("variant", false, "as-computed (the default), below-p or before-temperature",
                                List.of("as-computed", "below-p", "before-temperature"))),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    float[] logits = logits(call, ctx);
                    double t = temperature(call, true);
                    int k = topK(call);
                    double topP = topP(call);
                    String variant = call.string("variant", "as-computed");
                    int[] order = ranked(logits);
                    int value;
                    String how;
                    if (variant.equals("as-computed")) {
                        NextTokenDistribution d = NextTokenDistribution.of(logits, new SamplingConfig(t, k, topP, 0), 1);
                        value = d.kept();
                        how = t == 0 ? "Greedy decoding always takes the most likely token: 1."
                                : "After top-k " + k + " and top-p " + Numbers.format(topP) + " at temperature "
                                + Numbers.format(t) + ", " + value + " token(s) remain, holding "
                                + Numbers.format(d.keptMass(), 3) + " of the probability.";
                    } else {
                        double[] p = softmax(logits, variant.equals("before-temperature") || t == 0 ? 1 : 1 / t);
                        int kept = nucleus(p, order, k, topP);
                        value = variant.equals("below-p") ? kept - 1 : kept;
                        how = variant.equals("below-p") ? "Stopping before the running total reaches top-p leaves "
                                + value + " token(s)." : "With top-p taken on the probabilities before the temperature, "
                                + value + " token(s) remain.";
                    }
                    return new Probe.Evaluation(new Answer.Number(value), how);
                });
    }
}
