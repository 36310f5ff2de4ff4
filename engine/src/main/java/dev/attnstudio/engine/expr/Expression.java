package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.List;
import java.util.Objects;

/**
 * A tensor expression over hook names, as a student types it in a lesson's "compute" exercise or a Watch panel:
 * {@code softmax(blocks.0.attn.hook_attn_scores[0, 2] / 2)}. Parsed once, evaluated against a {@link Scope} as often
 * as needed, in plain Java on {@link TensorData}: values are float32 as the engine's, sums, softmax and norms are
 * computed in double, and each result is rounded to float32.
 *
 * <pre>
 * Expression e = Expression.parse("softmax(blocks.0.attn.hook_qk_raw / sqrt(d_head), dim=-1)");
 * TensorData pattern = e.evaluate(Scope.of(stepper.group().trace()).withConstants(ModelConstants.of(config)));
 * </pre>
 *
 * <h2>Language</h2>
 * <ul>
 * <li>Numbers: {@code 2}, {@code 0.5}, {@code .5}, {@code 1e-5}; words {@code inf nan pi true false} (also
 *     {@code True False}).</li>
 * <li>Names: hook names, dotted with numeric parts ({@code blocks.0.attn.hook_q},
 *     {@code encoder.blocks.1.cross_attn.hook_pattern}, {@code hook_logits}); a name without dots is first looked up
 *     among the scope's constants ({@code d_head}).</li>
 * <li>Operators, loosest first: {@code + -}; {@code * / @}; unary {@code -}; {@code **} (right-associative, so
 *     {@code -2**2} is -4); then indexing and {@code .T}. {@code + - * / **} broadcast as NumPy does; division by
 *     zero gives inf or NaN, as NumPy does. {@code a @ b} is matmul over the last two axes, batched over the leading
 *     ones (a 1-D operand is a vector).</li>
 * <li>Indexing: {@code x[0, 2]}, {@code x[:, 1:3]}, {@code x[..., -1]}, {@code x[::-1]}: a position drops its axis,
 *     a slice keeps it, negative positions count from the end, slice bounds are clamped.</li>
 * <li>{@code x.T} swaps the last two axes (a tensor of rank below 2 is unchanged).</li>
 * <li>Calls: positional arguments, then keyword ones ({@code dim=-1}, {@code keepdim=true}). A dim is an axis,
 *     negative from the end; reductions without a dim reduce every value to one number.</li>
 * </ul>
 *
 * <h2>Functions</h2>
 * <pre>
 * softmax(x, dim=-1): exp(x) / sum(exp(x)) along dim, in double; a row of only -inf gives NaN
 * log_softmax(x, dim=-1): x - log(sum(exp(x))) along dim, in double
 * exp(x): e to the power x
 * log(x): natural logarithm; log(0) is -inf, log of a negative is NaN
 * sqrt(x): square root; of a negative is NaN
 * abs(x): absolute value
 * tanh(x): hyperbolic tangent
 * relu(x): max(x, 0)
 * gelu(x): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's tanh form
 * sum(x, dim=all, keepdim=false): sum along dim, or of every value
 * mean(x, dim=all, keepdim=false): mean along dim, or of every value
 * var(x, dim=all, keepdim=false): population variance (divides by n, as layer_norm does; torch.var divides by n-1)
 * max(x, dim=all, keepdim=false): largest value along dim (the values, not the indices), or of every value
 * min(x, dim=all, keepdim=false): smallest value along dim, or of every value
 * argmax(x, dim=all, keepdim=false): position of the largest value along dim; with no dim, its flat position
 * transpose(x, dim0=-2, dim1=-1): swaps two axes; transpose(x) is x.T
 * reshape(x, *sizes): the same values in a new shape; one size may be -1; the sizes may be one shape(...)
 * shape(x): the sizes of x's axes as a 1-D tensor
 * layer_norm(x, eps=1e-5): (x - mean) / sqrt(var + eps) over the last axis, without gain or bias
 * rms_norm(x, eps=1e-5): x / sqrt(mean(x^2) + eps) over the last axis, without gain
 * </pre>
 *
 * <p>Mistakes, in parsing or in evaluating, are {@link ExpressionException}s with a position and a message for the
 * student. Comparing a result with the true tensor is {@link Comparison}'s job.
 */
public final class Expression {

    private final String source;
    private final Node root;

    private Expression(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /**
     * Parses an expression.
     *
     * @throws ExpressionException for a syntax error
     */
    public static Expression parse(String source) {
        Objects.requireNonNull(source, "source");
        return new Expression(source, Parser.parse(source));
    }

    /** Parses and evaluates in one go. */
    public static TensorData evaluate(String source, Scope scope) {
        return parse(source).evaluate(scope);
    }

    /**
     * Computes the expression's tensor from the scope's tensors and constants. The result is named after the
     * expression's source and owns its arrays (it never shares one with a tensor of the scope).
     *
     * @throws ExpressionException for an unknown name, an index out of range, shapes that do not fit, ...
     */
    public TensorData evaluate(Scope scope) {
        Evaluator evaluator = new Evaluator(source, Objects.requireNonNull(scope, "scope"));
        TensorData r = evaluator.eval(root);
        float[] values = evaluator.isInput(r.values()) ? r.values().clone() : r.values();
        return new TensorData(source, r.shape().clone(), values);
    }

    /** The text this was parsed from. */
    public String source() {
        return source;
    }

    /** Every hook and constant name the expression reads, in order of first appearance (e.g. to know which steps it needs). */
    public List<String> names() {
        return List.copyOf(Evaluator.names(root));
    }

    /** One line per function ({@code softmax(x, dim=-1): ...}), as listed above, e.g. for a help panel. */
    public static List<String> functions() {
        return Functions.docs();
    }

    @Override
    public String toString() {
        return source;
    }
}
