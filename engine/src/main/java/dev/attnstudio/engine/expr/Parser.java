package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.expr.Node.BinaryOp;
import dev.attnstudio.engine.expr.Token.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser. Precedence, loosest first (as in Python):
 *
 * <pre>
 * expression := product (('+' | '-') product)*
 * product    := unary (('*' | '/' | '@') unary)*
 * unary      := ('-' | '+') unary | power
 * power      := postfix ('**' unary)?               right-associative; -2**2 is -(2**2)
 * postfix    := atom ('[' items ']' | '.T')*
 * atom       := NUMBER | WORD | NAME | NAME '(' arguments ')' | '(' expression ')'
 * arguments  := (argument (',' argument)* ','?)?      keyword arguments after positional ones
 * argument   := expression | NAME '=' expression
 * items      := item (',' item)* ','?
 * item       := '...' | expression | expression? ':' expression? (':' expression?)?
 * </pre>
 */
final class Parser {

    /** Words that stand for numbers; they cannot be used as constant names. */
    static final Map<String, Double> WORDS = Map.of(
            "inf", Double.POSITIVE_INFINITY, "nan", Double.NaN, "pi", Math.PI,
            "true", 1.0, "false", 0.0, "True", 1.0, "False", 0.0);

    /** Deeper nesting than any hand-typed expression; the limit keeps the recursion far from the stack's end. */
    private static final int MAX_DEPTH = 200;

    private final String src;
    private final List<Token> tokens;
    private int k;
    private int depth;

    private Parser(String src, List<Token> tokens) {
        this.src = src;
        this.tokens = tokens;
    }

    static Node parse(String source) {
        Parser p = new Parser(source, Lexer.tokenize(source));
        if (p.peek().kind() == Kind.END) {
            throw new ExpressionException(source, 0, 1, "empty expression: type one, such as blocks.0.attn.hook_pattern");
        }
        Node root = p.expression();
        Token t = p.peek();
        if (t.kind() != Kind.END) {
            throw p.error(t, switch (t.kind()) {
                case RPAREN -> "')' has no matching '('";
                case RBRACKET -> "']' has no matching '['";
                case ASSIGN -> "'=' only names a keyword argument inside a call, e.g. softmax(x, dim=-1)";
                case NAME, NUMBER, LPAREN -> "unexpected " + t.describe() + " after a complete expression"
                        + " (is an operator such as * missing?)";
                default -> "unexpected " + t.describe() + " after a complete expression";
            });
        }
        return root;
    }

    private Node expression() {
        Node left = product();
        while (peek().kind() == Kind.PLUS || peek().kind() == Kind.MINUS) {
            Token op = next();
            Node right = product();
            left = new Node.Binary(op.kind() == Kind.PLUS ? BinaryOp.ADD : BinaryOp.SUB, left, right, op.pos(), 1);
        }
        return left;
    }

    private Node product() {
        Node left = unary();
        while (true) {
            BinaryOp op = switch (peek().kind()) {
                case STAR -> BinaryOp.MUL;
                case SLASH -> BinaryOp.DIV;
                case AT -> BinaryOp.MATMUL;
                default -> null;
            };
            if (op == null) {
                return left;
            }
            Token t = next();
            left = new Node.Binary(op, left, unary(), t.pos(), 1);
        }
    }

    private Node unary() {
        if (++depth > MAX_DEPTH) {
            throw error(peek(), "the expression nests more than " + MAX_DEPTH + " levels deep");
        }
        try {
            if (peek().kind() == Kind.MINUS || peek().kind() == Kind.PLUS) {
                Token t = next();
                return new Node.Negate(unary(), t.kind() == Kind.MINUS, t.pos(), 1);
            }
            return power();
        } finally {
            depth--;
        }
    }

    private Node power() {
        Node base = postfix();
        if (peek().kind() == Kind.POWER) {
            Token t = next();
            return new Node.Binary(BinaryOp.POW, base, unary(), t.pos(), 2);
        }
        return base;
    }

    private Node postfix() {
        Node node = atom();
        while (true) {
            if (peek().kind() == Kind.LBRACKET) {
                node = index(node);
            } else if (peek().kind() == Kind.DOT_T) {
                Token t = next();
                node = new Node.Transpose(node, t.pos(), 2);
            } else {
                return node;
            }
        }
    }

    private Node atom() {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER:
                next();
                return new Node.Num(Double.parseDouble(t.text()), t.pos(), t.text().length());
            case NAME:
                next();
                if (peek().kind() == Kind.LPAREN) {
                    return call(t);
                }
                Double word = WORDS.get(t.text());
                if (word != null) {
                    return new Node.Num(word, t.pos(), t.text().length());
                }
                return new Node.Name(t.text(), t.pos(), t.text().length());
            case LPAREN:
                Token open = next();
                Node inner = expression();
                if (peek().kind() != Kind.RPAREN) {
                    throw unclosed(open, "')'");
                }
                next();
                return inner;
            case END:
                throw error(t, "the expression ends too early: a number, a name or '(' should follow");
            default:
                throw error(t, "expected a number, a name or '(' but found " + t.describe());
        }
    }

    private Node call(Token name) {
        Token open = next();
        List<Node> args = new ArrayList<>();
        List<Node.Keyword> keywords = new ArrayList<>();
        while (peek().kind() != Kind.RPAREN) {
            if (peek().kind() == Kind.NAME && peekAt(1).kind() == Kind.ASSIGN) {
                Token key = next();
                next();
                keywords.add(new Node.Keyword(key.text(), expression(), key.pos(), key.text().length()));
            } else {
                Token first = peek();
                Node arg = expression();
                if (!keywords.isEmpty()) {
                    throw new ExpressionException(src, first.pos(), arg.to() - first.pos(),
                            "a positional argument cannot follow a keyword argument");
                }
                args.add(arg);
            }
            if (peek().kind() == Kind.COMMA) {
                next();
            } else if (peek().kind() == Kind.ASSIGN) {
                throw error(peek(), "a keyword must be a plain name, as in dim=-1");
            } else if (peek().kind() != Kind.RPAREN) {
                throw unclosed(open, "',' or ')'");
            }
        }
        Token close = next();
        return new Node.Call(name.text(), List.copyOf(args), List.copyOf(keywords), name.pos(), name.text().length(),
                close.end());
    }

    private Node index(Node target) {
        Token open = next();
        if (peek().kind() == Kind.RBRACKET) {
            throw new ExpressionException(src, open.pos(), 2, "empty index: write x[0], x[:, 1] or x[..., -1]");
        }
        List<Node.Item> items = new ArrayList<>();
        while (peek().kind() != Kind.RBRACKET) {
            items.add(item());
            if (peek().kind() == Kind.COMMA) {
                next();
            } else if (peek().kind() != Kind.RBRACKET) {
                throw unclosed(open, "',' or ']'");
            }
        }
        Token close = next();
        return new Node.Index(target, List.copyOf(items), open.pos(), 1, close.end());
    }

    private Node.Item item() {
        Token first = peek();
        if (first.kind() == Kind.ELLIPSIS) {
            next();
            return new Node.Ellipsis(first.pos(), 3);
        }
        Node start = first.kind() == Kind.COLON ? null : expression();
        if (peek().kind() != Kind.COLON) {
            return new Node.At(start);
        }
        next();
        Node stop = endsSlicePart() ? null : expression();
        Node step = null;
        if (peek().kind() == Kind.COLON) {
            next();
            step = endsSlicePart() ? null : expression();
        }
        int end = tokens.get(k - 1).end();
        return new Node.Slice(start, stop, step, first.pos(), end - first.pos());
    }

    private boolean endsSlicePart() {
        Kind kind = peek().kind();
        return kind == Kind.COLON || kind == Kind.COMMA || kind == Kind.RBRACKET;
    }

    /** The error for a bracket whose closer did not come: at the opener if the input ran out, else at the intruder. */
    private ExpressionException unclosed(Token open, String expected) {
        Token t = peek();
        if (t.kind() == Kind.END) {
            return error(open, "'" + open.text() + "' is never closed");
        }
        return error(t, "expected " + expected + " but found " + t.describe());
    }

    private ExpressionException error(Token t, String message) {
        return new ExpressionException(src, t.pos(), t.text().length(), message);
    }

    private Token peek() {
        return tokens.get(k);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(k + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(k++);
    }
}
