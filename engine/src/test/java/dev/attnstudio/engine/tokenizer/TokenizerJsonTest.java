package dev.attnstudio.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attnstudio.engine.io.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tokenizer.json is checked in Java before the native tokenizer reads it. Each refused case here is one the native
 * side would have had to handle itself (a truncated decoder made it abort the JVM).
 */
class TokenizerJsonTest {

    private static final String VALID = ByteLevelVocab.tokenizerJson();

    @TempDir
    Path dir;

    private ModelFormatException refused(String json) throws Exception {
        Path file = Files.writeString(dir.resolve("tokenizer-" + json.hashCode() + ".json"), json);
        return assertThrows(ModelFormatException.class, () -> Tokenizer.open(file).close());
    }

    @Test
    void theValidFileStillOpensAndTokenizes() throws Exception {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), VALID);
        try (Tokenizer t = Tokenizer.open(file)) {
            assertArrayEquals(new long[] {'h', 'i'}, t.encode("hi").ids());
        }
    }

    @Test
    void truncatedInsideTheDecoderIsRefusedInJava() throws Exception {
        int decoder = VALID.indexOf("\"decoder\"");
        ModelFormatException e = refused(VALID.substring(0, decoder + 20));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void aFlagThatIsNotABooleanIsRefusedWithItsPlace() throws Exception {
        String json = VALID.replaceFirst("\"add_prefix_space\" : false", "\"add_prefix_space\" : \"no\"");
        ModelFormatException e = refused(json);
        assertTrue(e.getMessage().contains("pre_tokenizer.add_prefix_space should be true or false"), e.getMessage());
    }

    @Test
    void unknownComponentTypesAndBadIdsAreRefused() throws Exception {
        assertTrue(refused(VALID.replace("\"type\" : \"BPE\"", "\"type\" : \"Magic\"")).getMessage()
                .contains("model.type"));
        assertTrue(refused(VALID.replaceFirst("\"type\" : \"ByteLevel\"", "\"type\" : \"Nope\"")).getMessage()
                .contains("not a known pre-tokenizer type"));
        assertTrue(refused(VALID.replace("\"!\" : 33", "\"!\" : -33")).getMessage().contains("ids are whole numbers"));
    }

    @Test
    void deepNestingHugeStringsAndNonUtf8AreRefusedBeforeTheyAreKept() throws Exception {
        assertTrue(refused("[".repeat(100_000) + "]".repeat(100_000)).getMessage().contains("nesting depth"));
        String huge = VALID.replace("\"version\" : \"1.0\"", "\"version\" : \"" + "x".repeat(
                TokenizerJson.MAX_STRING_LENGTH + 1) + "\"");
        assertTrue(refused(huge).getMessage().contains("String value length"));
        byte[] bytes = VALID.getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length / 2] = (byte) 0xFF;
        Path file = Files.write(dir.resolve("latin.json"), bytes);
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizer.open(file)).getMessage()
                .contains("not UTF-8"));
    }
}
