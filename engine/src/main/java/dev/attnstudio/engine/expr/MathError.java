package dev.attnstudio.engine.expr;

/**
 * A failure inside a tensor kernel, which knows no source positions. The evaluator turns it into an
 * {@link ExpressionException} at the node that ran the kernel, or at one of its operands.
 */
final class MathError extends RuntimeException {

    /** Which operand (argument, index item) is at fault, or -1 for the operation as a whole. */
    final int operand;

    MathError(String message) {
        this(message, -1);
    }

    MathError(String message, int operand) {
        super(message, null, false, false);
        this.operand = operand;
    }
}
