package dev.attnstudio.samples;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.*;

class SampleModelsTest {

    @Test
    void bundledSampleOpensTokenizesAndRuns() {
        try (LoadedModel m = SampleModels.open(SampleModels.defaultSample().name(), DjlRuntime.DeviceChoice.CPU)) {
            String text = "The cat sat. Ünïcode ok";
            Tokenizer.Tokens tokens = m.tokenizer().encode(text);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertEquals(bytes.length, tokens.size(), "byte-level: one token per byte");
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(bytes[i] & 0xFF, tokens.ids()[i]);
            }
            assertEquals(text, m.tokenizer().decode(tokens.ids()));
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                s.reset(tokens.ids());
                s.runToEnd();
                assertTrue(s.finished());
            }
        }
        assertThrows(NoSuchElementException.class, () -> SampleModels.open("nope", DjlRuntime.DeviceChoice.CPU));
    }
}
