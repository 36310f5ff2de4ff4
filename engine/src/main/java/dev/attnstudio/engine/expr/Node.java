package dev.attnstudio.engine.expr;

import java.util.List;

/**
 * The syntax tree of an expression. Every node knows the span of source it stands for ({@code pos}, {@code len}),
 * which is where an error about it is shown.
 */
sealed interface Node {

    /** Where errors about this node point: the operator of an operation, the name of a call, the literal itself. */
    int pos();

    int len();

    /** First character of the whole sub-expression (without enclosing parentheses). */
    default int from() {
        return pos();
    }

    /** One past the last character of the whole sub-expression. */
    default int to() {
        return pos() + len();
    }

    /** A number literal, or a word standing for one ({@code inf}, {@code nan}, {@code pi}, {@code true}, {@code false}). */
    record Num(double value, int pos, int len) implements Node {
    }

    /** A hook name or a named constant. */
    record Name(String name, int pos, int len) implements Node {
    }

    /** {@code -x} or {@code +x}; the span is the operator's. */
    record Negate(Node operand, boolean minus, int pos, int len) implements Node {
        @Override
        public int to() {
            return operand.to();
        }
    }

    /** {@code left op right}; the span is the operator's. */
    record Binary(BinaryOp op, Node left, Node right, int pos, int len) implements Node {
        @Override
        public int from() {
            return left.from();
        }

        @Override
        public int to() {
            return right.to();
        }
    }

    /** {@code f(args, key=value)}; the span is the function's name, {@code end} is one past its ')'. */
    record Call(String function, List<Node> args, List<Keyword> keywords, int pos, int len, int end) implements Node {
        @Override
        public int to() {
            return end;
        }
    }

    /** {@code key=value} inside a call; the span is the key. */
    record Keyword(String name, Node value, int pos, int len) {
    }

    /** {@code target[items]}; the span is the opening bracket, {@code end} is one past the closing one. */
    record Index(Node target, List<Item> items, int pos, int len, int end) implements Node {
        @Override
        public int from() {
            return target.from();
        }

        @Override
        public int to() {
            return end;
        }
    }

    /** {@code target.T}; the span is the {@code .T}. */
    record Transpose(Node target, int pos, int len) implements Node {
        @Override
        public int from() {
            return target.from();
        }
    }

    /** One comma-separated part of an index. */
    sealed interface Item {
        int pos();

        int len();
    }

    /** A single position: drops the axis. */
    record At(Node index) implements Item {
        @Override
        public int pos() {
            return index.from();
        }

        @Override
        public int len() {
            return index.to() - index.from();
        }
    }

    /** {@code start:stop:step}, each part optional (null); keeps the axis. The span runs from start to end of the slice. */
    record Slice(Node start, Node stop, Node step, int pos, int len) implements Item {
    }

    /** {@code ...}: as many whole axes as the other items leave. */
    record Ellipsis(int pos, int len) implements Item {
    }

    /** The infix operators, loosest first within {@link Parser}'s levels. */
    enum BinaryOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MATMUL("@"), POW("**");

        final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }
    }
}
