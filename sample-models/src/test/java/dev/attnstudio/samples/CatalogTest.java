package dev.attnstudio.samples;

import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The catalog is complete and true: every entry opens, runs, and matches what its card and source say. */
class CatalogTest {

    @Test
    void namesAreUniqueAndTheDefaultIsListed() {
        List<SampleModels.Sample> catalog = SampleModels.catalog();
        Set<String> names = new HashSet<>();
        catalog.forEach(s -> assertTrue(names.add(s.name()), "duplicate name " + s.name()));
        assertEquals(Set.of("random-gpt2-tiny", "all-minilm-l6-v2", "bge-small-en-v1.5", "induction-2l",
                "induction-2l-collapsed", "tiny-gpt", "tiny-llama", "reverse-t5"), names);
        assertTrue(catalog.contains(SampleModels.defaultSample()));
        assertEquals("tiny-gpt", SampleModels.defaultSample().name(), "the app starts on a trained sample");
    }

    @Test
    void everySampleSaysInOneLineWhatItIsAndHasACard() {
        for (SampleModels.Sample s : SampleModels.catalog()) {
            assertFalse(s.description().contains("\n"), s.name() + ": the description is one line");
            assertTrue(s.description().length() <= 120, s.name() + ": " + s.description().length() + " characters");
            String card = SampleCards.markdown(s);
            assertTrue(card.startsWith("# " + s.name()), s.name() + ": the card starts with its name: " + card.lines().findFirst());
            assertTrue(card.contains("|---"), s.name() + ": the card has a table");
        }
        assertTrue(SampleModels.find("induction-2l-collapsed").orElseThrow().description().toLowerCase(Locale.ROOT)
                .contains("deliberately broken"));
        assertTrue(SampleModels.find("induction-2l").orElseThrow().description().contains("a0 .. a63"));
        // a bundled folder's own card, not one written from the catalog
        assertTrue(SampleCards.markdown(SampleModels.find("tiny-gpt").orElseThrow()).contains("## Sample generations"));
        assertTrue(SampleCards.markdown(SampleModels.find("all-minilm-l6-v2").orElseThrow()).contains("Apache-2.0"));
    }

    @Test
    void cardAndLicenceFieldsAreFilledIn() throws ReflectiveOperationException {
        for (SampleModels.Sample s : SampleModels.catalog()) {
            for (Record part : List.of(s.modelCard(), s.license())) {
                for (RecordComponent c : part.getClass().getRecordComponents()) {
                    Object value = c.getAccessor().invoke(part);
                    if (value instanceof String text) {
                        assertFalse(text.isBlank(), s.name() + ": " + c.getName() + " is empty");
                    } else {
                        assertTrue(((Number) value).intValue() > 0, s.name() + ": " + c.getName());
                    }
                }
            }
            assertTrue(s.sizeBytes() > 0, s.name());
            assertTrue(s.card().contains(s.modelCard().layers() + " layers x " + s.modelCard().heads() + " heads"));
            assertTrue(List.of("gpt2", "bert", "llama", "t5").contains(s.architecture()), s.architecture());
        }
    }

    @Test
    void onnxSourcesMatchTheJarsOnTheClassPath() throws IOException {
        for (SampleModels.Sample s : SampleModels.catalog()) {
            if (!(s.source() instanceof SampleModels.MavenOnnx m)) {
                continue;
            }
            // The version in the catalog is the one Maven resolved (the pom and the catalog move together).
            Properties pom = new Properties();
            try (InputStream in = SampleModels.resource(m,
                    "META-INF/maven/" + m.groupId() + "/" + m.artifactId() + "/pom.properties")) {
                pom.load(in);
            }
            assertEquals(m.version(), pom.getProperty("version"), s.name());
            assertEquals(m.groupId(), pom.getProperty("groupId"), s.name());
            long size;
            try (InputStream in = SampleModels.resource(m, m.onnx())) {
                size = in.transferTo(OutputStream.nullOutputStream());
            }
            assertEquals(s.sizeBytes(), size, s.name() + ": sizeBytes is the size of " + m.onnx());
        }
    }

    @Test
    void theGeneratedSampleSizeIsItsFp32Weights() {
        SampleModels.Sample s = SampleModels.find("random-gpt2-tiny").orElseThrow();
        SampleModels.Generated g = (SampleModels.Generated) s.source();
        assertEquals(2026, g.seed());
        assertEquals(0.25f, g.std());
        long bytes = RandomGpt2.tensors(SampleModels.RANDOM_GPT2_TINY_CONFIG, g.seed(), g.std()).values().stream()
                .mapToLong(t -> 4L * t.values().length).sum();
        assertEquals(s.sizeBytes(), bytes);
        assertEquals(SafeTensors.DType.F32, RandomGpt2.tensors(SampleModels.RANDOM_GPT2_TINY_CONFIG, 1, 0.1f)
                .values().iterator().next().dtype());
    }

    @Test
    void everyEntryOpensAndRuns() {
        for (SampleModels.Sample s : SampleModels.catalog()) {
            long start = System.nanoTime();
            try (LoadedModel m = SampleModels.open(s.name(), DjlRuntime.DeviceChoice.CPU)) {
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf(Locale.ROOT, "%s opened in %d ms%n", s.name(), millis);
                assertEquals(s.name(), m.name());
                assertEquals(s.architecture(), m.config().architecture().name().toLowerCase(Locale.ROOT));
                assertEquals(s.modelCard().layers(), m.config().nLayer(), s.name());
                assertEquals(s.modelCard().heads(), m.config().nHead(), s.name());
                assertEquals(s.modelCard().dModel(), m.config().dModel(), s.name());
                Tokenizer.Tokens suggested = m.tokenizer().encode(s.prompt());
                for (String token : suggested.strings()) {
                    assertFalse(token.equals("<unk>") || token.equals("[UNK]"), s.name() + " does not read its prompt: "
                            + String.join(" ", suggested.strings()));
                }
                assertTrue(suggested.size() > 1 && suggested.size() <= m.config().nPositions(), s.name() + ": " + suggested.size());
                Tokenizer.Tokens t = m.tokenizer().encode("The cat sat on the mat.");
                try (Stepper stepper = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF))) {
                    stepper.reset(t.ids());
                    stepper.runToEnd();
                    TensorData out = stepper.read(m.model().outputHook());
                    // [B, T, ...] over the prompt; an encoder-decoder's logits cover its decoder start token
                    assertEquals(m.config().encoderDecoder() ? 1 : t.size(), out.shape()[1], s.name());
                    for (float v : out.values()) {
                        assertTrue(Float.isFinite(v), s.name() + " produced " + v);
                    }
                }
            }
        }
    }
}
