package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.SamplingConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The committed tiny language models ({@code tiny-gpt}, {@code tiny-llama}) open the way a user's folder does, score
 * on their committed validation slice what their {@code metrics.json} says, and write text. Needs no Debian package:
 * everything comes from the class path.
 */
class TinyLmTest {

    /** Every file a tiny-LM folder holds. */
    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            TrainTinyLm.CARD_FILE, TinyLmMetrics.FILE, TrainTinyLm.VALIDATION_FILE);
    /** The size limit of one sample. */
    static final long MAX_BYTES = 10L * 1000 * 1000;

    @TempDir
    Path dir;

    /** Copies the sample's resources into {@code dir/<name>}, as the app does for a bundled folder. */
    private Path copy(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        for (String file : FILES) {
            try (InputStream in = resource(name, file)) {
                Files.copy(in, folder.resolve(file));
            }
        }
        return folder;
    }

    private static InputStream resource(String name, String file) {
        InputStream in = TinyLmTest.class.getResourceAsStream("/dev/attnstudio/samples/" + name + "/" + file);
        assertNotNull(in, name + "/" + file + " is not on the class path");
        return in;
    }

    private static TinyLmMetrics metrics(String name) throws IOException {
        try (InputStream in = resource(name, TinyLmMetrics.FILE)) {
            return TinyLmMetrics.read(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt", "tiny-llama"})
    void validationPerplexityFromTheCommittedWeightsIsTheCardsNumber(String name) throws IOException {
        TinyLmMetrics m = metrics(name);
        Path folder = copy(name);
        byte[] text = Files.readAllBytes(folder.resolve(m.validation().file()));
        assertEquals(m.validation().bytes(), text.length, "the committed validation slice is the one scored");
        List<long[]> windows = TinyLmCorpus.windows(text, m.validation().windowLength());
        assertEquals(m.validation().windows(), windows.size());
        try (LoadedModel model = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            assertEquals(m.architecture(), model.config().architecture().name().toLowerCase(Locale.ROOT));
            TinyLmEvaluation e = TinyLmEvaluation.of(model.model(), windows);
            System.getLogger(TinyLmTest.class.getName()).log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                    "%s: validation perplexity %.4f recomputed, %.4f in metrics.json", name, e.perplexity(),
                    m.validation().perplexity()));
            assertEquals(m.validation().perplexity(), e.perplexity(), 0.01 * m.validation().perplexity(),
                    "within 1% of metrics.json");
            assertEquals(m.validation().predictions(), e.predictions());
            assertTrue(e.perplexity() < 16, "a trained model, far from the 256 of a uniform guess: " + e.perplexity());
        }
        String card = Files.readString(folder.resolve(TrainTinyLm.CARD_FILE));
        assertTrue(card.contains(String.format(Locale.ROOT, "perplexity %.3f per byte", m.validation().perplexity())),
                "the card quotes metrics.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt", "tiny-llama"})
    void greedyGenerationThroughTheCacheIsPrintableText(String name) throws IOException {
        try (LoadedModel model = LoadedModel.open(copy(name), DjlRuntime.DeviceChoice.CPU)) {
            TinyLmGeneration g = TinyLmGeneration.of(model, TinyLmGeneration.PROMPT, SamplingConfig.GREEDY, 100);
            assertEquals(100, g.tokens().length);
            assertEquals(100, g.text().getBytes(StandardCharsets.UTF_8).length, "one byte per token");
            for (char c : g.text().toCharArray()) {
                assertTrue(c == '\n' || (c >= ' ' && c <= '~'), "not printable ASCII: " + (int) c + " in " + g.text());
            }
            assertTrue(g.text().chars().filter(Character::isLetter).count() > 50, "mostly letters: " + g.text());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt", "tiny-llama"})
    void folderIsSmallAndHasTheDocumentedShape(String name) throws IOException {
        Path folder = copy(name);
        long bytes = 0;
        for (String file : FILES) {
            bytes += Files.size(folder.resolve(file));
        }
        assertTrue(bytes <= MAX_BYTES, name + " is " + bytes + " bytes");
        ModelConfig c = ModelConfig.read(folder.resolve("config.json"));
        assertEquals(4, c.nLayer());
        assertEquals(4, c.nHead());
        assertEquals(128, c.dModel());
        assertEquals(128, c.nPositions());
        assertEquals(256, c.vocabSize());
        if (c.extra() instanceof ModelConfig.Llama llama) {
            assertEquals(2, c.nKvHeads(), "grouped-query attention");
            assertEquals(10000, llama.ropeTheta());
        } else {
            assertEquals(ModelConfig.Activation.GELU_NEW, c.activation());
        }
        TinyLmMetrics m = metrics(name);
        assertEquals(m.training().steps(), m.training().curve().get(m.training().curve().size() - 1).step());
        assertEquals(m.heads().entropy().length, c.nLayer());
    }
}
