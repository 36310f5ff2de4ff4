package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.expr.Comparison;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.metrics.TensorStats;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Probes of the residual stream and of what the blocks write into it: statistics and norms of hooks, sums of hooks,
 * the two norms (RMSNorm here; LayerNorm is {@code layer-norm}), the MLP's activation, and the logits a tied
 * unembedding gives the prompt's own tokens.
 */
final class StreamProbes {

    /** The statistics {@code hook-stat} and {@code largest-hook} compute. */
    static final List<String> STATS = List.of("norm", "mean-norm", "mean", "std", "min", "max", "positive-share");

    private static final Param HOOKS = Param.names("hooks", true, "full hook names", List.of());
    private static final Param INDEX = Param.optional("index", ParamType.INDEX,
            "an index as in an expression, e.g. 0, 8 (default: the whole tensor)");
    private static final double GELU_C = Math.sqrt(2 / Math.PI);

    private StreamProbes() {
    }

    static List<Probe> all() {
        return List.of(hookStat(), hookNorms(), hookSum(), largestHook(), hookOptions(), rmsNorm(), mlpActivation(),
                promptTokenLogits());
    }

    /** A hook, or a part of it, from the pass under the cursor, as an expression computes it. */
    private static TensorData select(EngineContext ctx, String hook, String index, String param) {
        Sites.checkHook(ctx.capabilities(), hook, ctx.name(), param);
        String text = index == null ? hook : hook + "[" + index + "]";
        try {
            return Expression.parse(text).evaluate(ctx.scope());
        } catch (ExpressionException e) {
            throw new ProbeException(index == null ? param : "index", e.render());
        } catch (IllegalStateException e) {
            throw new ProbeException(param, e.getMessage());
        }
    }

    private static String selected(String hook, String index) {
        return index == null ? hook : hook + "[" + index + "]";
    }

    /** One statistic of a tensor's finite values. */
    static double stat(TensorData t, String stat, String param) {
        float[] v = t.values();
        switch (stat) {
            case "norm" -> {
                double sum = 0;
                for (float x : v) {
                    sum += x * (double) x;
                }
                return Math.sqrt(sum);
            }
            case "mean-norm" -> {
                long[] s = t.shape();
                if (s.length < 1 || s[s.length - 1] == 0) {
                    throw new ProbeException(param, "mean-norm needs vectors along a last axis; the tensor is "
                            + t.shapeString());
                }
                int d = (int) s[s.length - 1];
                double sum = 0;
                int n = v.length / d;
                for (int i = 0; i < n; i++) {
                    double sq = 0;
                    for (int j = 0; j < d; j++) {
                        sq += v[i * d + j] * (double) v[i * d + j];
                    }
                    sum += Math.sqrt(sq);
                }
                return sum / n;
            }
            case "positive-share" -> {
                int positive = 0;
                int finite = 0;
                for (float x : v) {
                    if (Float.isFinite(x)) {
                        finite++;
                        positive += x > 0 ? 1 : 0;
                    }
                }
                return finite == 0 ? Double.NaN : positive / (double) finite;
            }
            default -> {
                TensorStats s = TensorStats.of(v, 1);
                return switch (stat) {
                    case "mean" -> s.mean();
                    case "std" -> s.std();
                    case "min" -> s.min();
                    default -> s.max();
                };
            }
        }
    }

    private static String statText(String stat) {
        return switch (stat) {
            case "norm" -> "the length (L2 norm) of";
            case "mean-norm" -> "the mean length of the vectors (last axis) of";
            case "positive-share" -> "the share of positive values in";
            case "std" -> "the standard deviation (population) of";
            default -> "the " + stat + " of";
        };
    }

    private static Param statParam(boolean required) {
        return Param.choice("stat", required, "norm, mean-norm (mean length along the last axis), mean, std, min,"
                + " max or positive-share" + (required ? "" : " (default norm)"), STATS);
    }

    private static Probe hookStat() {
        return Probe.of("hook-stat", "one statistic of a hook (or of part of it) in the pass under the cursor: its"
                        + " norm, the mean norm of its vectors, mean, std, min, max (the Inspector's), share of positives",
                List.of(Param.required("hook", ParamType.HOOK, "a full hook name"), statParam(true), INDEX),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    String index = call.string("index", null);
                    String stat = call.string("stat", "norm");
                    double value = stat(select(ctx, hook, index, "hook"), stat, "stat");
                    return new Probe.Evaluation(new Answer.Number(value), "In this pass, " + statText(stat) + " "
                            + selected(hook, index) + " is " + Numbers.format(value, 4) + ".");
                });
    }

    private static Probe hookNorms() {
        return Probe.of("hook-norms", "the length of a [B, T, d] hook's vector at every position of one batch row, a"
                        + " [T] tensor; the rms variant gives sqrt(mean(x^2)), the squared variant sum(x^2)",
                List.of(Param.required("hook", ParamType.HOOK, "a [B, T, d] hook, e.g. blocks.1.hook_resid_post"),
                        AttentionProbes.ROW, Param.choice("variant", false, "as-computed (the default), rms or squared",
                                List.of("as-computed", "rms", "squared"))),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    TensorData x = ctx.read(hook, null);
                    if (x.rank() != 3) {
                        throw new ProbeException("hook", hook + " is " + x.shapeString() + ", not [B, T, d]");
                    }
                    int row = call.integer("row", 0);
                    if (row < 0 || row >= x.shape()[0]) {
                        throw new ProbeException("row", "row " + row + " does not exist: the batch has " + x.shape()[0]
                                + " row(s)");
                    }
                    String variant = call.string("variant", "as-computed");
                    int t = (int) x.shape()[1];
                    double[] out = new double[t];
                    for (int p = 0; p < t; p++) {
                        float[] v = x.row(row, p);
                        double sq = 0;
                        for (float f : v) {
                            sq += f * (double) f;
                        }
                        out[p] = switch (variant) {
                            case "rms" -> Math.sqrt(sq / v.length);
                            case "squared" -> sq;
                            default -> Math.sqrt(sq);
                        };
                    }
                    TensorData value = AttentionProbes.tensor("hook-norms", new long[] {t}, out);
                    String h = hook + "[" + row + "]";
                    String reference = References.firstMatching(ctx, List.of(switch (variant) {
                        case "rms" -> "sqrt(mean(" + h + " ** 2, dim=-1))";
                        case "squared" -> "sum(" + h + " ** 2, dim=-1)";
                        default -> "sqrt(sum(" + h + " ** 2, dim=-1))";
                    }), value);
                    return new Probe.Evaluation(new Answer.Tensor(value, reference), (reference == null ? ""
                            : "`" + reference + "` computes it: ") + Numbers.tensor(value.shape(), value.values(), 2)
                            + (variant.equals("as-computed") ? "" : " [" + variant + "]") + ".");
                });
    }

    private static Probe hookSum() {
        return Probe.of("hook-sum", "the sum of several hooks of the same shape (or of the same part of each), for"
                        + " compute exercises: what the residual stream adds up",
                List.of(HOOKS, INDEX),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    List<String> hooks = call.names("hooks", List.of());
                    if (hooks.isEmpty()) {
                        throw new ProbeException("hooks", "name at least one hook");
                    }
                    String index = call.string("index", null);
                    List<String> parts = new ArrayList<>();
                    for (String h : hooks) {
                        Sites.checkHook(ctx.capabilities(), h, ctx.name(), "hooks");
                        parts.add(selected(h, index));
                    }
                    String text = String.join(" + ", parts);
                    TensorData value;
                    try {
                        value = Expression.parse(text).evaluate(ctx.scope());
                    } catch (ExpressionException e) {
                        throw new ProbeException(index == null ? "hooks" : "index", e.render());
                    } catch (IllegalStateException e) {
                        throw new ProbeException("hooks", e.getMessage());
                    }
                    return new Probe.Evaluation(new Answer.Tensor(value, text), "`" + text + "` is "
                            + Numbers.tensor(value.shape(), value.values(), 3) + ".");
                });
    }

    private static Probe largestHook() {
        return Probe.of("largest-hook", "which of several hooks (as an option id, its name) has the largest statistic"
                        + " (default: norm), each taken whole or at the same index",
                List.of(HOOKS, statParam(false), INDEX),
                call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    List<String> hooks = call.names("hooks", List.of());
                    if (hooks.size() < 2) {
                        throw new ProbeException("hooks", "name at least two hooks to compare");
                    }
                    String index = call.string("index", null);
                    String stat = call.string("stat", "norm");
                    String best = null;
                    double bestValue = Double.NEGATIVE_INFINITY;
                    List<String> lines = new ArrayList<>();
                    for (String h : hooks) {
                        double v = stat(select(ctx, h, index, "hooks"), stat, "stat");
                        lines.add(selected(h, index) + ": " + Numbers.format(v, 3));
                        if (v > bestValue) {
                            bestValue = v;
                            best = h;
                        }
                    }
                    return new Probe.Evaluation(new Answer.Choice(best), "Comparing " + statText(stat).replace(" of", "")
                            + ": " + String.join(", ", lines) + ". The largest is " + best + ".");
                });
    }

    private static Probe hookOptions() {
        return Probe.of("hook-options", "hooks as the options of a multiple choice (ids are the hook names)",
                List.of(HOOKS),
                call -> AnswerKind.OPTIONS,
                (call, ctx) -> {
                    List<String> hooks = call.names("hooks", List.of());
                    List<Answer.Option> options = new ArrayList<>();
                    for (String h : hooks) {
                        Sites.checkHook(ctx.capabilities(), h, ctx.name(), "hooks");
                        options.add(new Answer.Option(h, h));
                    }
                    return new Probe.Evaluation(new Answer.Options(options), options.size() + " hooks");
                });
    }

    private static Probe rmsNorm() {
        return Probe.of("rms-norm", "x / sqrt(mean(x^2) + eps) of one position of a hook, without gain (RMSNorm, as"
                        + " LLaMA and T5 normalize); the eps-outside-sqrt variant adds eps after the root",
                List.of(Param.required("hook", ParamType.HOOK, "a residual-stream hook, e.g. blocks.0.hook_resid_pre"),
                        AttentionProbes.QUERY, AttentionProbes.ROW,
                        AttentionProbes.variant(List.of(Variant.AS_COMPUTED, Variant.EPS_OUTSIDE_SQRT))),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    PositionVector at = PositionVector.read(call, ctx);
                    String hook = at.hook();
                    int row = at.row();
                    int q = at.query();
                    float[] v = at.values();
                    double eps = ctx.config().layerNormEps();
                    double ms = 0;
                    for (float f : v) {
                        ms += f * (double) f;
                    }
                    ms /= v.length;
                    boolean outside = Variant.of(call) == Variant.EPS_OUTSIDE_SQRT;
                    double denominator = outside ? Math.sqrt(ms) + eps : Math.sqrt(ms + eps);
                    double[] out = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                        out[i] = v[i] / denominator;
                    }
                    TensorData t = AttentionProbes.tensor("rms-norm", new long[] {v.length}, out);
                    String reference = outside ? null : References.firstMatching(ctx,
                            List.of("rms_norm(" + hook + "[" + row + ", " + q + "], eps=eps)"), t);
                    return new Probe.Evaluation(new Answer.Tensor(t, reference), "mean(x^2) = " + Numbers.format(ms, 6)
                            + "; each value divided by " + (outside ? "sqrt(mean(x^2)) + eps" : "sqrt(mean(x^2) + eps)")
                            + " = " + Numbers.format(denominator, 6) + ", and no mean is subtracted.");
                });
    }

    /** An MLP activation the probe recognizes, with how an expression writes it. */
    private record Activation(String name, DoubleUnaryOperator f, UnaryOperator<String> writer) {
    }

    private static final List<Activation> ACTIVATIONS = List.of(
            new Activation("GELU", v -> 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v))),
                    x -> "gelu(" + x + ")"),
            new Activation("SiLU", v -> v / (1 + Math.exp(-v)), x -> x + " / (1 + exp(-" + x + "))"),
            new Activation("ReLU", v -> Math.max(v, 0), x -> "relu(" + x + ")"));

    private static Probe mlpActivation() {
        return Probe.of("mlp-activation", "the MLP's hidden activation at one position (mlp.hook_post, [d_mlp]) and what"
                        + " mistakes give: relu (ReLU in place of the model's activation), no-up (a gated MLP without"
                        + " its up branch), swapped (the activation on the up branch instead of the gate)",
                List.of(AttentionProbes.LAYER, AttentionProbes.QUERY, AttentionProbes.ROW,
                        Param.choice("variant", false, "as-computed (the default), relu, no-up or swapped",
                                List.of("as-computed", "relu", "no-up", "swapped")),
                        Param.optional("stack", ParamType.STACK, "self (default), or encoder, decoder for an"
                                + " encoder-decoder")),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    Capabilities c = ctx.capabilities();
                    String stack = call.string("stack", null);
                    Capabilities.Site site = Sites.site(c, stack, ctx.name());
                    if (site.cross()) {
                        throw new ProbeException("stack", "cross-attention has no MLP of its own: name the decoder");
                    }
                    int layer = Sites.layer(c, stack, call.integer("layer"), ctx.name()).layer();
                    String pre = site.hook(HookName.Block.MLP_PRE, layer);
                    String up = site.hook(HookName.Block.MLP_PRE_LINEAR, layer);
                    String post = site.hook(HookName.Block.MLP_POST, layer);
                    boolean gated = ctx.trace(null).program().indexOf(up) >= 0;
                    int row = call.integer("row", 0);
                    int q = call.integer("query");
                    TensorData preValue = ctx.read(pre, null);
                    if (row < 0 || row >= preValue.shape()[0] || q < 0 || q >= preValue.shape()[1]) {
                        throw new ProbeException("query", "position " + q + " of row " + row + " is outside "
                                + preValue.shapeString());
                    }
                    float[] g = preValue.row(row, q);
                    float[] u = gated ? ctx.read(up, null).row(row, q) : null;
                    TensorData postValue = new TensorData("post", new long[] {g.length}, ctx.read(post, null).row(row, q));
                    Activation act = null;
                    for (Activation a : ACTIVATIONS) {
                        if (Comparison.of(AttentionProbes.tensor("act", new long[] {g.length}, apply(a.f(), g, u)),
                                postValue).allClose()) {
                            act = a;
                            break;
                        }
                    }
                    if (act == null) {
                        throw new ProbeException(null, "the MLP of " + ctx.name() + " uses an activation this probe does"
                                + " not know (GELU, SiLU, ReLU)");
                    }
                    String variant = call.string("variant", "as-computed");
                    if (!gated && (variant.equals("no-up") || variant.equals("swapped"))) {
                        throw new ProbeException("variant", variant + " is a mistake of gated MLPs; " + ctx.name()
                                + "'s MLP has no up branch (mlp.hook_pre_linear)");
                    }
                    String p = pre + "[" + row + ", " + q + "]";
                    String l = up + "[" + row + ", " + q + "]";
                    double[] out = switch (variant) {
                        case "relu" -> apply(ACTIVATIONS.get(2).f(), g, u);
                        case "no-up" -> apply(act.f(), g, null);
                        case "swapped" -> apply(act.f(), u, g);
                        default -> toDouble(postValue.values());
                    };
                    TensorData value = AttentionProbes.tensor("mlp-activation", new long[] {g.length}, out);
                    String reference = variant.equals("as-computed") ? References.firstMatching(ctx, List.of(
                            gated ? "(" + act.writer().apply(p) + ") * " + l : act.writer().apply(p), post + "[" + row + ", " + q + "]"),
                            value) : null;
                    String how = switch (variant) {
                        case "relu" -> "ReLU in place of " + act.name();
                        case "no-up" -> act.name() + " of the gate alone, without multiplying by the up branch";
                        case "swapped" -> act.name() + " of the up branch, times the gate";
                        default -> gated ? act.name() + " of the gate (mlp.hook_pre), times the up branch"
                                + " (mlp.hook_pre_linear)" : act.name() + " of mlp.hook_pre";
                    };
                    return new Probe.Evaluation(new Answer.Tensor(value, reference), "The model's MLP is "
                            + (gated ? "gated, with " : "") + act.name() + "; " + how + (reference == null ? ""
                            : ": `" + reference + "`") + " = " + Numbers.tensor(value.shape(), value.values(), 3) + ".");
                });
    }

    private static double[] apply(DoubleUnaryOperator f, float[] x, float[] times) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]) * (times == null ? 1 : times[i]);
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static Probe promptTokenLogits() {
        return Probe.of("prompt-token-logits", "the logits one position gives each token of the prompt ([T]: entry j is"
                        + " the logit of the token at position j); the no-final-norm variant skips ln_final (the"
                        + " unnormalized last residual stream times the tied embedding)",
                List.of(AttentionProbes.QUERY, AttentionProbes.ROW, Param.choice("variant", false,
                        "as-computed (the default) or no-final-norm", List.of("as-computed", "no-final-norm"))),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    Capabilities c = ctx.capabilities();
                    if (c.readsSource() || !c.generates()) {
                        throw new ProbeException(null, "prompt-token-logits reads a decoder's logits; " + ctx.name()
                                + " is not a single-stack decoder");
                    }
                    int row = call.integer("row", 0);
                    long[] ids = ctx.queryTokens(row, null);
                    int q = call.integer("query");
                    if (q < 0 || q >= ids.length) {
                        throw new ProbeException("query", "position " + q + " does not exist: the pass has " + ids.length
                                + " positions");
                    }
                    boolean noNorm = call.string("variant", "as-computed").equals("no-final-norm");
                    String embed = HookName.Model.EMBED.id;
                    String last = HookName.Block.RESID_POST.at(c.outputStack().layers() - 1);
                    String normed = HookName.Model.LN_FINAL_NORMALIZED.id;
                    double[] out = new double[ids.length];
                    if (noNorm) {
                        TensorData e = ctx.read(embed, null);
                        float[] h = ctx.read(last, null).row(row, q);
                        for (int j = 0; j < ids.length; j++) {
                            float[] w = e.row(row, j);
                            double dot = 0;
                            for (int i = 0; i < w.length; i++) {
                                dot += w[i] * (double) h[i];
                            }
                            out[j] = dot;
                        }
                    } else {
                        float[] logits = ctx.read(HookName.Model.LOGITS.id, null).row(row, q);
                        for (int j = 0; j < ids.length; j++) {
                            out[j] = logits[(int) ids[j]];
                        }
                    }
                    TensorData value = AttentionProbes.tensor("prompt-token-logits", new long[] {ids.length}, out);
                    String reference = noNorm ? null : References.firstMatching(ctx,
                            List.of(embed + "[" + row + "] @ " + normed + "[" + row + ", " + q + "]"), value);
                    return new Probe.Evaluation(new Answer.Tensor(value, reference), "Entry j is hook_logits[" + row
                            + ", " + q + ", token j]" + (noNorm ? ", computed here from " + last + " without the final"
                            + " norm" : "") + (reference == null ? "" : "; with tied embeddings the unembedding of token"
                            + " j is its embedding, so `" + reference + "` computes it") + ": "
                            + Numbers.tensor(value.shape(), value.values(), 2) + ".");
                });
    }
}
