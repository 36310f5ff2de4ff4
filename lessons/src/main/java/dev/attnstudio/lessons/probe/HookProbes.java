package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Probes of the vectors a hook holds and of the pass's order: how far apart two positions' vectors are, the length of
 * each vector, one value of a hook, and the order in which the pass computes any of its steps.
 */
final class HookProbes {

    private HookProbes() {
    }

    static List<Probe> all() {
        return List.of(distance(), vectorNorm(), hookElement(), passOrder(), softmaxAt(), streamStart());
    }

    private static Probe distance() {
        return Probe.of("distance", "how far apart two positions' vectors of a hook are: Euclidean distance, or cosine"
                        + " similarity (1 = same direction); for [B, T, d] hooks, or [B, T, H, h] with a head",
                List.of(Param.required("hook", ParamType.HOOK, "a hook with a vector per position, e.g. hook_embed"),
                        Param.required("from", ParamType.QUERY, "the first position"),
                        Param.required("to", ParamType.QUERY, "the second position"),
                        Param.optional("row", ParamType.ROW, "the first position's batch row (default 0)"),
                        Param.optional("toRow", ParamType.ROW, "the second position's batch row (default: row)"),
                        Param.optional("head", ParamType.HEAD, "the head, for a hook split into heads"),
                        Param.choice("metric", false, "euclidean (default) or cosine", List.of("euclidean", "cosine")),
                        AttentionProbes.PASS),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    TensorData x = ctx.read(hook, call.optionalInteger("pass"));
                    int row = call.integer("row", 0);
                    int toRow = call.integer("toRow", row);
                    String a = index(call, x, hook, row, call.integer("from"), "row", "from");
                    String b = index(call, x, hook, toRow, call.integer("to"), "toRow", "to");
                    float[] u = vector(call, x, row, call.integer("from"));
                    float[] v = vector(call, x, toRow, call.integer("to"));
                    boolean cosine = call.string("metric", "euclidean").equals("cosine");
                    double dot = 0;
                    double uu = 0;
                    double vv = 0;
                    double dd = 0;
                    for (int i = 0; i < u.length; i++) {
                        dot += (double) u[i] * v[i];
                        uu += (double) u[i] * u[i];
                        vv += (double) v[i] * v[i];
                        dd += ((double) u[i] - v[i]) * ((double) u[i] - v[i]);
                    }
                    if (cosine) {
                        if (uu == 0 || vv == 0) {
                            throw new ProbeException("hook", "a zero vector has no direction: the cosine is undefined");
                        }
                        double c = dot / Math.sqrt(uu * vv);
                        return new Probe.Evaluation(new Answer.Number(c), "cos(" + a + ", " + b + ") = u . v / (|u| |v|) = "
                                + Numbers.format(dot) + " / (" + Numbers.format(Math.sqrt(uu)) + " x "
                                + Numbers.format(Math.sqrt(vv)) + ") = " + Numbers.format(c) + ".");
                    }
                    double d = Math.sqrt(dd);
                    return new Probe.Evaluation(new Answer.Number(d), "|" + a + " - " + b + "| = " + Numbers.format(d)
                            + (d == 0 ? ": the two vectors are identical, number for number." : " (their lengths: "
                            + Numbers.format(Math.sqrt(uu)) + " and " + Numbers.format(Math.sqrt(vv)) + ")."));
                });
    }

    /** The hook's vector of one position (and head), checked against its shape. */
    private static float[] vector(ProbeCall call, TensorData x, int row, int position) {
        if (x.rank() == 3) {
            return x.row(row, position);
        }
        return x.row(row, position, call.integer("head"));
    }

    /** The expression index of one position's vector, checking every coordinate; e.g. {@code hook_embed[0, 2]}. */
    private static String index(ProbeCall call, TensorData x, String hook, int row, int position, String rowParam,
                                String positionParam) {
        if (x.rank() != 3 && x.rank() != 4) {
            throw new ProbeException("hook", hook + " is " + x.shapeString() + ": it needs a vector per position,"
                    + " [B, T, d] or [B, T, H, h]");
        }
        if (row < 0 || row >= x.shape()[0]) {
            throw new ProbeException(rowParam, "row " + row + " does not exist: " + hook + " is " + x.shapeString());
        }
        if (position < 0 || position >= x.shape()[1]) {
            throw new ProbeException(positionParam, "position " + position + " does not exist: " + hook + " is "
                    + x.shapeString());
        }
        if (x.rank() == 4) {
            if (!call.has("head")) {
                throw new ProbeException("head", hook + " is split into heads " + x.shapeString() + ": give a head");
            }
            int head = call.integer("head");
            if (head >= x.shape()[2]) {
                throw new ProbeException("head", "head " + head + " does not exist: " + hook + " is " + x.shapeString());
            }
            return hook + "[" + row + ", " + position + ", " + head + "]";
        }
        return hook + "[" + row + ", " + position + "]";
    }

    private static Probe vectorNorm() {
        return Probe.of("vector-norm", "the length (Euclidean norm) of each vector along a hook's last axis, of the whole"
                        + " hook or of part of it selected by an index (\"0, :, 2\"); for compute exercises",
                List.of(Param.required("hook", ParamType.HOOK, "a full hook name"),
                        Param.optional("index", ParamType.INDEX, "an index such as 0, :, 2 (default: the whole tensor)")),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    String index = call.string("index", null);
                    String part = index == null ? hook : hook + "[" + index + "]";
                    TensorData x = evaluate(ctx, part, index);
                    if (x.rank() == 0) {
                        throw new ProbeException(index == null ? "hook" : "index", part + " is one number, not vectors");
                    }
                    int width = (int) x.shape()[x.rank() - 1];
                    int count = (int) (x.size() / width);
                    float[] norms = new float[count];
                    for (int i = 0; i < count; i++) {
                        double sum = 0;
                        for (int j = 0; j < width; j++) {
                            double v = x.values()[i * width + j];
                            sum += v * v;
                        }
                        norms[i] = (float) Math.sqrt(sum);
                    }
                    long[] shape = java.util.Arrays.copyOf(x.shape(), x.rank() - 1);
                    TensorData value = new TensorData("norms", shape, norms);
                    String ref = References.firstMatching(ctx, List.of("sqrt(sum(" + part + " ** 2, dim=-1))",
                            "sqrt(sum(" + part + " * " + part + ", dim=-1))"), value);
                    return new Probe.Evaluation(new Answer.Tensor(value, ref), (ref == null ? "" : "`" + ref
                            + "` computes it: ") + Numbers.tensor(value.shape(), value.values(), 3) + ".");
                });
    }

    private static TensorData evaluate(EngineContext ctx, String text, String index) {
        try {
            return Expression.parse(text).evaluate(ctx.scope());
        } catch (ExpressionException e) {
            throw new ProbeException(index == null ? "hook" : "index", e.render());
        } catch (IllegalStateException e) {
            throw new ProbeException("hook", e.getMessage());
        }
    }

    private static Probe hookElement() {
        return Probe.of("hook-element", "one value of a hook, at a full index (\"0, 2, 5, 7\"), in the pass under the"
                        + " cursor",
                List.of(Param.required("hook", ParamType.HOOK, "a full hook name"),
                        Param.required("index", ParamType.INDEX, "one coordinate per axis, e.g. 0, 2, 5, 7")),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    String text = hook + "[" + call.string("index", "") + "]";
                    TensorData x = evaluate(ctx, text, "index");
                    if (x.size() != 1) {
                        throw new ProbeException("index", text + " is " + x.shapeString() + ", not one value: give one"
                                + " coordinate per axis");
                    }
                    double v = x.values()[0];
                    return new Probe.Evaluation(new Answer.Number(v), "`" + text + "` = " + Numbers.format(v) + ".");
                });
    }

    private static Probe passOrder() {
        return Probe.of("pass-order", "the order in which the pass computes some of its steps (full hook names, from"
                        + " any block or outside the blocks), read from the pass's program",
                List.of(Param.names("steps", true, "full hook names, e.g. hook_embed, blocks.0.attn.hook_q, hook_logits",
                        List.of()), AttentionProbes.PASS),
                call -> AnswerKind.ORDER,
                (call, ctx) -> {
                    Program program = ctx.trace(call.optionalInteger("pass")).program();
                    List<String> wanted = call.names("steps", List.of());
                    for (String w : wanted) {
                        String problem = hookProblem(w);
                        if (problem != null) {
                            throw new ProbeException("steps", problem);
                        }
                        if (program.indexOf(w) < 0) {
                            throw new ProbeException("steps", "this pass of " + ctx.name() + " has no step " + w);
                        }
                    }
                    if (wanted.size() < 2 || wanted.stream().distinct().count() != wanted.size()) {
                        throw new ProbeException("steps", "give two or more different steps to order");
                    }
                    List<String> order = new ArrayList<>();
                    for (Op op : program.ops()) {
                        if (wanted.contains(op.name())) {
                            order.add(op.name());
                        }
                    }
                    return new Probe.Evaluation(new Answer.Order(order), "The program of this pass computes them in this"
                            + " order: " + String.join(" -> ", order) + ".");
                });
    }

    /** softmax(x / T) along the last axis: T below 1 sharpens the distribution, above 1 flattens it. */
    private static Probe softmaxAt() {
        return Probe.of("softmax-at", "softmax(x / temperature) along the last axis of a hook (or of part of it, \"0, -1\"):"
                        + " the probabilities at a temperature; with top, the largest of them as a number",
                List.of(Param.required("hook", ParamType.HOOK, "a full hook name, e.g. hook_logits"),
                        Param.optional("index", ParamType.INDEX, "an index such as 0, -1 (default: the whole tensor)"),
                        Param.optional("temperature", ParamType.NUMBER, "T > 0 (default 1)"),
                        Param.optional("top", ParamType.BOOL, "the largest probability instead of the tensor (default"
                                + " false)")),
                call -> call.bool("top", false) ? AnswerKind.NUMBER : AnswerKind.TENSOR,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    String index = call.string("index", null);
                    double t = call.number("temperature", 1);
                    if (!(t > 0)) {
                        throw new ProbeException("temperature", "the temperature must be above 0, was " + t);
                    }
                    String part = index == null ? hook : hook + "[" + index + "]";
                    String text = "softmax(" + part + (t == 1 ? "" : " / " + Numbers.format(t)) + ", dim=-1)";
                    TensorData p = evaluate(ctx, text, index);
                    if (call.bool("top", false)) {
                        if (p.rank() != 1) {
                            throw new ProbeException(index == null ? "hook" : "index", part + " is " + p.shapeString()
                                    + ": give an index that leaves one row, e.g. 0, -1");
                        }
                        double top = Double.NEGATIVE_INFINITY;
                        int at = 0;
                        for (int i = 0; i < p.values().length; i++) {
                            if (p.values()[i] > top) {
                                top = p.values()[i];
                                at = i;
                            }
                        }
                        return new Probe.Evaluation(new Answer.Number(top), "At temperature " + Numbers.format(t)
                                + ", the largest of " + text + " is " + Numbers.format(top) + " (at " + at + ").");
                    }
                    return new Probe.Evaluation(new Answer.Tensor(p, text), "`" + text + "` = "
                            + Numbers.tensor(p.shape(), p.values(), 3) + ".");
                });
    }

    /** What enters block 0, with the sum that makes it as the worked solution. */
    private static Probe streamStart() {
        return Probe.of("stream-start", "the residual stream entering block 0 of one batch row, [T, d_model]"
                        + " (blocks.0.hook_resid_pre); its worked solution is the sum that makes it (token embedding plus"
                        + " position embedding, for GPT-2); single-stack models",
                List.of(Param.optional("row", ParamType.ROW, "the batch row (default 0)")),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    if (ctx.capabilities().readsSource()) {
                        throw new ProbeException(null, ctx.name() + " has two stacks; stream-start reads a single stack");
                    }
                    String hook = "blocks.0.hook_resid_pre";
                    TensorData whole = ctx.read(hook, null);
                    int row = call.integer("row", 0);
                    if (row < 0 || row >= whole.shape()[0]) {
                        throw new ProbeException("row", "row " + row + " does not exist: " + hook + " is "
                                + whole.shapeString());
                    }
                    TensorData value = evaluate(ctx, hook + "[" + row + "]", null);
                    String r = "[" + row + "]";
                    String ref = References.firstMatching(ctx, List.of("hook_embed" + r + " + hook_pos_embed" + r,
                            "hook_embed" + r, "embed.ln.hook_normalized" + r), value);
                    return new Probe.Evaluation(new Answer.Tensor(value, ref), "What enters block 0"
                            + (ref == null ? "" : ", `" + ref + "`") + ": " + Numbers.tensor(value.shape(), value.values(), 3)
                            + ".");
                });
    }

    private static String hookProblem(String hook) {
        try {
            dev.attnstudio.engine.hooks.HookName.parse(hook);
            return null;
        } catch (IllegalArgumentException e) {
            return String.format(Locale.ROOT, "'%s' is not a hook name: %s", hook, e.getMessage());
        }
    }
}
