package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * The functions an expression may call, each with its parameters and a one-line description: the table that
 * {@link Expression}'s documentation lists and that {@link Arguments} binds calls against.
 */
final class Functions {

    /** What a parameter accepts. */
    enum Kind {
        /** Any tensor. */
        TENSOR,
        /** An axis number, negative from the end. */
        DIM,
        /** true or false (1 or 0). */
        FLAG,
        /** A single number. */
        NUMBER,
        /** The rest of the positional arguments: whole numbers, or one 1-D tensor of them. */
        SIZES
    }

    /**
     * @param name     the keyword that names it
     * @param required whether a call must give it
     * @param fallback its value when not given (NaN: "every axis" for an optional dim)
     * @param shown    how the default is written in the signature
     */
    record Param(String name, Kind kind, boolean required, double fallback, String shown) {
    }

    /** Computes a call whose arguments are bound. Kernel failures are {@link MathError}s. */
    interface Impl {
        TensorData apply(Arguments args);
    }

    record Spec(String name, List<Param> params, String summary, Impl impl) {

        /** e.g. {@code softmax(x, dim=-1)}. */
        String signature() {
            List<String> parts = new ArrayList<>();
            for (Param p : params) {
                parts.add(p.kind() == Kind.SIZES ? "*sizes" : p.required() ? p.name() : p.name() + "=" + p.shown());
            }
            return name + "(" + String.join(", ", parts) + ")";
        }

        /** The line the documentation and the UI's help show. */
        String doc() {
            return signature() + ": " + summary;
        }
    }

    private static final double GELU_C = Math.sqrt(2 / Math.PI);
    private static final Param X = new Param("x", Kind.TENSOR, true, 0, "");
    private static final Param DIM_LAST = new Param("dim", Kind.DIM, false, -1, "-1");
    private static final Param DIM_ALL = new Param("dim", Kind.DIM, false, Double.NaN, "all");
    private static final Param KEEPDIM = new Param("keepdim", Kind.FLAG, false, 0, "false");
    private static final Param EPS = new Param("eps", Kind.NUMBER, false, 1e-5, "1e-5");

    private static final Map<String, Spec> TABLE = new LinkedHashMap<>();

    static {
        add("softmax", "exp(x) / sum(exp(x)) along dim, in double; a row of only -inf gives NaN",
                List.of(X, DIM_LAST), a -> Reductions.softmax(a.tensor("x"), a.axis("dim"), false));
        add("log_softmax", "x - log(sum(exp(x))) along dim, in double",
                List.of(X, DIM_LAST), a -> Reductions.softmax(a.tensor("x"), a.axis("dim"), true));
        elementwise("exp", "e to the power x", Math::exp);
        elementwise("log", "natural logarithm; log(0) is -inf, log of a negative is NaN", Math::log);
        elementwise("sqrt", "square root; of a negative is NaN", Math::sqrt);
        elementwise("abs", "absolute value", Math::abs);
        elementwise("tanh", "hyperbolic tangent", Math::tanh);
        elementwise("relu", "max(x, 0)", v -> Math.max(v, 0));
        elementwise("gelu", "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's tanh form",
                v -> 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v))));
        reduction("sum", "sum along dim, or of every value", Reductions.Kind.SUM);
        reduction("mean", "mean along dim, or of every value", Reductions.Kind.MEAN);
        reduction("var", "population variance (divides by n, as layer_norm does; torch.var divides by n-1)",
                Reductions.Kind.VAR);
        reduction("max", "largest value along dim (the values, not the indices), or of every value",
                Reductions.Kind.MAX);
        reduction("min", "smallest value along dim, or of every value", Reductions.Kind.MIN);
        reduction("argmax", "position of the largest value along dim; with no dim, its flat position",
                Reductions.Kind.ARGMAX);
        add("transpose", "swaps two axes; transpose(x) is x.T",
                List.of(X, new Param("dim0", Kind.DIM, false, -2, "-2"), new Param("dim1", Kind.DIM, false, -1, "-1")),
                a -> Layout.transpose(a.tensor("x"), a.axis("dim0"), a.axis("dim1")));
        add("reshape", "the same values in a new shape; one size may be -1; the sizes may be one shape(...)",
                List.of(X, new Param("sizes", Kind.SIZES, true, 0, "")), Functions::reshape);
        add("shape", "the sizes of x's axes as a 1-D tensor", List.of(X), a -> shape(a.tensor("x")));
        add("layer_norm", "(x - mean) / sqrt(var + eps) over the last axis, without gain or bias",
                List.of(X, EPS), a -> Reductions.layerNorm(a.tensor("x"), a.number("eps")));
        add("rms_norm", "x / sqrt(mean(x^2) + eps) over the last axis, without gain",
                List.of(X, EPS), a -> Reductions.rmsNorm(a.tensor("x"), a.number("eps")));
    }

    private Functions() {
    }

    /** The function of that name, or null. */
    static Spec find(String name) {
        return TABLE.get(name);
    }

    static Set<String> names() {
        return Collections.unmodifiableSet(TABLE.keySet());
    }

    /** One line per function, in the documented order. */
    static List<String> docs() {
        return TABLE.values().stream().map(Spec::doc).toList();
    }

    private static void add(String name, String summary, List<Param> params, Impl impl) {
        TABLE.put(name, new Spec(name, params, summary, impl));
    }

    private static void elementwise(String name, String summary, DoubleUnaryOperator f) {
        add(name, summary, List.of(X), a -> Broadcast.map(a.tensor("x"), f));
    }

    private static void reduction(String name, String summary, Reductions.Kind kind) {
        add(name, summary, List.of(X, DIM_ALL, KEEPDIM),
                a -> Reductions.reduce(a.tensor("x"), kind, a.axisOrAll("dim"), a.flag("keepdim")));
    }

    private static TensorData reshape(Arguments a) {
        TensorData x = a.tensor("x");
        long[] sizes = a.sizes();
        try {
            return Layout.reshape(x, sizes);
        } catch (MathError e) {
            throw a.sizeError(e);
        }
    }

    private static TensorData shape(TensorData x) {
        float[] v = new float[x.rank()];
        for (int d = 0; d < v.length; d++) {
            v[d] = x.shape()[d];
        }
        return Shapes.tensor(new long[] {v.length}, v);
    }
}
