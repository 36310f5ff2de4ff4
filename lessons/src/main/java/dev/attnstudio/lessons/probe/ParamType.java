package dev.attnstudio.lessons.probe;

/** The type of a probe's parameter, which says how it is read from JSON and how it is checked against the model. */
public enum ParamType {
    /** A block index, checked against the layers of the chosen stack. */
    LAYER("integer", true),
    /** A head index, checked against the model's heads. */
    HEAD("integer", true),
    /** A query position of the pass, checked against the trace when the page opens. */
    QUERY("integer", true),
    /** A key position of the pass, checked against the trace when the page opens. */
    KEY("integer", true),
    /** A batch row, checked against the batch when the page opens. */
    ROW("integer", true),
    /** A step group (0 = the prompt's pass, 1 = the first generated token's, ...). */
    PASS("integer", true),
    /** A full hook name, e.g. {@code blocks.0.attn.hook_pattern}. */
    HOOK("hook name", false),
    /** An attention site: {@code self}, {@code encoder}, {@code decoder} or {@code cross}. */
    STACK("text", false),
    /** A whole number. */
    INT("integer", true),
    /** A number. */
    NUMBER("number", false),
    BOOL("true or false", false),
    /** One of the parameter's listed choices. */
    CHOICE("text", false),
    /** A list of texts (mask bug names, hook suffixes). */
    NAMES("list of texts", false),
    /** An index into a tensor, as in a tensor expression: {@code 0, 2, :}. */
    INDEX("text", false);

    /** How the type is named in messages and the README. */
    public final String description;
    /** Whether it is read as an integer. */
    public final boolean integral;

    ParamType(String description, boolean integral) {
        this.description = description;
        this.integral = integral;
    }
}
