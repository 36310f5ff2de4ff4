package dev.attnstudio.engine.expr;

/**
 * One token of an expression with the position of its first character.
 *
 * @param kind what it is
 * @param text the characters it was read from
 * @param pos  0-based position of its first character in the source
 */
record Token(Kind kind, String text, int pos) {

    enum Kind {
        NUMBER, NAME, LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, COLON, ELLIPSIS, ASSIGN,
        PLUS, MINUS, STAR, SLASH, AT, POWER, DOT_T, END
    }

    int end() {
        return pos + text.length();
    }

    /** How the token is named in messages: quoted text, or "the end". */
    String describe() {
        return kind == Kind.END ? "the end of the expression" : "'" + text + "'";
    }
}
