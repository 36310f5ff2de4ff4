package dev.attnstudio.app.panels;

import dev.attnstudio.app.tokens.Continuation;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.NextTokenDistribution;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the model predicts next: the most probable tokens after the last pass, with their probabilities under
 * the sampling temperature, and which of them the sampler may pick under its top-k and top-p cuts.
 *
 * @param group        the pass whose last logits were read (the last one), or -1 when there is none
 * @param ready        whether there are probabilities (the last pass is complete and the model generates: a decoder
 *                     or an encoder-decoder, whose next token is its decoder's)
 * @param note         why not, or empty
 * @param config       the sampling settings the probabilities and cuts are for
 * @param candidates   the most probable tokens, most probable first
 * @param kept         how many tokens (over the whole vocabulary) the sampler may pick
 * @param keptMass     their total probability
 * @param shownMass    total probability of the candidates
 * @param sequence     tokens in the sequence so far
 * @param lastChoice   the token generated last and its probability ("'x' p=0.31"), or empty
 * @param text         the prompt and what was generated after it, as text; null when there is no prompt
 */
public record GenerationData(int group, boolean ready, String note, SamplingConfig config, List<Candidate> candidates,
                             int kept, double keptMass, double shownMass, int sequence, String lastChoice,
                             Continuation text) {

    /** Candidates reported by default. */
    public static final int TOP = 12;

    /**
     * One candidate next token.
     *
     * @param sampleable whether the sampler may pick it under the config's top-k / top-p (greedy: only the first)
     */
    public record Candidate(int token, String label, double probability, boolean sampleable) {
    }

    /** Reads the last pass's final logits (if it is complete) and ranks the next tokens. Engine thread only. */
    public static GenerationData from(Stepper stepper, LoadedModel model, SamplingConfig config, int top) {
        if (!model.model().capabilities().generates()) {
            return notReady(-1, config, "Generation needs a decoder; " + model.name() + " is an encoder.", 0, "", null);
        }
        List<Stepper.Group> groups = stepper.groups();
        if (groups.isEmpty()) {
            return notReady(-1, config, "No prompt yet.", 0, "", null);
        }
        Continuation text = Continuation.of(stepper, model.tokenizer());
        int g = groups.size() - 1;
        Stepper.Group last = groups.get(g);
        int sequence = stepper.tokens().length;
        String lastChoice = "";
        if (g > 0) {
            Sampler.Choice c = groups.get(g - 1).next();
            lastChoice = String.format(Locale.ROOT, "'%s' p=%.3f", TokenLabels.label(model.tokenizer(), c.token()),
                    c.probability());
        }
        if (!last.trace().complete()) {
            return notReady(g, config, g == 0
                    ? "Run the prompt's pass to its end (Ctrl+Enter) to see the next-token probabilities; "
                    + "generating runs it first."
                    : "Run the new pass " + g + " (reading " + lastChoice + ") to its end (Ctrl+Enter) to see its "
                    + "next-token probabilities.", sequence, lastChoice, text);
        }
        NextTokenDistribution d = NextTokenDistribution.of(stepper.lastLogits(last), config, top);
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < d.tokens().length; i++) {
            candidates.add(new Candidate(d.tokens()[i], TokenLabels.label(model.tokenizer(), d.tokens()[i]),
                    d.probabilities()[i], i < d.kept()));
        }
        return new GenerationData(g, true, "", config, List.copyOf(candidates), d.kept(), d.keptMass(),
                d.reportedMass(), sequence, lastChoice, text);
    }

    private static GenerationData notReady(int group, SamplingConfig config, String note, int sequence, String last,
                                           Continuation text) {
        return new GenerationData(group, false, note, config, List.of(), 0, 0, 0, sequence, last, text);
    }
}
