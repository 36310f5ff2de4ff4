package dev.attnstudio.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.OnnxBertImport;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every parser, under random byte mutations of a valid seed file (src/test/resources/fuzz-seeds): the result is valid,
 * or the parser's typed exception with a readable message, within 2 seconds; never another exception, a hang or a
 * crash. The seeds are checked to parse first, so a broken seed cannot make the property hold vacuously.
 */
class ParserPropertiesTest {

    /** Mutations per property; {@code -Dfuzz.tries=N} runs a longer search. */
    private static final int TRIES = Integer.getInteger("fuzz.tries", 300);
    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final Predicate<Throwable> MODEL_FORMAT = ModelFormatException.class::isInstance;

    @TempDir
    Path dir;

    private int serial;

    @Test
    void npyFloat32() throws Exception {
        holds("seed.npy", 1, file -> () -> Npy.readFloat32(file), Npy.FormatException.class::isInstance);
    }

    @Test
    void npyInt64() throws Exception {
        holds("seed-ids.npy", 2, file -> () -> Npy.readInt64(file), Npy.FormatException.class::isInstance);
    }

    @Test
    void safetensorsHeader() throws Exception {
        holds("seed.safetensors", 3, file -> () -> {
            try (SafeTensors st = SafeTensors.open(file)) {
                for (String name : st.names()) {
                    st.readFloats(name); // the data too: offsets the header accepted must be readable
                }
            }
            return null;
        }, MODEL_FORMAT);
    }

    @Test
    void onnxGraph() throws Exception {
        holds("seed.onnx", 4, file -> () -> OnnxGraph.read(file), MODEL_FORMAT);
    }

    /** The seed is a small graph, not a BERT: the importer must refuse it and every mutant with its typed error. */
    @Test
    void onnxBertImport() throws Exception {
        byte[] seed = FuzzCorpus.seed("seed.onnx");
        failIfAny(ByteProperty.check(seed, 8, TRIES, bytes -> {
            Path file = write("model.onnx", bytes);
            return () -> OnnxBertImport.read(OnnxGraph.read(file), file);
        }, MODEL_FORMAT, LIMIT));
    }

    @Test
    void onnxFromAStream() throws Exception {
        byte[] seed = FuzzCorpus.seed("seed.onnx");
        OnnxGraph.read(new ByteArrayInputStream(seed), "seed.onnx");
        failIfAny(ByteProperty.check(seed, 5, TRIES,
                bytes -> () -> OnnxGraph.read(new ByteArrayInputStream(bytes), "mutant.onnx"), MODEL_FORMAT, LIMIT));
    }

    @Test
    void configJson() throws Exception {
        holds("config.json", 6, file -> () -> ModelConfig.read(file), MODEL_FORMAT);
    }

    @Test
    void tokenizerJson() throws Exception {
        holds("tokenizer.json", 7, file -> () -> Tokenizer.open(file), MODEL_FORMAT);
    }

    /**
     * A one-layer BERT the importer accepts ({@link TinyBertOnnx}): mutations reach the importer's placement and
     * geometry checks. The seed's geometry is checked first.
     */
    @Test
    void onnxBertImportOfARealLayout() throws Exception {
        byte[] seed = TinyBertOnnx.bytes();
        Path valid = write("model.onnx", seed);
        OnnxBertImport.Imported imported = OnnxBertImport.read(OnnxGraph.read(valid), valid);
        org.junit.jupiter.api.Assertions.assertEquals(2, imported.config().nHead(), "heads read off the Reshape");
        org.junit.jupiter.api.Assertions.assertEquals(21, imported.tensors().size(), "5 embedding + 16 layer tensors");
        failIfAny(ByteProperty.check(seed, 10, TRIES, bytes -> {
            Path file = write("model.onnx", bytes);
            return () -> OnnxBertImport.read(OnnxGraph.read(file), file);
        }, MODEL_FORMAT, LIMIT));
    }

    /** A byte-level BPE tokenizer (tiny-gpt's, GPT-2's layout), the kind most real models ship. */
    @Test
    void byteLevelBpeTokenizerJson() throws Exception {
        Path sample = Path.of(System.getProperty("basedir", ".")).resolve(FuzzCorpus.SAMPLES)
                .resolve("tiny-gpt").resolve("tokenizer.json").normalize();
        byte[] seed = Files.readAllBytes(sample);
        Tokenizer.open(sample).close();
        failIfAny(ByteProperty.check(seed, 9, TRIES, bytes -> {
            Path file = write("tokenizer.json", bytes);
            return () -> Tokenizer.open(file);
        }, MODEL_FORMAT, LIMIT));
    }

    /** The seed parses; then the property holds over {@link #TRIES} mutations written to files. */
    private void holds(String seedName, long randomSeed, Function<Path, Callable<?>> open, Predicate<Throwable> typed)
            throws Exception {
        byte[] seed = FuzzCorpus.seed(seedName);
        Path valid = write(seedName, seed);
        Object parsed = open.apply(valid).call();
        if (parsed instanceof AutoCloseable c) {
            c.close();
        }
        failIfAny(ByteProperty.check(seed, randomSeed, TRIES, bytes -> open.apply(write(seedName, bytes)), typed,
                LIMIT));
    }

    private Path write(String name, byte[] bytes) {
        try {
            Path sub = Files.createDirectories(dir.resolve(String.valueOf(serial++)));
            return Files.write(sub.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void failIfAny(List<String> failures) {
        assertTrue(failures.isEmpty(), failures.size() + " of " + TRIES + " mutations broke the property:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }
}
