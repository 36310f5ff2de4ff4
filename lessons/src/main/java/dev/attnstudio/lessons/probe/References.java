package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.expr.Comparison;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;

/**
 * Reference expressions for tensor answers: a way a student could compute the tensor from hooks, shown in the worked
 * solution. Candidates are tried in order and the first that the engine's evaluator finds equal to the answer (within
 * ARENA's tolerance) on this trace is kept, so a reference is never shown that would not be accepted.
 */
final class References {

    private References() {
    }

    /**
     * An expression for one head's weights (its whole map, or one query's row) as the variant computes them, or null
     * when no candidate reproduces them.
     */
    static String weights(EngineContext ctx, AttentionMap m, Integer query, Variant v, TensorData expected) {
        String idx = m.row + ", " + m.head + (query == null ? "" : ", " + query);
        long maskRows = ctx.read(m.layer.hook(HookName.Block.MASK), null).shape()[0];
        long maskQueries = ctx.read(m.layer.hook(HookName.Block.MASK), null).shape()[2];
        String maskIdx = (maskRows == 1 ? 0 : m.row) + ", 0" + (query == null ? "" : ", " + (maskQueries == 1 ? 0 : query));
        String raw = m.layer.hook(HookName.Block.QK_RAW) + "[" + idx + "]";
        String mask = m.layer.hook(HookName.Block.MASK) + "[" + maskIdx + "]";
        String unmasked = m.layer.hook(HookName.Block.ATTN_SCORES_UNMASKED) + "[" + idx + "]";
        String scores = m.layer.hook(HookName.Block.ATTN_SCORES) + "[" + m.row + ", " + m.head + "]";
        String bias = "";
        if (!m.layer.site().cross() && m.layer.site().stack().id() != null) {
            bias = " + " + m.layer.site().stack().id().at(HookName.Model.POSITION_BIAS) + "[0, " + m.head
                    + (query == null ? "" : ", " + query) + "]";
        }
        List<String> candidates = new ArrayList<>();
        switch (v) {
            case AS_COMPUTED -> {
                candidates.add("softmax(" + raw + " / sqrt(d_head)" + bias + " + " + mask + ", dim=-1)");
                candidates.add("softmax(" + raw + bias + " + " + mask + ", dim=-1)");
                candidates.add("softmax(" + unmasked + " + " + mask + ", dim=-1)");
                candidates.add("softmax(" + m.layer.hook(HookName.Block.ATTN_SCORES) + "[" + idx + "], dim=-1)");
                candidates.add(m.layer.hook(HookName.Block.PATTERN) + "[" + idx + "]");
            }
            case SCALED_BY_D_MODEL -> candidates.add("softmax(" + raw + " / sqrt(d_model)" + bias + " + " + mask + ", dim=-1)");
            case UNSCALED -> candidates.add("softmax(" + raw + bias + " + " + mask + ", dim=-1)");
            case SOFTMAX_OVER_QUERIES -> candidates.add("softmax(" + scores + ", dim=-2)" + (query == null ? "" : "[" + query + "]"));
            case MASK_AFTER_SOFTMAX -> candidates.add("softmax(" + unmasked + ", dim=-1) * exp(" + mask + ")");
            default -> candidates.add("softmax(" + unmasked + " + " + mask + ", dim=-1)");
        }
        return firstMatching(ctx, candidates, expected);
    }

    /** The first candidate that evaluates to {@code expected} within ARENA's tolerance here, or null. */
    static String firstMatching(EngineContext ctx, List<String> candidates, TensorData expected) {
        for (String c : candidates) {
            try {
                TensorData got = Expression.parse(c).evaluate(ctx.scope());
                if (Comparison.of(got, expected).allClose()) {
                    return c;
                }
            } catch (RuntimeException e) {
                // a candidate that does not apply to this model or pass (no position bias, a step not computed)
            }
        }
        return null;
    }
}
