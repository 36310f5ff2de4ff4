package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static dev.attnstudio.engine.expr.Literals.LN3;
import static dev.attnstudio.engine.expr.Literals.NEG_INF;
import static dev.attnstudio.engine.expr.Literals.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Expressions over {@link Literals}, each against its shape and values worked out by hand. */
class ExpressionValuesTest {

    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float NAN = Float.NaN;

    static Stream<Arguments> cases() {
        return Stream.of(
                // precedence and literals
                arguments("1 + 2 * 3", s(), new float[] {7}),
                arguments("(1 + 2) * 3", s(), new float[] {9}),
                arguments("-2 ** 2", s(), new float[] {-4}),
                arguments("2 ** -1", s(), new float[] {0.5f}),
                arguments("2 ** 3 ** 2", s(), new float[] {512}),
                arguments("10 - 4 - 3", s(), new float[] {3}),
                arguments("1e-5 * 1e5 + .5", s(), new float[] {1.5f}),
                arguments("true + True + pi - pi", s(), new float[] {2}),
                arguments("sqrt(d_head) * d_model", s(), new float[] {8}),
                // broadcasting
                arguments("a + b", s(2, 3), new float[] {11, 22, 33, 14, 25, 36}),
                arguments("a * c", s(2, 3), new float[] {1, 2, 3, 8, 10, 12}),
                arguments("c - b", s(2, 3), new float[] {-9, -19, -29, -8, -18, -28}),
                arguments("a / 2", s(2, 3), new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}),
                arguments("(v - v) / v", s(2), new float[] {0, -0f}),
                // division by zero as NumPy: inf and NaN, not an error
                arguments("b / 0", s(3), new float[] {INF, INF, INF}),
                arguments("-v / 0", s(2), new float[] {-INF, INF}),
                arguments("(v - v) / 0", s(2), new float[] {NAN, NAN}),
                // matmul
                arguments("m @ m", s(2, 2), new float[] {7, 10, 15, 22}),
                arguments("a @ b", s(2), new float[] {140, 320}),
                arguments("b @ b", s(), new float[] {1400}),
                arguments("a @ a.T", s(2, 2), new float[] {14, 32, 32, 77}),
                arguments("t @ transpose(t)", s(2, 3, 3), new float[] {
                        14, 38, 62, 38, 126, 214, 62, 214, 366,
                        734, 950, 1166, 950, 1230, 1510, 1166, 1510, 1854}),
                arguments("m @ t[0, :2, :2]", s(2, 2), new float[] {8, 11, 16, 23}),
                // indexing and slicing
                arguments("a.T", s(3, 2), new float[] {1, 4, 2, 5, 3, 6}),
                arguments("t[1, 2]", s(4), new float[] {20, 21, 22, 23}),
                arguments("t[:, 1:3, -1]", s(2, 2), new float[] {7, 11, 19, 23}),
                arguments("t[..., -1]", s(2, 3), new float[] {3, 7, 11, 15, 19, 23}),
                arguments("t[1, ...]", s(3, 4), new float[] {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}),
                arguments("t[0, ::-1, 0]", s(3), new float[] {8, 4, 0}),
                arguments("t[0, 1:100, 0]", s(2), new float[] {4, 8}),
                arguments("t[0, 3:, 0]", s(0), new float[] {}),
                arguments("t[-1, -1, -1]", s(), new float[] {23}),
                arguments("t[1][2][3] + t[1, 2, 1 + 2]", s(), new float[] {46}),
                arguments("t[0, 0, ::2]", s(2), new float[] {0, 2}),
                arguments("blocks.0.attn.hook_attn_scores[0, 0].T", s(2, 2), new float[] {0, 0, NEG_INF, LN3}),
                // reductions
                arguments("sum(a)", s(), new float[] {21}),
                arguments("sum(a, dim=0)", s(3), new float[] {5, 7, 9}),
                arguments("sum(a, dim=-1, keepdim=true)", s(2, 1), new float[] {6, 15}),
                arguments("mean(a, 1)", s(2), new float[] {2, 5}),
                arguments("var(a, dim=1)", s(2), new float[] {2 / 3f, 2 / 3f}),
                arguments("max(a, dim=0) - min(a)", s(3), new float[] {3, 4, 5}),
                arguments("argmax(v)", s(), new float[] {0}),
                arguments("argmax(t, dim=-1)", s(2, 3), new float[] {3, 3, 3, 3, 3, 3}),
                arguments("argmax(a)", s(), new float[] {5}),
                arguments("sum(decoder.blocks.1.cross_attn.hook_pattern, dim=-1)", s(1, 2, 1), new float[] {1, 1}),
                // functions
                arguments("softmax(b / 10)", s(3), new float[] {0.09003057f, 0.24472847f, 0.66524096f}),
                arguments("log_softmax(b / 10)", s(3), new float[] {-2.40760596f, -1.40760596f, -0.40760596f}),
                arguments("softmax(blocks.0.attn.hook_attn_scores, dim=-1)", s(1, 1, 2, 2), new float[] {1, 0, 0.25f, 0.75f}),
                arguments("softmax(m, dim=0)[0]", s(2), new float[] {0.11920292f, 0.11920292f}),
                arguments("abs(v) + relu(v)", s(2), new float[] {6, 4}),
                arguments("sqrt(sum(v ** 2))", s(), new float[] {5}),
                arguments("gelu(v)", s(2), new float[] {2.9963626f, -7.0245948e-05f}),
                arguments("tanh(0) + exp(0) + log(1)", s(), new float[] {1}),
                arguments("log(0)", s(), new float[] {-INF}),
                arguments("layer_norm(a)", s(2, 3), new float[] {-1.2247357f, 0, 1.2247357f, -1.2247357f, 0, 1.2247357f}),
                arguments("rms_norm(v, eps=0)", s(2), new float[] {0.84852814f, -1.1313709f}),
                arguments("reshape(t, 4, -1)[1]", s(6), new float[] {6, 7, 8, 9, 10, 11}),
                arguments("shape(reshape(t, shape(t.T)))", s(3), new float[] {2, 4, 3}),
                arguments("shape(t)", s(3), new float[] {2, 3, 4}),
                arguments("transpose(t, 0, 2)[3, 2, 1]", s(), new float[] {23}),
                arguments("shape(transpose(t, dim0=0, dim1=2))", s(3), new float[] {4, 3, 2}));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void evaluatesToTheHandWorkedValue(String source, long[] shape, float[] values) {
        TensorData r = Expression.evaluate(source, Literals.scope());
        assertArrayEquals(shape, r.shape(), () -> source + " has shape " + r.shapeString());
        assertArrayEquals(values, r.values(), 2e-7f * Math.max(1, max(values)), source);
    }

    @Test
    void aResultNeverSharesItsArrayWithTheScope() {
        Scope scope = Literals.scope();
        for (String source : new String[] {"a", "+a", "reshape(a, 6)", "b.T"}) {
            TensorData r = Expression.evaluate(source, scope);
            Arrays.fill(r.values(), 0f);
        }
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Expression.evaluate("a", scope).values());
        assertArrayEquals(new float[] {10, 20, 30}, Expression.evaluate("b", scope).values());
        assertEquals("softmax(b)", Expression.evaluate("softmax(b)", scope).name());
    }

    private static float max(float[] v) {
        float m = 0;
        for (float x : v) {
            if (Float.isFinite(x)) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }
}
