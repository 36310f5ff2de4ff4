package dev.attnstudio.samples;

import dev.attnstudio.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Catalog entries whose files are committed as a Hugging Face folder: the list, the sizes and the limit are true. */
class BundledFolderCatalogTest {

    /** The limit for a trained sample. */
    static final long MAX_BYTES = 10L * 1024 * 1024;

    private static List<SampleModels.Sample> bundled() {
        return SampleModels.catalog().stream().filter(s -> s.source() instanceof SampleModels.BundledFolder).toList();
    }

    @Test
    void theTrainedSamplesAreListed() {
        assertEquals(List.of("induction-2l", "induction-2l-collapsed", "tiny-gpt", "tiny-llama", "reverse-t5"),
                bundled().stream().map(SampleModels.Sample::name).toList());
    }

    @Test
    void everyListedFileShipsAndTheSizeIsTheirSum() throws IOException {
        for (SampleModels.Sample s : bundled()) {
            SampleModels.BundledFolder f = (SampleModels.BundledFolder) s.source();
            assertEquals(s.name(), f.folder(), "the folder is named after the sample");
            assertTrue(f.files().containsAll(List.of("config.json", "model.safetensors", "tokenizer.json", "metrics.json")),
                    s.name() + ": " + f.files());
            assertTrue(f.files().contains("README.md") || f.files().contains("MODEL_CARD.md"), s.name() + " has no card");
            if (s.name().startsWith("induction-2l")) {
                assertTrue(f.files().contains("timeline.json"), s.name() + " has no training timeline");
            }
            long total = 0;
            for (String file : f.files()) {
                try (InputStream in = SampleModels.resource(f, file)) {
                    total += in.transferTo(OutputStream.nullOutputStream());
                }
            }
            assertEquals(s.sizeBytes(), total, s.name() + ": sizeBytes is the sum of its files");
            assertTrue(total <= MAX_BYTES, s.name() + " is " + total + " bytes");
        }
    }

    @Test
    void aMissingFileIsReportedWithItsName() {
        SampleModels.BundledFolder f = new SampleModels.BundledFolder("induction-2l",
                List.of("config.json", "model.safetensors", "nope.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SampleModels.resource(f, "nope.json"));
        assertTrue(e.getMessage().contains("nope.json"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SampleModels.BundledFolder("x", List.of("config.json")));
    }
}
