package dev.attnstudio.lessons.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON value of a lesson file with where it starts (1-based line and column), so that every message about a
 * lesson can point at the line an author has to fix. Jackson's tree model drops locations; this keeps them.
 * Objects keep their keys in file order.
 */
public final class JsonValue {

    /** The JSON types. Numbers written without a fraction or exponent are {@link #INTEGER}. */
    public enum Type { OBJECT, ARRAY, STRING, INTEGER, DECIMAL, BOOLEAN, NULL }

    private final Type type;
    private final Object value;
    private final int line;
    private final int column;

    private JsonValue(Type type, Object value, int line, int column) {
        this.type = type;
        this.value = value;
        this.line = line;
        this.column = column;
    }

    static JsonValue object(Map<String, JsonValue> members, int line, int column) {
        return new JsonValue(Type.OBJECT, Collections.unmodifiableMap(new LinkedHashMap<>(members)), line, column);
    }

    static JsonValue array(List<JsonValue> items, int line, int column) {
        return new JsonValue(Type.ARRAY, List.copyOf(items), line, column);
    }

    static JsonValue scalar(Type type, Object value, int line, int column) {
        return new JsonValue(type, value, line, column);
    }

    public Type type() {
        return type;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public boolean isObject() {
        return type == Type.OBJECT;
    }

    public boolean isArray() {
        return type == Type.ARRAY;
    }

    public boolean isString() {
        return type == Type.STRING;
    }

    public boolean isNumber() {
        return type == Type.INTEGER || type == Type.DECIMAL;
    }

    /** The members of an object, in file order. */
    @SuppressWarnings("unchecked")
    public Map<String, JsonValue> members() {
        requireType(Type.OBJECT);
        return (Map<String, JsonValue>) value;
    }

    /** The items of an array. */
    @SuppressWarnings("unchecked")
    public List<JsonValue> items() {
        requireType(Type.ARRAY);
        return (List<JsonValue>) value;
    }

    public String string() {
        requireType(Type.STRING);
        return (String) value;
    }

    public long integer() {
        requireType(Type.INTEGER);
        return (Long) value;
    }

    /** A number of either kind as a double. */
    public double number() {
        if (!isNumber()) {
            throw new IllegalStateException("not a number but " + describe());
        }
        return ((Number) value).doubleValue();
    }

    public boolean bool() {
        requireType(Type.BOOLEAN);
        return (Boolean) value;
    }

    /** How the value is named in messages: "the string \"abc\"", "an object", "the number 3". */
    public String describe() {
        return switch (type) {
            case OBJECT -> "an object";
            case ARRAY -> "a list";
            case STRING -> "the text \"" + value + "\"";
            case INTEGER, DECIMAL -> "the number " + value;
            case BOOLEAN -> value.toString();
            case NULL -> "null";
        };
    }

    private void requireType(Type wanted) {
        if (type != wanted) {
            throw new IllegalStateException("expected " + wanted + " but found " + describe());
        }
    }

    @Override
    public String toString() {
        return describe() + " at " + line + ":" + column;
    }
}
