package dev.attnstudio.engine.expr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Bad expressions over {@link Literals} (a [2, 3], t [2, 3, 4], d_model, d_head, two attention hooks), each with
 * the message a student sees and the position it points at.
 */
class ExpressionErrorsTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // syntax
                arguments("", 0, "empty expression: type one, such as blocks.0.attn.hook_pattern"),
                arguments("   ", 0, "empty expression: type one, such as blocks.0.attn.hook_pattern"),
                arguments("softmax(a", 7, "'(' is never closed"),
                arguments("((a)", 0, "'(' is never closed"),
                arguments("a + 1)", 5, "')' has no matching '('"),
                arguments("t[0", 1, "'[' is never closed"),
                arguments("a b", 2, "unexpected 'b' after a complete expression (is an operator such as * missing?)"),
                arguments("a +", 3, "the expression ends too early: a number, a name or '(' should follow"),
                arguments("softmax(a,, 1)", 10, "expected a number, a name or '(' but found ','"),
                arguments("a[0 1]", 4, "expected ',' or ']' but found '1'"),
                arguments("a[]", 1, "empty index: write x[0], x[:, 1] or x[..., -1]"),
                arguments("a $ 1", 2, "unexpected character '$': '$' is not part of the expression language"),
                arguments("1e", 0, "malformed number '1e': an exponent needs digits, as in 1e-5"),
                arguments("2x", 0, "malformed number '2x': a name cannot start with a digit"),
                arguments("x = 3", 2, "'=' only names a keyword argument inside a call, e.g. softmax(x, dim=-1)"),
                arguments("a == a", 2, "comparisons such as '==' are not part of the language; "
                        + "'=' only names a keyword argument, e.g. dim=-1"),
                arguments("softmax(dim=-1, a)", 16, "a positional argument cannot follow a keyword argument"),
                arguments("sum(a, 1=2)", 8, "a keyword must be a plain name, as in dim=-1"),
                // names
                arguments("blocks.0.attn.hook_patern", 0, "unknown hook 'blocks.0.attn.hook_patern'; "
                        + "did you mean blocks.0.attn.hook_pattern?"),
                arguments("softmax(attn.hook_attn_scores)", 8, "unknown hook 'attn.hook_attn_scores'; "
                        + "did you mean blocks.0.attn.hook_attn_scores?"),
                arguments("d_modl * 2", 0, "unknown name 'd_modl'; did you mean d_model?"),
                arguments("zzz", 0, "unknown name 'zzz': no hook or constant has a similar name"),
                arguments("a.shape", 0, "'shape' is not an attribute of a: only .T is (for the sizes write shape(a))"),
                arguments("softmax", 0, "softmax is a function: call it, as in softmax(x, dim=-1)"),
                arguments("softmx(a)", 0, "unknown function 'softmx'; did you mean softmax?"),
                arguments("d_model(3)", 0, "d_model is a number, not a function"),
                // indexing
                arguments("softmax(t[0, 9])", 13, "index 9 is out of range for axis 1 of size 3 (use -3 to 2)"),
                arguments("t[-3]", 2, "index -3 is out of range for axis 0 of size 2 (use -2 to 1)"),
                arguments("a[0, :, 1]", 8, "too many indices: the tensor has rank 2 but the index has 3 parts"),
                arguments("a[1.5]", 2, "an index must be a whole number, not 1.5"),
                arguments("a[a]", 2, "an index must be a single number, not a tensor of shape [2, 3]"),
                arguments("a[::0]", 2, "a slice step cannot be 0"),
                arguments("t[..., 0, ...]", 10, "only one '...' is allowed in an index"),
                // shapes
                arguments("a + t", 2, "cannot apply '+': shapes [2, 3] and [2, 3, 4] do not broadcast: "
                        + "axis -1 has size 3 in one and 4 in the other"),
                arguments("a @ a", 2, "'@' needs the last axis of the left operand to match the second-to-last axis "
                        + "of the right: [2, 3] @ [2, 3] has 3 vs 2"),
                arguments("a @ 2", 2, "'@' multiplies matrices, but the right operand is a single number; use * to scale"),
                arguments("reshape(a, 4, 2)", 0, "cannot reshape [2, 3] (6 values) into [4, 2] (8 values)"),
                arguments("reshape(a, -1, -1)", 15, "only one size may be -1"),
                // calls
                arguments("softmax(a, -1, 2)", 15, "softmax takes at most 2 arguments but got 3: softmax(x, dim=-1)"),
                arguments("softmax()", 0, "softmax needs its argument x: softmax(x, dim=-1)"),
                arguments("reshape(a)", 0, "reshape needs the new sizes: reshape(x, *sizes)"),
                arguments("sum(a, axis=0)", 7, "sum has no argument 'axis' (write dim=, as in PyTorch); "
                        + "it takes sum(x, dim=all, keepdim=false)"),
                arguments("sum(a, dim=0, dim=1)", 14, "dim is given twice"),
                arguments("softmax(a, dim=2)", 15, "dim 2 is out of range for a tensor of rank 2 (use -2 to 1)"),
                arguments("sum(a, dim=0.5)", 11, "dim must be a whole number, not 0.5"),
                arguments("sum(a, keepdim=2)", 15, "keepdim must be true or false"),
                arguments("softmax(2)", 0, "dim -1 does not exist: the tensor is a single number (rank 0)"),
                arguments("max(t[0, 3:])", 0, "max of an empty axis has no value"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("cases")
    void reportsTheMistakeWhereItIs(String source, int position, String message) {
        ExpressionException e = assertThrows(ExpressionException.class, () -> Expression.evaluate(source, Literals.scope()),
                source);
        assertEquals(message, e.description(), source);
        assertEquals(position, e.position(), () -> e.render());
        assertEquals(source, e.source());
    }

    @Test
    void rendersACaretUnderTheMistake() {
        ExpressionException e = assertThrows(ExpressionException.class,
                () -> Expression.evaluate("softmax(t[0, 9])", Literals.scope()));
        assertEquals("softmax(t[0, 9])\n"
                + "             ^ index 9 is out of range for axis 1 of size 3 (use -3 to 2)", e.render());
        assertEquals("index 9 is out of range for axis 1 of size 3 (use -3 to 2) (at character 14)", e.getMessage());
    }

    @Test
    void underlinesTheWholeNameOrArgument() {
        ExpressionException name = assertThrows(ExpressionException.class,
                () -> Expression.evaluate("1 + hook_logit", Literals.scope()));
        assertEquals("1 + hook_logit\n    ^^^^^^^^^^ unknown hook 'hook_logit': no hook or constant has a similar name",
                name.render());
        ExpressionException arg = assertThrows(ExpressionException.class,
                () -> Expression.evaluate("sum(a, dim=1 + 0.5)", Literals.scope()));
        assertEquals(11, arg.position());
        assertEquals(7, arg.length());
    }

    @Test
    void aLookupThatThrowsIsShownAtTheName() {
        Scope scope = Scope.of(name -> {
            throw new IllegalStateException(name + " has not been computed yet: step further first");
        }, java.util.List.of("blocks.1.attn.hook_pattern"));
        ExpressionException e = assertThrows(ExpressionException.class,
                () -> Expression.evaluate("2 * blocks.1.attn.hook_pattern", scope));
        assertEquals(4, e.position());
        assertEquals("blocks.1.attn.hook_pattern has not been computed yet: step further first", e.description());
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "(".repeat(5000) + "1" + ")".repeat(5000);
        ExpressionException e = assertThrows(ExpressionException.class, () -> Expression.parse(deep));
        assertEquals("the expression nests more than 200 levels deep", e.description());
    }
}
