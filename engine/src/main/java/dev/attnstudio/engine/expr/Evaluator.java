package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.expr.Node.BinaryOp;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a syntax tree and computes its tensor. Kernel failures ({@link MathError}) become
 * {@link ExpressionException}s at the node that ran the kernel, or at the operand the kernel names.
 */
final class Evaluator {

    private final String source;
    private final Scope scope;
    /** The value arrays read from the scope: a result that is one of them (e.g. {@code reshape(x, ...)}) shares it. */
    private final Set<float[]> inputs = Collections.newSetFromMap(new IdentityHashMap<>());

    Evaluator(String source, Scope scope) {
        this.source = source;
        this.scope = scope;
    }

    String source() {
        return source;
    }

    /** Whether an array came from the scope as is, so that a result holding it must be copied before it is handed out. */
    boolean isInput(float[] values) {
        return inputs.contains(values);
    }

    TensorData eval(Node node) {
        if (node instanceof Node.Num n) {
            return Shapes.scalar(n.value());
        } else if (node instanceof Node.Name n) {
            return name(n);
        } else if (node instanceof Node.Negate n) {
            TensorData x = eval(n.operand());
            return n.minus() ? Broadcast.map(x, v -> -v) : x;
        } else if (node instanceof Node.Binary b) {
            return binary(b);
        } else if (node instanceof Node.Call c) {
            return call(c);
        } else if (node instanceof Node.Index i) {
            return index(i);
        } else if (node instanceof Node.Transpose t) {
            TensorData x = eval(t.target());
            return x.rank() < 2 ? x : Layout.transpose(x, x.rank() - 2, x.rank() - 1);
        }
        throw new IllegalStateException("no evaluation for " + node);
    }

    private TensorData name(Node.Name n) {
        String name = n.name();
        if (!name.contains(".")) {
            Double c = scope.constants().get(name);
            if (c != null) {
                return Shapes.scalar(c);
            }
        }
        TensorData t;
        try {
            t = scope.tensor(name);
        } catch (RuntimeException e) {
            throw error(n, e.getMessage() == null ? name + " cannot be read: " + e : e.getMessage());
        }
        if (t == null) {
            throw error(n, unknownName(name));
        }
        long expected = 1;
        for (long s : t.shape()) {
            expected *= s;
        }
        if (expected != t.values().length) {
            throw error(n, name + " holds " + t.values().length + " values but its shape " + Shapes.show(t.shape())
                    + " needs " + expected);
        }
        inputs.add(t.values());
        return t;
    }

    private String unknownName(String name) {
        Functions.Spec f = Functions.find(name);
        if (f != null) {
            return name + " is a function: call it, as in " + f.signature();
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0 && scope.knows(name.substring(0, dot))) {
            String base = name.substring(0, dot);
            return "'" + name.substring(dot + 1) + "' is not an attribute of " + base + ": only .T is"
                    + " (for the sizes write shape(" + base + "))";
        }
        Set<String> candidates = new LinkedHashSet<>(scope.tensorNames());
        candidates.addAll(scope.constants().keySet());
        boolean hook = name.contains(".") || name.startsWith("hook_");
        String hint = Suggestions.didYouMean(name, candidates);
        return "unknown " + (hook ? "hook" : "name") + " '" + name + "'"
                + (hint.isEmpty() ? ": no hook or constant has a similar name" : hint);
    }

    private TensorData binary(Node.Binary b) {
        TensorData left = eval(b.left());
        TensorData right = eval(b.right());
        try {
            return switch (b.op()) {
                case ADD -> Broadcast.apply(left, right, Double::sum);
                case SUB -> Broadcast.apply(left, right, (x, y) -> x - y);
                case MUL -> Broadcast.apply(left, right, (x, y) -> x * y);
                case DIV -> Broadcast.apply(left, right, (x, y) -> x / y);
                case POW -> Broadcast.apply(left, right, Math::pow);
                case MATMUL -> MatMul.apply(left, right);
            };
        } catch (MathError e) {
            String prefix = b.op() == BinaryOp.MATMUL ? "" : "cannot apply '" + b.op().symbol + "': ";
            throw error(b, prefix + e.getMessage());
        }
    }

    private TensorData call(Node.Call c) {
        Functions.Spec spec = Functions.find(c.function());
        if (spec == null) {
            throw error(c, unknownFunction(c.function()));
        }
        Arguments args = new Arguments(spec, c, this);
        try {
            return spec.impl().apply(args);
        } catch (MathError e) {
            throw error(c, e.getMessage());
        }
    }

    private String unknownFunction(String name) {
        if (scope.constants().containsKey(name)) {
            return name + " is a number, not a function";
        }
        if (name.contains(".") && scope.knows(name)) {
            return name + " is a hook, not a function; index it with [...]";
        }
        String hint = Suggestions.didYouMean(name, Functions.names());
        return "unknown function '" + name + "'" + (hint.isEmpty()
                ? "; the functions are " + String.join(", ", Functions.names()) : hint);
    }

    private TensorData index(Node.Index ix) {
        TensorData target = eval(ix.target());
        List<Node.Item> items = ix.items();
        List<Indexing.Part> parts = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Node.Item item = items.get(i);
            if (item instanceof Node.At at) {
                parts.add(new Indexing.Pick(position(at.index()), i));
            } else if (item instanceof Node.Slice s) {
                parts.add(new Indexing.Range(bound(s.start()), bound(s.stop()), bound(s.step()), i));
            } else {
                parts.add(new Indexing.Rest(i));
            }
        }
        try {
            return Indexing.select(target, parts);
        } catch (MathError e) {
            Node.Item at = items.get(e.operand);
            throw new ExpressionException(source, at.pos(), at.len(), e.getMessage());
        }
    }

    private Long bound(Node node) {
        return node == null ? null : position(node);
    }

    /** An index or slice bound: a single whole number. */
    private long position(Node node) {
        TensorData v = eval(node);
        if (v.rank() != 0) {
            throw errorOver(node, "an index must be a single number, not a tensor of shape " + Shapes.show(v.shape()));
        }
        double d = v.values()[0];
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw errorOver(node, "an index must be a whole number, not " + v.values()[0]);
        }
        return (long) d;
    }

    /** An error under a node's own span: the operator of an operation, the name of a call, a literal or name. */
    private ExpressionException error(Node node, String message) {
        return new ExpressionException(source, node.pos(), node.len(), message);
    }

    /** An error under the whole sub-expression. */
    private ExpressionException errorOver(Node node, String message) {
        return new ExpressionException(source, node.from(), node.to() - node.from(), message);
    }

    /** Every hook and constant name a tree reads, in order of appearance. */
    static Collection<String> names(Node node) {
        Set<String> out = new LinkedHashSet<>();
        collect(node, out);
        return out;
    }

    private static void collect(Node node, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node instanceof Node.Name n) {
            out.add(n.name());
        } else if (node instanceof Node.Negate n) {
            collect(n.operand(), out);
        } else if (node instanceof Node.Binary b) {
            collect(b.left(), out);
            collect(b.right(), out);
        } else if (node instanceof Node.Call c) {
            c.args().forEach(a -> collect(a, out));
            c.keywords().forEach(k -> collect(k.value(), out));
        } else if (node instanceof Node.Index i) {
            collect(i.target(), out);
            for (Node.Item item : i.items()) {
                if (item instanceof Node.At at) {
                    collect(at.index(), out);
                } else if (item instanceof Node.Slice s) {
                    collect(s.start(), out);
                    collect(s.stop(), out);
                    collect(s.step(), out);
                }
            }
        } else if (node instanceof Node.Transpose t) {
            collect(t.target(), out);
        }
    }
}
