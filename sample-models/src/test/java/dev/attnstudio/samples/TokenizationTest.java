package dev.attnstudio.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The engine's tokenizer (DJL's bindings over the tokenizer.json in the jar, as {@link SampleModels#open} builds it)
 * gives the ids the tokenizer.json itself defines. No weights are loaded here.
 */
class TokenizationTest {

    private static SampleModels.MavenOnnx source(String name) {
        return (SampleModels.MavenOnnx) SampleModels.find(name).orElseThrow().source();
    }

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5"})
    void theCatSatOnTheMat(String name) {
        try (Tokenizer tokenizer = SampleModels.tokenizer(source(name))) {
            Tokenizer.Tokens t = tokenizer.encode("The cat sat on the mat.");
            // Both models share BERT's uncased WordPiece vocabulary.
            assertArrayEquals(new long[] {101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102}, t.ids());
            assertArrayEquals(new String[] {"[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"}, t.strings());
            assertTrue(t.special()[0] && t.special()[8] && !t.special()[1]);
            assertArrayEquals(new long[9], t.typeIds());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5"})
    void wordsGetTheirVocabularyIds(String name) throws IOException {
        SampleModels.MavenOnnx source = source(name);
        JsonNode json = new ObjectMapper().readTree(SampleModels.tokenizerJson(source));
        JsonNode vocab = json.path("model").path("vocab");
        assertEquals("WordPiece", json.path("model").path("type").asText());
        assertEquals(30522, vocab.size());
        long cls = vocab.get("[CLS]").asLong();
        long sep = vocab.get("[SEP]").asLong();
        try (Tokenizer tokenizer = SampleModels.tokenizer(source)) {
            for (String word : List.of("cat", "attention", "transformer", "heatmap", "Paris", "running")) {
                Tokenizer.Tokens t = tokenizer.encode(word);
                // Lower-cased, then whole words or '##' continuations, each looked up in model.vocab.
                assertEquals(cls, t.ids()[0], word);
                assertEquals(sep, t.ids()[t.size() - 1], word);
                StringBuilder rebuilt = new StringBuilder();
                for (int i = 1; i < t.size() - 1; i++) {
                    String piece = t.strings()[i];
                    assertTrue(vocab.has(piece), word + ": '" + piece + "' is not in model.vocab");
                    assertEquals(vocab.get(piece).asLong(), t.ids()[i], word + ": id of '" + piece + "'");
                    rebuilt.append(piece.startsWith("##") ? piece.substring(2) : piece);
                }
                assertEquals(word.toLowerCase(Locale.ROOT), rebuilt.toString());
                if (vocab.has(word.toLowerCase(Locale.ROOT))) {
                    assertEquals(3, t.size(), word + " is one vocabulary entry");
                }
            }
            assertEquals(4937, vocab.get("cat").asLong());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5"})
    void sentencePairsGetSegmentIds(String name) {
        try (Tokenizer tokenizer = SampleModels.tokenizer(source(name))) {
            Tokenizer.Tokens t = tokenizer.encodePair("Where is it?", "On the mat.");
            assertArrayEquals(new String[] {"[CLS]", "where", "is", "it", "?", "[SEP]", "on", "the", "mat", ".", "[SEP]"},
                    t.strings());
            assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, t.typeIds());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5"})
    void longTextIsNotTruncatedOrPadded(String name) {
        // all-MiniLM's tokenizer.json asks for truncation at 128 and fixed padding to 128; the engine turns both off
        // and reports over-long prompts itself (the model reads 512 positions).
        try (Tokenizer tokenizer = SampleModels.tokenizer(source(name))) {
            assertEquals(2 + 200, tokenizer.encode("cat ".repeat(200)).size());
            assertEquals(3, tokenizer.encode("cat").size());
        }
    }
}
