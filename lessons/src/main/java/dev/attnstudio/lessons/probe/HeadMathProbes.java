package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;

/**
 * One head's matrix products, for compute exercises whose worked solution should show the product rather than the
 * step that stores its result: the raw score table {@code q @ k.T} ([T, K]), the masked scores {@code scaled + mask}
 * ([T, K]) and the head's output {@code pattern @ v} ([T, h]). A query head j of a model with grouped keys reads key head j / (H / Hkv). The answer is
 * the model's own step (attn.hook_qk_raw, attn.hook_z); the reference is the product, checked to reproduce it.
 */
final class HeadMathProbes {

    private HeadMathProbes() {
    }

    static List<Probe> all() {
        return List.of(headScores(), maskedScores(), headOutput());
    }

    private static final List<Param> PARAMS = List.of(AttentionProbes.LAYER, AttentionProbes.HEAD, AttentionProbes.STACK,
            AttentionProbes.ROW);

    private static Probe headScores() {
        return Probe.of("head-scores", "one head's raw score table [T, K], every query's dot product with every key (the"
                        + " head's slice of attn.hook_qk_raw); its worked solution is q @ k.T; for the prompt's pass",
                PARAMS, call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    Slice s = Slice.of(ctx, call);
                    String q = s.layer.hook(HookName.Block.Q);
                    String k = s.layer.hook(HookName.Block.K);
                    String rotQ = s.layer.hook(HookName.Block.ROT_Q);
                    String rotK = s.layer.hook(HookName.Block.ROT_K);
                    List<String> candidates = new ArrayList<>();
                    for (String[] qk : List.of(new String[] {rotQ, rotK}, new String[] {q, k})) {
                        candidates.add(qk[0] + "[" + s.row + ", :, " + s.head + "] @ " + qk[1] + "[" + s.row + ", :, "
                                + s.kvHead(ctx, k) + "].T");
                    }
                    return s.evaluation(ctx, HookName.Block.QK_RAW, candidates, "raw scores (q . k)");
                });
    }

    private static Probe maskedScores() {
        return Probe.of("masked-scores", "one head's scaled scores with the mask added [T, K], -inf where a key is blocked"
                        + " (the head's slice of attn.hook_attn_scores); its worked solution is scaled + mask",
                PARAMS, call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    Slice s = Slice.of(ctx, call);
                    String mask = s.layer.hook(HookName.Block.MASK);
                    long maskRows = ctx.read(mask, null).shape()[0];
                    List<String> candidates = List.of(s.layer.hook(HookName.Block.ATTN_SCORES_UNMASKED) + "[" + s.row + ", "
                            + s.head + "] + " + mask + "[" + (maskRows == 1 ? 0 : s.row) + ", 0]");
                    return s.evaluation(ctx, HookName.Block.ATTN_SCORES, candidates, "masked scores (scaled + mask)");
                });
    }

    private static Probe headOutput() {
        return Probe.of("head-output", "one head's output [T, h], each query's weighted mix of the values (the head's"
                        + " slice of attn.hook_z); its worked solution is pattern @ v; for the prompt's pass",
                PARAMS, call -> AnswerKind.TENSOR,
                (call, ctx) -> {
                    Slice s = Slice.of(ctx, call);
                    String v = s.layer.hook(HookName.Block.V);
                    String pattern = s.layer.hook(HookName.Block.PATTERN);
                    List<String> candidates = List.of(pattern + "[" + s.row + ", " + s.head + "] @ " + v + "[" + s.row
                            + ", :, " + s.kvHead(ctx, v) + "]");
                    return s.evaluation(ctx, HookName.Block.Z, candidates, "output (weights @ values)");
                });
    }

    /** The layer, batch row and head a call names. */
    private record Slice(AttentionLayer layer, int row, int head) {

        static Slice of(EngineContext ctx, ProbeCall call) {
            AttentionLayer layer = Sites.layer(ctx.capabilities(), call.string("stack", null), call.integer("layer"),
                    ctx.name());
            int head = call.integer("head");
            Sites.checkHead(ctx.capabilities(), head, ctx.name());
            return new Slice(layer, call.integer("row", 0), head);
        }

        /** The key/value head this query head reads: head / (H / Hkv). */
        int kvHead(EngineContext ctx, String kvHook) {
            long kvHeads = ctx.read(kvHook, null).shape()[2];
            long heads = ctx.capabilities().heads();
            return (int) (head / (heads / kvHeads));
        }

        Probe.Evaluation evaluation(EngineContext ctx, HookName.Block step, List<String> candidates, String what) {
            String hook = layer.hook(step);
            TensorData whole = ctx.read(hook, null);
            if (row < 0 || row >= whole.shape()[0]) {
                throw new ProbeException("row", "row " + row + " does not exist: " + hook + " is " + whole.shapeString());
            }
            String index = step == HookName.Block.Z ? row + ", :, " + head : row + ", " + head;
            TensorData value = Expression.parse(hook + "[" + index + "]").evaluate(ctx.scope());
            String ref = References.firstMatching(ctx, candidates, value);
            return new Probe.Evaluation(new Answer.Tensor(value, ref), "Head " + layer.name() + "." + head + "'s " + what
                    + (ref == null ? "" : ", `" + ref + "`") + ": " + Numbers.tensor(value.shape(), value.values(), 3) + ".");
        }
    }
}
