package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one call, bound to the function's parameters (positional first, then keywords) and converted on
 * request. Every refusal is an {@link ExpressionException} at the argument concerned, or at the function's name
 * when the argument is missing.
 */
final class Arguments {

    private final Functions.Spec spec;
    private final Node.Call call;
    private final Evaluator evaluator;
    private final Map<String, Node> bound = new HashMap<>();
    private final List<Node> sizes = new ArrayList<>();
    private final Map<Node, TensorData> values = new IdentityHashMap<>();

    Arguments(Functions.Spec spec, Node.Call call, Evaluator evaluator) {
        this.spec = spec;
        this.call = call;
        this.evaluator = evaluator;
        bind();
    }

    private void bind() {
        List<Functions.Param> params = spec.params();
        boolean variadic = params.get(params.size() - 1).kind() == Functions.Kind.SIZES;
        int fixed = variadic ? params.size() - 1 : params.size();
        List<Node> args = call.args();
        for (int i = 0; i < args.size(); i++) {
            if (i < fixed) {
                bound.put(params.get(i).name(), args.get(i));
            } else if (variadic) {
                sizes.add(args.get(i));
            } else {
                throw error(args.get(i), spec.name() + " takes at most " + fixed + (fixed == 1 ? " argument" : " arguments")
                        + " but got " + args.size() + ": " + spec.signature());
            }
        }
        for (Node.Keyword k : call.keywords()) {
            Functions.Param p = param(k.name());
            if (p == null || p.kind() == Functions.Kind.SIZES) {
                String hint = k.name().equals("axis") ? " (write dim=, as in PyTorch)" : "";
                throw new ExpressionException(evaluator.source(), k.pos(), k.len(), spec.name() + " has no argument '"
                        + k.name() + "'" + hint + "; it takes " + spec.signature());
            }
            if (bound.containsKey(p.name())) {
                throw new ExpressionException(evaluator.source(), k.pos(), k.len(), p.name() + " is given twice");
            }
            bound.put(p.name(), k.value());
        }
        for (Functions.Param p : params) {
            boolean given = p.kind() == Functions.Kind.SIZES ? !sizes.isEmpty() : bound.containsKey(p.name());
            if (p.required() && !given) {
                String what = p.kind() == Functions.Kind.SIZES ? "the new sizes" : "its argument " + p.name();
                throw new ExpressionException(evaluator.source(), call.pos(), call.to() - call.pos(),
                        spec.name() + " needs " + what + ": " + spec.signature());
            }
        }
    }

    TensorData tensor(String name) {
        return value(bound.get(name));
    }

    /** A dim parameter as an axis 0..rank-1 of the tensor x. */
    int axis(String name) {
        int rank = tensor("x").rank();
        Node node = bound.get(name);
        long dim = node == null ? (long) param(name).fallback() : whole(node, name);
        try {
            return Shapes.axis(dim, rank);
        } catch (MathError e) {
            throw node == null ? error(call, e.getMessage()) : error(node, e.getMessage());
        }
    }

    /** A dim parameter that may be left out: -1 then, meaning every axis at once. */
    int axisOrAll(String name) {
        return bound.containsKey(name) ? axis(name) : -1;
    }

    boolean flag(String name) {
        Node node = bound.get(name);
        if (node == null) {
            return param(name).fallback() != 0;
        }
        double v = single(node, name);
        if (v != 0 && v != 1) {
            throw error(node, name + " must be true or false");
        }
        return v == 1;
    }

    double number(String name) {
        Node node = bound.get(name);
        return node == null ? param(name).fallback() : single(node, name);
    }

    /** The variadic sizes: whole numbers, or a single 1-D tensor of them such as shape(y). */
    long[] sizes() {
        if (sizes.size() == 1 && value(sizes.get(0)).rank() == 1) {
            Node node = sizes.get(0);
            float[] v = value(node).values();
            long[] out = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] != Math.rint(v[i])) {
                    throw error(node, "sizes must be whole numbers, but this tensor holds " + v[i]);
                }
                out[i] = (long) v[i];
            }
            return out;
        }
        long[] out = new long[sizes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = whole(sizes.get(i), "a size");
        }
        return out;
    }

    /** A reshape failure at the size it names, or at the call. */
    ExpressionException sizeError(MathError e) {
        if (e.operand >= 0 && e.operand < sizes.size()) {
            return error(sizes.get(e.operand), e.getMessage());
        }
        return error(sizes.size() == 1 ? sizes.get(0) : call, e.getMessage());
    }

    private Functions.Param param(String name) {
        for (Functions.Param p : spec.params()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    private TensorData value(Node node) {
        TensorData v = values.get(node);
        if (v == null) {
            v = evaluator.eval(node);
            values.put(node, v);
        }
        return v;
    }

    private double single(Node node, String what) {
        TensorData v = value(node);
        if (v.rank() != 0) {
            throw error(node, what + " must be a single number, not a tensor of shape " + Shapes.show(v.shape()));
        }
        return v.values()[0];
    }

    private long whole(Node node, String what) {
        double v = single(node, what);
        if (v != Math.rint(v) || Double.isInfinite(v)) {
            throw error(node, what + " must be a whole number, not " + (float) v);
        }
        return (long) v;
    }

    private ExpressionException error(Node node, String message) {
        return new ExpressionException(evaluator.source(), node.from(), node.to() - node.from(), message);
    }
}
