package dev.attnstudio.engine.expr;

/**
 * A mistake in an expression, with where it is: a character position in the source (0-based), the length of the
 * text it concerns, and a description written for the student who typed it. Like
 * {@link java.util.regex.PatternSyntaxException}, it is an {@link IllegalArgumentException}: the input was wrong.
 * {@link #render()} draws the source with carets under the mistake:
 *
 * <pre>
 * softmax(x[0, 9])
 *              ^ index 9 is out of range for axis 1 of size 4
 * </pre>
 */
public final class ExpressionException extends IllegalArgumentException {

    private final String source;
    private final int position;
    private final int length;
    private final String description;

    /**
     * @param source      the whole expression
     * @param position    where the mistake starts, 0 to {@code source.length()} (the end, for "ends too early")
     * @param length      how many characters it covers (at least one caret is drawn)
     * @param description what is wrong, for a student
     */
    public ExpressionException(String source, int position, int length, String description) {
        super(description + " (at character " + (position + 1) + ")");
        this.source = source;
        this.position = Math.max(0, Math.min(position, source.length()));
        this.length = Math.max(1, length);
        this.description = description;
    }

    public String source() {
        return source;
    }

    /** 0-based character position of the mistake. */
    public int position() {
        return position;
    }

    /** Characters the mistake covers, at least 1. */
    public int length() {
        return length;
    }

    /** What is wrong, without the position. */
    public String description() {
        return description;
    }

    /** Two lines: the expression, then carets under the mistake followed by the description. */
    public String render() {
        int carets = Math.max(1, Math.min(length, source.length() - position));
        return source + "\n" + " ".repeat(position) + "^".repeat(carets) + " " + description;
    }
}
