package dev.attnstudio.lessons.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Values keep their line and column; malformed JSON says where. */
class JsonTreeTest {

    @Test
    void valuesKnowWhereTheyStart() throws JsonTree.SyntaxError {
        JsonValue root = JsonTree.read("{\n  \"a\": 1,\n  \"pages\": [\n    {\"file\": \"x.md\", \"n\": 2.5}\n  ]\n}");
        assertEquals(1, root.line());
        JsonValue page = root.members().get("pages").items().get(0);
        assertEquals(4, page.line());
        assertEquals(5, page.column());
        assertEquals(JsonValue.Type.INTEGER, root.members().get("a").type());
        assertEquals(JsonValue.Type.DECIMAL, page.members().get("n").type());
        SourceMap where = SourceMap.of(root);
        assertEquals(4, where.locate("pages[0].file").line());
        assertEquals(4, where.locate("pages[0].exercise.answer.layer").line(), "a missing field: its enclosing object");
        assertEquals(2, where.locate("a").line());
    }

    @Test
    void syntaxErrorsAndRepeatedKeysNameTheirLine() {
        JsonTree.SyntaxError missingComma = assertThrows(JsonTree.SyntaxError.class,
                () -> JsonTree.read("{\n  \"a\": 1\n  \"b\": 2\n}"));
        assertEquals(3, missingComma.line());
        JsonTree.SyntaxError twice = assertThrows(JsonTree.SyntaxError.class,
                () -> JsonTree.read("{\n  \"a\": 1,\n  \"a\": 2\n}"));
        assertEquals(3, twice.line());
        assertEquals("\"a\" is given twice in this object", twice.getMessage());
        assertThrows(JsonTree.SyntaxError.class, () -> JsonTree.read(""));
        assertThrows(JsonTree.SyntaxError.class, () -> JsonTree.read("{} {}"));
    }
}
