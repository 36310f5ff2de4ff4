package dev.attnstudio.engine.expr;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expression's Javadoc lists the functions; this keeps it equal to the table the language runs on. */
class FunctionDocsTest {

    @Test
    void everyFunctionIsDocumentedWordForWordInExpressionsJavadoc() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/attnstudio/engine/expr/Expression.java"));
        for (String line : Expression.functions()) {
            assertTrue(source.contains(" * " + line + "\n"), "Expression's Javadoc should list: " + line);
        }
        long documented = source.lines().filter(l -> l.matches(" \\* [a-z_]+\\(.*\\): .*")).count();
        assertEquals(Expression.functions().size(), documented, "no function documented that does not exist");
    }
}
