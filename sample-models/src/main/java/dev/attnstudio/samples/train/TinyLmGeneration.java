package dev.attnstudio.samples.train;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * A continuation of a prompt, generated the way the app generates: the engine's {@link Stepper} with the KV cache
 * (one prefill pass, then one decode pass per token), choosing each token with a {@link Sampler}.
 *
 * @param prompt    the prompt text
 * @param config    how tokens were chosen
 * @param tokens    the generated token ids (the prompt's not included)
 * @param text      the generated text, decoded by the model's tokenizer (the prompt's not included)
 */
public record TinyLmGeneration(String prompt, SamplingConfig config, long[] tokens, String text) {

    /** The prompt the cards use. */
    public static final String PROMPT = "And God said";
    /** The sampled (non-greedy) setting the cards use. */
    public static final SamplingConfig SAMPLED = new SamplingConfig(0.8, 20, 1, 7);

    /**
     * Generates until the context is full ({@code n_positions} tokens in all) or {@code maxTokens} are made.
     *
     * @throws IllegalArgumentException if the model has no tokenizer
     */
    public static TinyLmGeneration of(LoadedModel model, String prompt, SamplingConfig config, int maxTokens) {
        Tokenizer tokenizer = model.tokenizer();
        if (tokenizer == null) {
            throw new IllegalArgumentException(model.name() + " has no tokenizer to read the prompt with");
        }
        long[] ids = tokenizer.encode(prompt).ids();
        int n = Math.min(maxTokens, model.config().nPositions() - ids.length);
        Sampler sampler = new Sampler(config);
        try (Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF).withCache(true))) {
            stepper.reset(ids);
            for (int i = 0; i < n; i++) {
                stepper.generate(sampler);
            }
            long[] all = stepper.tokens();
            long[] generated = Arrays.copyOfRange(all, ids.length, all.length);
            return new TinyLmGeneration(prompt, config, generated, tokenizer.decode(generated));
        }
    }

    /** The prompt followed by the generated text. */
    public String fullText() {
        return prompt + text;
    }

    /** How the tokens were chosen, in words. */
    public String describe() {
        return config.greedy() ? "greedy (arg-max)"
                : String.format(java.util.Locale.ROOT, "temperature %s, top-k %d, seed %d", config.temperature(),
                        config.topK(), config.seed());
    }
}
