package dev.attnstudio.lessons.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads JSON text into {@link JsonValue}s that remember their line and column, with Jackson's streaming parser. */
public final class JsonTree {

    /** Deepest nesting accepted: a lesson.json nests about 6 deep (pages, exercise, misconceptions, a probe call). */
    static final int MAX_NESTING_DEPTH = 64;
    /** Longest string: a question, hint or message is a paragraph; 1 MiB refuses a runaway value before it is kept. */
    static final int MAX_STRING_LENGTH = 1 << 20;
    /** Largest document: a lesson.json is a few KiB; the same as a lesson file's limit. */
    static final long MAX_DOCUMENT_LENGTH = LessonSource.MAX_FILE_BYTES;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                    .build())
            .build();

    /** Malformed JSON, with where the parser stopped: line, column, and the path of the value it was in. */
    public static final class SyntaxError extends Exception {
        private final int line;
        private final int column;
        private final String path;

        SyntaxError(String message, int line, int column) {
            this(message, line, column, "");
        }

        SyntaxError(String message, int line, int column, String path) {
            super(message);
            this.line = line;
            this.column = column;
            this.path = path;
        }

        /** The path of the value the parser was in ({@code pages[1].exercise}), "" at the top. */
        public String path() {
            return path;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    private JsonTree() {
    }

    /** Parses one JSON document; anything after it, or a key given twice in one object, is an error. */
    public static JsonValue read(String text) throws SyntaxError {
        JsonParser parser = null;
        try (JsonParser p = FACTORY.createParser(text)) {
            parser = p;
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new SyntaxError("the file is empty; it must hold one JSON object", 1, 1);
            }
            JsonValue root = value(p);
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new SyntaxError("unexpected text after the end of the JSON object", at.getLineNr(), at.getColumnNr());
            }
            return root;
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            throw new SyntaxError(e.getOriginalMessage(), at == null ? 1 : at.getLineNr(), at == null ? 1 : at.getColumnNr(),
                    parser == null ? "" : path(parser.getParsingContext()));
        } catch (StreamConstraintsException e) {
            JsonLocation at = parser == null ? null : parser.currentLocation();
            throw new SyntaxError("the JSON is beyond what a lesson file may hold (nesting at most " + MAX_NESTING_DEPTH
                    + " deep, texts at most " + MAX_STRING_LENGTH + " characters): " + e.getOriginalMessage(),
                    at == null ? 1 : at.getLineNr(), at == null ? 1 : at.getColumnNr());
        } catch (IOException e) {
            throw new SyntaxError("cannot read the JSON: " + e.getMessage(), 1, 1);
        }
    }

    /**
     * The path of the object or list the parser was in, {@code pages[1].exercise}, from its context chain (the innermost
     * object's current field is left out: the parser stops after it, at the mistake).
     */
    private static String path(JsonStreamContext ctx) {
        StringBuilder out = new StringBuilder();
        java.util.ArrayDeque<JsonStreamContext> chain = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            chain.push(c);
        }
        for (JsonStreamContext c : chain) {
            if (c == ctx && c.inObject()) {
                break;
            }
            if (c.inArray()) {
                out.append('[').append(Math.max(0, c.getCurrentIndex())).append(']');
            } else if (c.getCurrentName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(c.getCurrentName());
            }
        }
        return out.toString();
    }

    private static JsonValue value(JsonParser p) throws IOException, SyntaxError {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> {
                Map<String, JsonValue> members = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation keyAt = p.currentTokenLocation();
                    p.nextToken();
                    if (members.containsKey(key)) {
                        throw new SyntaxError("\"" + key + "\" is given twice in this object", keyAt.getLineNr(),
                                keyAt.getColumnNr());
                    }
                    members.put(key, value(p));
                }
                yield JsonValue.object(members, line, column);
            }
            case START_ARRAY -> {
                List<JsonValue> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(p));
                }
                yield JsonValue.array(items, line, column);
            }
            case VALUE_STRING -> JsonValue.scalar(JsonValue.Type.STRING, p.getText(), line, column);
            case VALUE_NUMBER_INT -> JsonValue.scalar(JsonValue.Type.INTEGER, p.getLongValue(), line, column);
            case VALUE_NUMBER_FLOAT -> JsonValue.scalar(JsonValue.Type.DECIMAL, p.getDoubleValue(), line, column);
            case VALUE_TRUE, VALUE_FALSE -> JsonValue.scalar(JsonValue.Type.BOOLEAN, t == JsonToken.VALUE_TRUE, line, column);
            case VALUE_NULL -> JsonValue.scalar(JsonValue.Type.NULL, null, line, column);
            default -> throw new SyntaxError("unexpected " + t, line, column);
        };
    }
}
