package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.expr.ExpressionException;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.metrics.TokenLoss;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Probes of the pass's structure and of whole tensors: shapes, the order of steps, the KV cache, the loss, values. */
final class StructureProbes {

    /** Every block hook suffix, for {@code step-order}'s steps. */
    static final List<String> BLOCK_SUFFIXES = Arrays.stream(HookName.Block.values()).map(b -> b.suffix).toList();

    private StructureProbes() {
    }

    static List<Probe> all() {
        return List.of(hookShape(), stepOrder(), kvCacheBytes(), loss(), lossPositions(), hookValue(), layerNorm(),
                earlierCopy());
    }

    private static Probe hookShape() {
        return Probe.of("hook-shape", "the shape of a hook's tensor in the pass, e.g. [1, 4, 12, 12]",
                List.of(Param.required("hook", ParamType.HOOK, "a full hook name"), AttentionProbes.PASS),
                call -> AnswerKind.SHAPE,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    long[] shape;
                    try {
                        shape = ctx.read(hook, call.optionalInteger("pass")).shape();
                    } catch (ProbeException e) {
                        throw new ProbeException(e.param() == null ? "hook" : e.param(), e.getMessage(), e);
                    }
                    return new Probe.Evaluation(new Answer.Shape(shape), hook + " has shape " + Arrays.toString(shape)
                            + " (documented as " + HookName.documentedShape(hook) + ").");
                });
    }

    private static Probe stepOrder() {
        return Probe.of("step-order", "the order in which a block computes its steps (as hook suffixes such as"
                        + " attn.hook_pattern), read from the pass's program",
                List.of(AttentionProbes.LAYER,
                        Param.choice("part", false, "attention (default), cross-attention, mlp or block (every step)",
                                List.of("attention", "cross-attention", "mlp", "block")),
                        Param.names("steps", false, "only these steps (hook suffixes), in the program's order",
                                BLOCK_SUFFIXES),
                        AttentionProbes.STACK, AttentionProbes.PASS),
                call -> AnswerKind.ORDER,
                (call, ctx) -> {
                    AttentionLayer layer = Sites.layer(ctx.capabilities(), call.string("stack", null),
                            call.integer("layer"), ctx.name());
                    String prefix = layer.site().stack().id() == null ? "blocks." + layer.layer() + "."
                            : layer.site().stack().id().prefix + ".blocks." + layer.layer() + ".";
                    String part = call.string("part", "attention");
                    Program program = ctx.trace(call.optionalInteger("pass")).program();
                    List<String> order = new ArrayList<>();
                    for (Op op : program.ops()) {
                        if (op.name().startsWith(prefix) && inPart(op, part)) {
                            order.add(op.name().substring(prefix.length()));
                        }
                    }
                    List<String> wanted = call.names("steps", List.of());
                    if (!wanted.isEmpty()) {
                        for (String w : wanted) {
                            if (!order.contains(w)) {
                                throw new ProbeException("steps", "the " + part + " of " + layer.name() + " has no step "
                                        + w + "; its steps: " + String.join(", ", order));
                            }
                        }
                        order.retainAll(wanted);
                    }
                    if (order.size() < 2) {
                        throw new ProbeException(null, "the " + part + " of " + layer.name() + " has fewer than two"
                                + " steps to order");
                    }
                    return new Probe.Evaluation(new Answer.Order(order), "The program of this pass computes them in this"
                            + " order: " + String.join(" -> ", order) + ".");
                });
    }

    private static boolean inPart(Op op, String part) {
        return switch (part) {
            case "attention" -> op.site().subLayer() == Op.SubLayer.ATTENTION;
            case "cross-attention" -> op.site().subLayer() == Op.SubLayer.CROSS_ATTENTION;
            case "mlp" -> op.site().subLayer() == Op.SubLayer.MLP;
            default -> true;
        };
    }

    private static Probe kvCacheBytes() {
        return Probe.of("kv-cache-bytes", "bytes of keys and values the KV cache holds after the prompt and n greedily"
                        + " generated tokens (all layers, or one)",
                List.of(Param.required("tokens", ParamType.INT, "tokens generated after the prompt (0: the prompt alone)"),
                        Param.optional("layer", ParamType.LAYER, "one layer (default: all)")),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    if (!ctx.capabilities().generates()) {
                        throw new ProbeException(null, ctx.name() + " is an encoder: it has no KV cache");
                    }
                    int tokens = call.integer("tokens");
                    if (tokens < 0) {
                        throw new ProbeException("tokens", "tokens must be 0 or more");
                    }
                    Integer layer = call.optionalInteger("layer");
                    if (layer != null && (layer < 0 || layer >= ctx.capabilities().cacheLayers())) {
                        throw new ProbeException("layer", "layer " + layer + " is out of range: the cache of " + ctx.name()
                                + " has " + ctx.capabilities().cacheLayers() + " layers");
                    }
                    Stepper.Options options = Stepper.Options.DEFAULT.withCapture(Capture.OFF)
                            .withInterventions(ctx.stepper().interventions()).withCache(true);
                    long bytes;
                    int length;
                    try (Stepper run = new Stepper(ctx.model().model(), options)) {
                        run.reset(ctx.stepper().groups().get(0).inputs());
                        run.runToEnd();
                        Sampler greedy = new Sampler(SamplingConfig.GREEDY);
                        for (int i = 0; i < tokens; i++) {
                            run.generate(greedy);
                            run.runToEnd();
                        }
                        bytes = layer == null ? run.cache().bytes() : run.cache().bytes(layer);
                        length = run.cache().length();
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        throw new ProbeException("tokens", e.getMessage(), e);
                    }
                    int kv = ctx.capabilities().kvHeads();
                    int dh = ctx.capabilities().dHead();
                    return new Probe.Evaluation(new Answer.Number(bytes), "The cache holds keys and values for " + length
                            + " positions: 2 (K and V) x " + length + " positions x " + kv + " key/value heads x " + dh
                            + " x 4 bytes (float32)" + (layer == null ? " x " + ctx.capabilities().cacheLayers()
                            + " layers" : "") + " = " + bytes + " bytes.");
                });
    }

    private static Probe loss() {
        return Probe.of("loss", "the mean next-token loss of the prompt as the run reports it (counting padding if a"
                        + " bug says so), or over real targets only (intended-mask)",
                List.of(AttentionProbes.variant(Variant.MASKS)),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    if (!ctx.capabilities().generates()) {
                        throw new ProbeException(null, ctx.name() + " does not predict next tokens");
                    }
                    Stepper.Group prompt = ctx.stepper().groups().get(0);
                    if (!prompt.trace().complete()) {
                        throw new ProbeException(null, "the loss needs the prompt's whole pass: add {\"do\": \"run-to-end\"}");
                    }
                    TokenLoss reported = TokenLoss.of(ctx.stepper());
                    boolean real = Variant.of(call) == Variant.INTENDED_MASK;
                    double value = real ? TokenLoss.of(prompt.trace().read(HookName.Model.LOGITS.id),
                            prompt.inputs().ids(), prompt.inputs().attentionMask(), false).mean() : reported.mean();
                    return new Probe.Evaluation(new Answer.Number(value), "The mean of -log p(next token) over "
                            + (real ? "the real targets" : "the positions the run counts") + " is "
                            + Numbers.format(value) + " nats.");
                });
    }

    private static Probe lossPositions() {
        return Probe.of("loss-positions", "how many positions the prompt's mean loss averages over: as the run counts"
                        + " them (padding too, if a bug says so), or the real targets only (intended-mask)",
                List.of(AttentionProbes.variant(Variant.MASKS)),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    if (!ctx.capabilities().generates()) {
                        throw new ProbeException(null, ctx.name() + " does not predict next tokens");
                    }
                    Stepper.Group prompt = ctx.stepper().groups().get(0);
                    if (!prompt.trace().complete()) {
                        throw new ProbeException(null, "the loss needs the prompt's whole pass: add {\"do\": \"run-to-end\"}");
                    }
                    boolean real = Variant.of(call) == Variant.INTENDED_MASK;
                    TokenLoss loss = real ? TokenLoss.of(prompt.trace().read(HookName.Model.LOGITS.id),
                            prompt.inputs().ids(), prompt.inputs().attentionMask(), false) : TokenLoss.of(ctx.stepper());
                    int counted = 0;
                    int all = 0;
                    for (boolean[] row : loss.counted()) {
                        for (boolean c : row) {
                            counted += c ? 1 : 0;
                            all++;
                        }
                    }
                    return new Probe.Evaluation(new Answer.Number(counted), "Each row of " + (prompt.inputs().length())
                            + " tokens has " + (prompt.inputs().length() - 1) + " next-token targets, " + all
                            + " in the batch; the mean " + (real ? "over real targets" : "the run reports") + " counts "
                            + counted + " of them.");
                });
    }

    private static Probe hookValue() {
        return Probe.of("hook-value", "a hook's tensor, or part of it selected by an index as in an expression"
                        + " (\"0, 2\"); for compute exercises",
                List.of(Param.required("hook", ParamType.HOOK, "a full hook name"),
                        Param.optional("index", ParamType.INDEX, "an index such as 0, 2, : (default: the whole tensor)")),
                call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    String hook = call.string("hook", null);
                    Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
                    String index = call.string("index", null);
                    String text = index == null ? hook : hook + "[" + index + "]";
                    TensorData value;
                    try {
                        value = Expression.parse(text).evaluate(ctx.scope());
                    } catch (ExpressionException e) {
                        throw new ProbeException(index == null ? "hook" : "index", e.render());
                    } catch (IllegalStateException e) {
                        throw new ProbeException("hook", e.getMessage());
                    }
                    return new Probe.Evaluation(new Answer.Tensor(value, text), "`" + text + "` is "
                            + Numbers.tensor(value.shape(), value.values(), 3) + ".");
                });
    }

    private static Probe layerNorm() {
        return Probe.of("layer-norm", "(x - mean) / sqrt(var + eps) of one position of a hook, without gain or bias;"
                        + " the eps-outside-sqrt variant adds eps after the root",
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
                    double mean = 0;
                    for (float f : v) {
                        mean += f;
                    }
                    mean /= v.length;
                    double var = 0;
                    for (float f : v) {
                        var += (f - mean) * (f - mean);
                    }
                    var /= v.length;
                    boolean outside = Variant.of(call) == Variant.EPS_OUTSIDE_SQRT;
                    double denominator = outside ? Math.sqrt(var) + eps : Math.sqrt(var + eps);
                    double[] out = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                        out[i] = (v[i] - mean) / denominator;
                    }
                    TensorData t = AttentionProbes.tensor("layer-norm", new long[] {v.length}, out);
                    String reference = outside ? null : References.firstMatching(ctx,
                            List.of("layer_norm(" + hook + "[" + row + ", " + q + "], eps=eps)"), t);
                    return new Probe.Evaluation(new Answer.Tensor(t, reference), "mean " + Numbers.format(mean)
                            + ", variance " + Numbers.format(var, 6) + "; each value minus the mean, divided by "
                            + (outside ? "sqrt(var) + eps" : "sqrt(var + eps)") + " = " + Numbers.format(denominator, 6)
                            + ".");
                });
    }

    private static Probe earlierCopy() {
        return Probe.of("earlier-copy", "the most recent earlier position holding the same token as the query"
                        + " (shift 1: the position after it, where an induction head looks), as a cell",
                List.of(AttentionProbes.QUERY, Param.optional("shift", ParamType.INT, "added to the position (default 0)"),
                        AttentionProbes.ROW, AttentionProbes.PASS),
                call -> AnswerKind.CELL,
                (call, ctx) -> {
                    Integer pass = call.optionalInteger("pass");
                    long[] ids = ctx.queryTokens(call.integer("row", 0), pass);
                    int past = ctx.group(pass).past();
                    int q = call.integer("query");
                    if (q < 0 || q >= ids.length) {
                        throw new ProbeException("query", "query " + q + " does not exist: the pass has " + ids.length
                                + " queries");
                    }
                    int shift = call.integer("shift", 0);
                    long[] all = past == 0 ? ids : ctx.stepper().tokens();
                    int position = past + q;
                    for (int p = position - 1; p >= 0; p--) {
                        if (all[p] == all[position]) {
                            int key = p + shift;
                            if (key < 0 || key > position) {
                                throw new ProbeException("shift", "the shifted position " + key + " is not a key query "
                                        + q + " can see");
                            }
                            return new Probe.Evaluation(new Answer.Cell(q, key, position + 1, Double.NaN), "Query " + q
                                    + "'s token last appeared at position " + p + (shift == 0 ? "" : "; shifted by "
                                    + shift + ": key " + key) + ".");
                        }
                    }
                    throw new ProbeException("query", "the token at query " + q + " has no earlier copy in the prompt");
                });
    }
}
