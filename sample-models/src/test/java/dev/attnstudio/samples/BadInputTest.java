package dev.attnstudio.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.OnnxBertImport;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged copies of the all-MiniLM-L6-v2 files give a {@link ModelFormatException} that names the file and says what
 * is wrong with it, never an out-of-memory error, an index error or a crash in native code.
 */
class BadInputTest {

    private static SampleModels.MavenOnnx source;
    private static byte[] onnx;
    private static OnnxBertImport.Imported imported;

    @TempDir
    Path dir;

    @BeforeAll
    static void readTheRealFile() throws IOException {
        source = (SampleModels.MavenOnnx) SampleModels.find("all-minilm-l6-v2").orElseThrow().source();
        try (InputStream in = SampleModels.resource(source, source.onnx())) {
            onnx = in.readAllBytes();
        }
        String label = source.label(source.onnx());
        imported = OnnxBertImport.read(OnnxGraph.read(new ByteArrayInputStream(onnx), label), Path.of(label));
    }

    /** Cut inside the model header (producer name), inside the graph's first bytes, in the middle, near the end. */
    @ParameterizedTest
    @ValueSource(ints = {5, 1_000, 45_000_000, 90_000_000})
    void truncatedFile(int keep) throws IOException {
        assertTrue(keep < onnx.length);
        Path file = dir.resolve("all-minilm-l6-v2-truncated.onnx");
        Files.write(file, Arrays.copyOf(onnx, keep));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxGraph.read(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        System.out.println(e.getMessage());
    }

    @Test
    void missingInitializer() throws IOException {
        String missing = "encoder.layer.2.attention.self.key.bias";
        Path file = dir.resolve("all-minilm-l6-v2-without-key-bias.onnx");
        Files.write(file, OnnxProto.withoutInitializer(onnx, missing));
        OnnxGraph graph = OnnxGraph.read(file); // still a well-formed protobuf
        assertFalse(graph.initializers().containsKey(missing));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxBertImport.read(graph, file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing initializer '" + missing + "'"), e.getMessage());
        System.out.println(e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"added_tokens", "model.vocab"})
    void tokenizerWithIdsBeyondTheModelsVocabulary(String where) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(SampleModels.tokenizerJson(source));
        if (where.equals("added_tokens")) {
            ObjectNode token = ((ArrayNode) root.get("added_tokens")).addObject();
            token.put("id", 40000).put("content", "[EXTRA]").put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        } else {
            ((ObjectNode) root.get("model").get("vocab")).put("zzyzx", 40000);
        }
        String label = "all-minilm-l6-v2-tokenizer-40000.json";
        try (Tokenizer tokenizer = Tokenizer.fromJson(json.writeValueAsString(root), label)) {
            assertEquals(40000, tokenizer.maxTokenId());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> LoadedModel.of("all-minilm-l6-v2",
                    imported.config(), imported.tensors(), tokenizer, DjlRuntime.DeviceChoice.CPU));
            assertTrue(e.getMessage().startsWith(label + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("40000") && e.getMessage().contains("30522"), e.getMessage());
            System.out.println(e.getMessage());
        }
    }

    @Test
    void unknownSampleNamesListTheAvailableOnes() {
        NoSuchElementException e = assertThrows(NoSuchElementException.class,
                () -> SampleModels.open("gpt-5", DjlRuntime.DeviceChoice.CPU));
        for (SampleModels.Sample s : SampleModels.catalog()) {
            assertTrue(e.getMessage().contains(s.name()), e.getMessage());
        }
    }
}
