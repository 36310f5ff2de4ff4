package dev.attnstudio.engine.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an expression into tokens. Names may be dotted with numeric parts ({@code blocks.0.attn.hook_q}); a final
 * {@code .T} (transpose) is never part of a name, so {@code blocks.0.attn.hook_q.T} is the hook followed by
 * {@code .T}.
 */
final class Lexer {

    private final String src;
    private int i;

    private Lexer(String src) {
        this.src = src;
    }

    /** The tokens of {@code source}, ending with an END token at {@code source.length()}. */
    static List<Token> tokenize(String source) {
        return new Lexer(source).run();
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        while (true) {
            while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
                i++;
            }
            if (i >= src.length()) {
                out.add(new Token(Token.Kind.END, "", src.length()));
                return out;
            }
            out.add(next());
        }
    }

    private Token next() {
        char c = src.charAt(i);
        int start = i;
        if (isDigit(c) || (c == '.' && isDigit(at(i + 1)))) {
            return number();
        }
        if (isNameStart(c)) {
            return name();
        }
        if (src.startsWith("...", i)) {
            return single(Token.Kind.ELLIPSIS, 3);
        }
        if (src.startsWith("**", i)) {
            return single(Token.Kind.POWER, 2);
        }
        if (c == '.' && at(i + 1) == 'T' && !isNamePart(at(i + 2))) {
            return single(Token.Kind.DOT_T, 2);
        }
        Token.Kind kind = switch (c) {
            case '(' -> Token.Kind.LPAREN;
            case ')' -> Token.Kind.RPAREN;
            case '[' -> Token.Kind.LBRACKET;
            case ']' -> Token.Kind.RBRACKET;
            case ',' -> Token.Kind.COMMA;
            case ':' -> Token.Kind.COLON;
            case '=' -> Token.Kind.ASSIGN;
            case '+' -> Token.Kind.PLUS;
            case '-' -> Token.Kind.MINUS;
            case '*' -> Token.Kind.STAR;
            case '/' -> Token.Kind.SLASH;
            case '@' -> Token.Kind.AT;
            default -> null;
        };
        if (kind == null) {
            String hint = c == '.' ? "a '.' may only join the parts of a hook name, or write .T to transpose"
                    : "'" + c + "' is not part of the expression language";
            throw new ExpressionException(src, start, 1, "unexpected character '" + c + "': " + hint);
        }
        if (kind == Token.Kind.ASSIGN && at(i + 1) == '=') {
            throw new ExpressionException(src, start, 2, "comparisons such as '==' are not part of the language; "
                    + "'=' only names a keyword argument, e.g. dim=-1");
        }
        return single(kind, 1);
    }

    private Token single(Token.Kind kind, int len) {
        Token t = new Token(kind, src.substring(i, i + len), i);
        i += len;
        return t;
    }

    /** digits [. digits] [e [+-] digits], or . digits [e ...]. */
    private Token number() {
        int start = i;
        while (isDigit(at(i))) {
            i++;
        }
        if (at(i) == '.' && at(i + 1) != '.') {
            i++;
            while (isDigit(at(i))) {
                i++;
            }
        }
        if (at(i) == 'e' || at(i) == 'E') {
            i++;
            if (at(i) == '+' || at(i) == '-') {
                i++;
            }
            if (!isDigit(at(i))) {
                while (isNamePart(at(i))) {
                    i++;
                }
                throw new ExpressionException(src, start, i - start, "malformed number '" + src.substring(start, i)
                        + "': an exponent needs digits, as in 1e-5");
            }
            while (isDigit(at(i))) {
                i++;
            }
        }
        if (isNameStart(at(i))) {
            int end = i;
            while (isNamePart(at(end))) {
                end++;
            }
            throw new ExpressionException(src, start, end - start, "malformed number '" + src.substring(start, end)
                    + "': a name cannot start with a digit");
        }
        return new Token(Token.Kind.NUMBER, src.substring(start, i), start);
    }

    /** identifier (. part)* where a part is letters, digits and underscores; stops before a final ".T". */
    private Token name() {
        int start = i;
        while (isNamePart(at(i))) {
            i++;
        }
        while (at(i) == '.' && isNamePart(at(i + 1))) {
            if (at(i + 1) == 'T' && !isNamePart(at(i + 2))) {
                break;
            }
            i++;
            while (isNamePart(at(i))) {
                i++;
            }
        }
        return new Token(Token.Kind.NAME, src.substring(start, i), start);
    }

    private char at(int k) {
        return k < src.length() ? src.charAt(k) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c);
    }
}
