package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;

/** Probes of one head's attention map: a weight, a score, the argmax key, symptoms of broken masks, an entropy. */
final class AttentionProbes {

    private AttentionProbes() {
    }

    static final Param LAYER = Param.required("layer", ParamType.LAYER, "the block");
    static final Param HEAD = Param.required("head", ParamType.HEAD, "the head");
    static final Param STACK = Param.optional("stack", ParamType.STACK,
            "self (default), or encoder, decoder (default), cross for an encoder-decoder");
    static final Param ROW = Param.optional("row", ParamType.ROW, "the batch row (default 0)");
    static final Param PASS = Param.optional("pass", ParamType.PASS,
            "the step group: 0 = the prompt, 1 = the first generated token, ... (default: the one under the cursor)");
    static final Param QUERY = Param.required("query", ParamType.QUERY, "the query position within the pass");
    static final Param KEY = Param.required("key", ParamType.KEY, "the key position");

    static Param variant(List<Variant> variants) {
        return Param.choice("variant", false, "how the map is computed: as the model did (as-computed, the default)"
                + " or as a mistake would", Variant.ids(variants));
    }

    static List<Probe> all() {
        return List.of(weights(), score(), argmaxKey(), rowSum(), nanRows(), futureWeight(), allowedKeys(), entropy());
    }

    private static String where(AttentionMap m) {
        return m.layer.name() + " head " + m.head + (m.row == 0 ? "" : " (batch row " + m.row + ")");
    }

    private static String variantNote(Variant v) {
        return v == Variant.AS_COMPUTED ? "" : " [" + v.description + "]";
    }

    static Probe weights() {
        return Probe.of("weights", "attention weights of a head: one weight (query and key given), a query's row"
                        + " (query given) or the whole [T, K] map; a variant gives what a mistake would compute",
                List.of(LAYER, HEAD, Param.optional("query", ParamType.QUERY, "a query: its row of weights"),
                        Param.optional("key", ParamType.KEY, "a key (with a query): one weight"), variant(Variant.WEIGHTS),
                        STACK, ROW, PASS),
                call -> call.has("key") ? AnswerKind.NUMBER : AnswerKind.TENSOR,
                (call, ctx) -> {
                    AttentionMap m = AttentionMap.read(ctx, call);
                    Variant v = Variant.of(call);
                    double[][] w = m.weights(v);
                    if (call.has("key")) {
                        int q = call.integer("query");
                        int k = call.integer("key");
                        m.checkQuery(q, "query");
                        m.checkKey(k, "key");
                        return new Probe.Evaluation(new Answer.Number(w[q][k]), "In " + where(m) + ", query " + q
                                + " gives key " + k + " a weight of " + Numbers.format(w[q][k]) + variantNote(v) + ".");
                    }
                    TensorData t;
                    if (call.has("query")) {
                        int q = call.integer("query");
                        m.checkQuery(q, "query");
                        t = tensor("weights", new long[] {m.keys}, w[q]);
                    } else {
                        t = tensor("weights", new long[] {m.queries, m.keys}, w);
                    }
                    String ref = References.weights(ctx, m, call.optionalInteger("query"), v, t);
                    return new Probe.Evaluation(new Answer.Tensor(t, ref), (ref == null ? "" : "`" + ref
                            + "` computes it: ") + Numbers.tensor(t.shape(), t.values(), 2) + variantNote(v) + ".");
                });
    }

    static Probe score() {
        return Probe.of("score", "one attention score of a head: raw (q . k), scaled (before the mask, the default)"
                        + " or masked",
                List.of(LAYER, HEAD, QUERY, KEY, Param.choice("stage", false, "raw, scaled (default) or masked",
                        List.of("scaled", "raw", "masked")), variant(Variant.SCORES), STACK, ROW, PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    AttentionMap m = AttentionMap.read(ctx, call);
                    int q = call.integer("query");
                    int k = call.integer("key");
                    m.checkQuery(q, "query");
                    m.checkKey(k, "key");
                    Variant v = Variant.of(call);
                    String stage = call.string("stage", "scaled");
                    double raw = m.raw()[q][k];
                    double value = switch (stage) {
                        case "raw" -> raw;
                        case "masked" -> m.maskedScores(v)[q][k];
                        default -> m.scores(v)[q][k];
                    };
                    String explanation = "In " + where(m) + ", the raw score q . k of query " + q + " and key " + k
                            + " is " + Numbers.format(raw) + ".";
                    if (!stage.equals("raw")) {
                        double factor = scale(ctx, m);
                        explanation += " The model multiplies it by " + Numbers.format(factor) + " (1/sqrt(d_head) = 1/sqrt("
                                + ctx.config().dHead() + ")" + (factor == 1 ? ", or not at all" : "") + ")"
                                + (stage.equals("masked") ? " and adds the mask (0 or -inf)" : "")
                                + ": " + Numbers.format(value) + variantNote(v) + ".";
                    }
                    return new Probe.Evaluation(new Answer.Number(value), explanation);
                });
    }

    /** The factor the model's scale step multiplies the scores by. */
    private static double scale(EngineContext ctx, AttentionMap m) {
        Program p = ctx.trace(null).program();
        int i = p.indexOf(m.layer.hook(HookName.Block.ATTN_SCORES_UNMASKED));
        return i < 0 || Float.isNaN(p.op(i).scale()) ? 1 : p.op(i).scale();
    }

    static Probe argmaxKey() {
        return Probe.of("argmax-key", "the key a query gives its largest weight in a head (a cell of the map)",
                List.of(LAYER, HEAD, QUERY, variant(Variant.WEIGHTS), STACK, ROW, PASS),
                call -> AnswerKind.CELL,
                (call, ctx) -> {
                    AttentionMap m = AttentionMap.read(ctx, call);
                    int q = call.integer("query");
                    m.checkQuery(q, "query");
                    Variant v = Variant.of(call);
                    double[] w = m.weights(v)[q];
                    int best = -1;
                    for (int k = 0; k < w.length; k++) {
                        if (!Double.isNaN(w[k]) && (best < 0 || w[k] > w[best])) {
                            best = k;
                        }
                    }
                    if (best < 0 || w[best] <= 0) {
                        throw new ProbeException("query", "query " + q + " gives no key any weight in " + where(m)
                                + variantNote(v) + ", so it has no largest weight");
                    }
                    return new Probe.Evaluation(new Answer.Cell(q, best, m.keys, w[best]), "Query " + q
                            + "'s largest weight in " + where(m) + " is on key " + best + " ("
                            + Numbers.format(w[best], 2) + ")" + variantNote(v) + ".");
                });
    }

    static Probe rowSum() {
        return Probe.of("row-sum", "the sum of a query's weights in a head: 1 for a healthy row",
                List.of(LAYER, HEAD, QUERY, variant(Variant.WEIGHTS), STACK, ROW, PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    AttentionMap m = AttentionMap.read(ctx, call);
                    int q = call.integer("query");
                    m.checkQuery(q, "query");
                    Variant v = Variant.of(call);
                    double sum = 0;
                    for (double x : m.weights(v)[q]) {
                        sum += x;
                    }
                    return new Probe.Evaluation(new Answer.Number(sum), "Query " + q + "'s weights in " + where(m)
                            + " add up to " + Numbers.format(sum) + variantNote(v) + ".");
                });
    }

    static Probe nanRows() {
        return Probe.of("nan-rows", "how many queries of a head have NaN in their row of weights",
                List.of(LAYER, HEAD, variant(Variant.WEIGHTS), STACK, ROW, PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    AttentionMap m = AttentionMap.read(ctx, call);
                    Variant v = Variant.of(call);
                    List<Integer> rows = new ArrayList<>();
                    double[][] w = m.weights(v);
                    for (int q = 0; q < m.queries; q++) {
                        for (double x : w[q]) {
                            if (Double.isNaN(x)) {
                                rows.add(q);
                                break;
                            }
                        }
                    }
                    return new Probe.Evaluation(new Answer.Number(rows.size()), rows.isEmpty()
                            ? "No row of " + where(m) + " holds a NaN" + variantNote(v) + "."
                            : rows.size() + " row(s) of " + where(m) + " hold NaN: quer" + (rows.size() == 1 ? "y " : "ies ")
                            + rows + variantNote(v) + ".");
                });
    }

    static Probe futureWeight() {
        return Probe.of("future-weight", "the weight a query puts on keys after its own position (0 under a causal mask)",
                List.of(LAYER, HEAD, QUERY, variant(Variant.WEIGHTS), STACK, ROW, PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    AttentionMap m = AttentionMap.read(ctx, call);
                    int q = call.integer("query");
                    m.checkQuery(q, "query");
                    Variant v = Variant.of(call);
                    double[] w = m.weights(v)[q];
                    double sum = 0;
                    for (int k = m.position(q) + 1; k < w.length; k++) {
                        sum += w[k];
                    }
                    return new Probe.Evaluation(new Answer.Number(sum), "Query " + q + " (position " + m.position(q)
                            + ") puts " + Numbers.format(sum) + " of its weight on later keys in " + where(m)
                            + variantNote(v) + ".");
                });
    }

    static Probe allowedKeys() {
        return Probe.of("allowed-keys", "how many keys the mask lets a query see: the applied mask (as-computed) or the"
                        + " one the model intends (intended-mask)",
                List.of(LAYER, QUERY, variant(Variant.MASKS), STACK, ROW, PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    var layer = Sites.layer(ctx.capabilities(), call.string("stack", null), call.integer("layer"), ctx.name());
                    AttentionMap m = AttentionMap.read(ctx, layer, call.integer("row", 0), 0, call.optionalInteger("pass"));
                    int q = call.integer("query");
                    m.checkQuery(q, "query");
                    boolean intended = Variant.of(call) == Variant.INTENDED_MASK;
                    int n = 0;
                    for (int k = 0; k < m.keys; k++) {
                        if (m.allowed(q, k, intended)) {
                            n++;
                        }
                    }
                    return new Probe.Evaluation(new Answer.Number(n), "The " + (intended ? "intended" : "applied")
                            + " mask of " + layer.name() + " lets query " + q + " see " + n + " of the " + m.keys + " keys.");
                });
    }

    static Probe entropy() {
        return Probe.of("entropy", "the entropy of a query's weights in a head, in nats, or normalized by log(allowed"
                        + " keys): 0 = all weight on one key, 1 = spread evenly",
                List.of(LAYER, HEAD, QUERY, Param.optional("normalized", ParamType.BOOL,
                        "divide by log of the keys the mask allows (default false)"), STACK, ROW, PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    var layer = Sites.layer(ctx.capabilities(), call.string("stack", null), call.integer("layer"), ctx.name());
                    int head = call.integer("head");
                    Sites.checkHead(ctx.capabilities(), head, ctx.name());
                    Integer pass = call.optionalInteger("pass");
                    AttentionMap m = AttentionMap.read(ctx, layer, call.integer("row", 0), head, pass);
                    int q = call.integer("query");
                    m.checkQuery(q, "query");
                    HeadEntropy e = HeadEntropy.of(layer.layer(), ctx.read(layer.hook(HookName.Block.PATTERN), pass),
                            ctx.read(layer.hook(HookName.Block.MASK), pass));
                    boolean normalized = call.bool("normalized", false);
                    double value = normalized ? e.normalized(m.row, head, q) : e.entropy(m.row, head, q);
                    return new Probe.Evaluation(new Answer.Number(value), "H = -sum of w log w over query " + q
                            + "'s weights in " + where(m) + " = " + Numbers.format(e.entropy(m.row, head, q)) + " nats"
                            + (normalized ? "; divided by the log of the keys it may see: " + Numbers.format(value) : "")
                            + ".");
                });
    }

    static TensorData tensor(String name, long[] shape, double[] values) {
        float[] v = new float[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) values[i];
        }
        return new TensorData(name, shape, v);
    }

    static TensorData tensor(String name, long[] shape, double[][] values) {
        float[] v = new float[(int) (shape[0] * shape[1])];
        int i = 0;
        for (double[] row : values) {
            for (double x : row) {
                v[i++] = (float) x;
            }
        }
        return new TensorData(name, shape, v);
    }
}
