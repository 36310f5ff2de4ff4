package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small literal tensors, with values easy to work out by hand, and the scope that holds them. */
final class Literals {

    static final float NEG_INF = Float.NEGATIVE_INFINITY;
    static final float LN3 = (float) Math.log(3);

    private Literals() {
    }

    static TensorData t(long[] shape, float... values) {
        return new TensorData("literal", shape, values);
    }

    static long[] s(long... shape) {
        return shape;
    }

    /** 0, 1, ..., n-1 in the given shape. */
    static TensorData arange(long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return t(shape, v);
    }

    /**
     * a [2, 3] = [[1, 2, 3], [4, 5, 6]]; b [3] = [10, 20, 30]; c [2, 1] = [[1], [2]]; m [2, 2] = [[1, 2], [3, 4]];
     * v [2] = [3, -4]; t [2, 3, 4] = 0..23; a hook of scores [1, 1, 2, 2] = [[0, -inf], [0, ln 3]], and a T5-style
     * cross-attention pattern [1, 2, 1, 3]; constants d_model 4, d_head 4.
     */
    static Scope scope() {
        Map<String, TensorData> m = new LinkedHashMap<>();
        m.put("a", t(s(2, 3), 1, 2, 3, 4, 5, 6));
        m.put("b", t(s(3), 10, 20, 30));
        m.put("c", t(s(2, 1), 1, 2));
        m.put("m", t(s(2, 2), 1, 2, 3, 4));
        m.put("v", t(s(2), 3, -4));
        m.put("t", arange(2, 3, 4));
        m.put("blocks.0.attn.hook_attn_scores", t(s(1, 1, 2, 2), 0, NEG_INF, 0, LN3));
        m.put("blocks.0.attn.hook_pattern", t(s(1, 1, 2, 2), 1, 0, 0.25f, 0.75f));
        m.put("decoder.blocks.1.cross_attn.hook_pattern", t(s(1, 2, 1, 3), 0.5f, 0.25f, 0.25f, 0.1f, 0.2f, 0.7f));
        return Scope.of(m).withConstant("d_model", 4).withConstant("d_head", 4);
    }
}
