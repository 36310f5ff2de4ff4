package dev.attnstudio.samples;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * The models that ship with Attention Studio, opened by name. For now one: a small GPT-2-architecture decoder
 * with seeded random weights, so the app and the command line run on a fresh clone with nothing downloaded.
 * Trained and pretrained samples join this list later.
 */
public final class SampleModels {

    /** One bundled model: its name and a one-line card. */
    public record Sample(String name, String architecture, String card) {
    }

    /** A 4-layer, 4-head GPT-2 (d_model 128, 256 byte tokens, 256 positions) with random weights (seed 2026). */
    public static final Sample RANDOM_GPT2_TINY = new Sample("random-gpt2-tiny", "gpt2",
            "4 layers x 4 heads, d_model 128, byte-level tokens, 256 positions. Weights are random (seed 2026, "
                    + "std 0.25): the attention shows the machinery (causal mask, cache, entropy), not language.");

    static final ModelConfig RANDOM_GPT2_TINY_CONFIG =
            new ModelConfig(4, 4, 128, 256, 256, 1e-5, ModelConfig.Activation.GELU_NEW);

    private SampleModels() {
    }

    public static List<Sample> catalog() {
        return List.of(RANDOM_GPT2_TINY);
    }

    /** The sample opened first when the app starts. */
    public static Sample defaultSample() {
        return RANDOM_GPT2_TINY;
    }

    /** Opens a bundled sample by name. */
    public static LoadedModel open(String name, DjlRuntime.DeviceChoice device) {
        if (name.equals(RANDOM_GPT2_TINY.name())) {
            Tokenizer tokenizer = Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json");
            return LoadedModel.of(name, RANDOM_GPT2_TINY_CONFIG,
                    RandomGpt2.tensors(RANDOM_GPT2_TINY_CONFIG, 2026, 0.25f), tokenizer, device);
        }
        throw new NoSuchElementException("no bundled sample named '" + name + "' (available: "
                + String.join(", ", catalog().stream().map(Sample::name).toList()) + ")");
    }
}
