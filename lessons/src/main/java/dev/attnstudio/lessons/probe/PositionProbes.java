package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.positions.PositionTables;

import java.util.ArrayList;
import java.util.List;

/**
 * Position schemes computed from their formulas by the engine's {@link PositionTables}: the sinusoidal table of
 * Vaswani et al. and ALiBi's slopes and biases (Press et al.). They need no pass; their sizes default to the page's
 * model (its d_model, its heads).
 */
final class PositionProbes {

    private PositionProbes() {
    }

    static List<Probe> all() {
        return List.of(sinusoidal(), alibi());
    }

    private static Probe sinusoidal() {
        return Probe.of("sinusoidal", "one value of the sinusoidal position table (Vaswani et al.): PE(pos, 2i) ="
                        + " sin(pos / base^(2i / width)), PE(pos, 2i + 1) = cos(the same angle)",
                List.of(Param.required("position", ParamType.INT, "the position (row of the table)"),
                        Param.required("index", ParamType.INT, "the index within the embedding (column)"),
                        Param.optional("width", ParamType.INT, "the embedding's width (default: the model's d_model)"),
                        Param.optional("base", ParamType.NUMBER, "the base of the frequencies (default 10000)")),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    int pos = call.integer("position");
                    int index = call.integer("index");
                    int width = call.integer("width", ctx.config().dModel());
                    double base = call.number("base", PositionTables.SINUSOIDAL_BASE);
                    if (width <= 0) {
                        throw new ProbeException("width", "the width must be positive");
                    }
                    if (index >= width) {
                        throw new ProbeException("index", "index " + index + " is outside a table " + width + " wide (0-"
                                + (width - 1) + ")");
                    }
                    if (!(base > 0)) {
                        throw new ProbeException("base", "the base must be positive");
                    }
                    double angle = PositionTables.sinusoidalAngle(pos, index, width, base);
                    double value = PositionTables.sinusoidal(pos, index, width, base);
                    int pair = index / 2;
                    String fn = index % 2 == 0 ? "sin" : "cos";
                    List<String> row = new ArrayList<>();
                    for (int i = 0; i < Math.min(width, 6); i++) {
                        row.add(Numbers.format(PositionTables.sinusoidal(pos, i, width, base), 3));
                    }
                    return new Probe.Evaluation(new Answer.Number(value), "Index " + index + " is " + (index % 2 == 0
                            ? "even" : "odd") + ", so it takes the " + (fn.equals("sin") ? "sine" : "cosine") + " of pair "
                            + pair + "'s angle: " + pos + " / " + Numbers.format(base) + "^(" + (2 * pair) + "/" + width
                            + ") = " + Numbers.format(angle) + ", and " + fn + "(" + Numbers.format(angle) + ") = "
                            + Numbers.format(value) + ". Row " + pos + " of the table begins [" + String.join(", ", row)
                            + (width > 6 ? ", ..." : "") + "].");
                });
    }

    private static Probe alibi() {
        return Probe.of("alibi", "ALiBi (Press et al.): a head's slope m_h = 2^(-8 (h + 1) / n) for n heads (a power of"
                        + " two; else as the paper's code extends it), or, with a query and a key, the bias -m_h (q - k)"
                        + " added to their score",
                List.of(Param.required("head", ParamType.INT, "the head, from 0"),
                        Param.optional("query", ParamType.INT, "a query position (with a key: its bias)"),
                        Param.optional("key", ParamType.INT, "a key position"),
                        Param.optional("heads", ParamType.INT, "how many heads share the slopes (default: the model's)")),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    int heads = call.integer("heads", ctx.capabilities().heads());
                    if (heads <= 0) {
                        throw new ProbeException("heads", "heads must be 1 or more");
                    }
                    int head = call.integer("head");
                    if (head >= heads) {
                        throw new ProbeException("head", "head " + head + " is out of range: " + heads + " heads (0-"
                                + (heads - 1) + ")");
                    }
                    if (call.has("query") != call.has("key")) {
                        throw new ProbeException(call.has("query") ? "key" : "query", "give both a query and a key (for"
                                + " a bias) or neither (for the slope)");
                    }
                    double[] slopes = PositionTables.alibiSlopes(heads);
                    double m = slopes[head];
                    List<String> all = new ArrayList<>();
                    for (double s : slopes) {
                        all.add(Numbers.format(s, 5));
                    }
                    String slopeText = "With " + heads + " heads the slopes are [" + String.join(", ", all) + "]; head "
                            + head + "'s is " + Numbers.format(m, 6) + ".";
                    if (!call.has("query")) {
                        return new Probe.Evaluation(new Answer.Number(m), slopeText);
                    }
                    int q = call.integer("query");
                    int k = call.integer("key");
                    double bias = PositionTables.alibiBias(m, q, k);
                    return new Probe.Evaluation(new Answer.Number(bias), slopeText + " Query " + q + " and key " + k
                            + " are " + (q - k) + " apart, so the bias is -" + Numbers.format(m, 6) + " x " + (q - k)
                            + " = " + Numbers.format(bias) + ".");
                });
    }
}
