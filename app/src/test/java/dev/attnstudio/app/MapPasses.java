package dev.attnstudio.app;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;

import java.util.ArrayList;
import java.util.List;

/**
 * Passes of a chosen length for the map tests in other packages: the bundled tiny-gpt (byte-level, one token per
 * character, up to its 128 positions), and past that a random GPT-2 of the same tokenizer with a long position table.
 * Each pass runs to the end, so every layer's maps are computed.
 */
public final class MapPasses implements AutoCloseable {

    private static final String TEXT = "Maps should use the space they have, whatever the length of the prompt. ";

    private LoadedModel tiny;
    private LoadedModel longModel;
    private final List<Stepper> steppers = new ArrayList<>();

    /** A pass that ran to the end. */
    public record Pass(LoadedModel model, Stepper stepper, List<String> tokens) {
    }

    /** A pass of exactly {@code n} tokens (byte-level: n characters of a fixed text). */
    public Pass run(int n) {
        LoadedModel m = model(n);
        StringBuilder text = new StringBuilder();
        while (text.length() < n) {
            text.append(TEXT);
        }
        long[] ids = m.tokenizer().encode(text.substring(0, n)).ids();
        if (ids.length != n) {
            throw new IllegalStateException(n + " characters gave " + ids.length + " tokens");
        }
        Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT);
        steppers.add(s);
        s.reset(ids);
        s.runToEnd();
        List<String> labels = new ArrayList<>();
        for (long id : ids) {
            labels.add(m.tokenizer().decode(id).replace(' ', '\u2423'));
        }
        return new Pass(m, s, labels);
    }

    private LoadedModel model(int n) {
        if (n <= 128) {
            if (tiny == null) {
                tiny = SampleModels.open("tiny-gpt", DjlRuntime.DeviceChoice.CPU);
            }
            return tiny;
        }
        if (longModel == null) {
            ModelConfig config = new ModelConfig(2, 4, 64, 1100, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
            Tokenizer bytes = Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json");
            longModel = LoadedModel.of("long-random-gpt2", config, RandomGpt2.tensors(config, 7, 0.3f), bytes,
                    DjlRuntime.DeviceChoice.CPU);
        }
        return longModel;
    }

    @Override
    public void close() {
        steppers.forEach(Stepper::close);
        if (tiny != null) {
            tiny.close();
        }
        if (longModel != null) {
            longModel.close();
        }
    }
}
