package dev.attnstudio.lessons.run;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * What a page's prompt and actions do to a stepper, for any host that drives one: the headless checker, and the app
 * on its engine thread. Call from the thread that owns the model's DJL work.
 */
public final class EngineActions {

    private EngineActions() {
    }

    /**
     * The batch a prompt is: its texts tokenized with the model's tokenizer (several rows padded on the right, or on
     * the left when the prompt says so) or
     * its ids, with an encoder-decoder's decoder ids.
     *
     * @throws IllegalArgumentException when the model cannot read it (no tokenizer, decoder ids for a decoder, ...)
     */
    public static Batch batch(Prompt prompt, LoadedModel model) {
        List<long[]> rows = new ArrayList<>();
        List<long[]> types = new ArrayList<>();
        if (prompt.isText()) {
            Tokenizer tokenizer = model.tokenizer();
            if (tokenizer == null) {
                throw new IllegalArgumentException(model.name() + " has no tokenizer.json, so it cannot read text: give"
                        + " the prompt as \"ids\"");
            }
            for (String text : prompt.texts()) {
                Tokenizer.Tokens t = tokenizer.encode(text);
                if (t.size() == 0) {
                    throw new IllegalArgumentException("the text \"" + text + "\" has no tokens");
                }
                rows.add(t.ids());
                types.add(t.typeIds());
            }
        } else {
            rows.addAll(prompt.ids());
            rows.forEach(r -> types.add(new long[r.length]));
        }
        long vocab = model.config().vocabSize();
        for (long[] row : rows) {
            for (long id : row) {
                if (id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " is outside " + model.name() + "'s vocabulary of "
                            + vocab);
                }
            }
        }
        Batch batch = Batch.pad(rows, types, prompt.padLeft() ? Batch.Padding.LEFT : Batch.Padding.RIGHT,
                prompt.padId());
        if (prompt.decoderIds() != null) {
            if (!model.model().capabilities().readsSource()) {
                throw new IllegalArgumentException("decoderIds only apply to an encoder-decoder; " + model.name()
                        + " has one stack");
            }
            batch = batch.withDecoder(new long[][] {prompt.decoderIds()});
        }
        return batch;
    }

    /**
     * Runs one action. {@code prompt} is what a reset (and an intervention switch, which starts the pass over) resets
     * on. Mask-bug switches must have been resolved into {@link Action.Intervene} by the runner.
     *
     * @throws IllegalArgumentException or IllegalStateException when the action cannot run here (the message says why)
     */
    public static void perform(Action action, Stepper stepper, Batch prompt) {
        if (action instanceof Action.Reset) {
            stepper.reset(prompt);
        } else if (action instanceof Action.Step s) {
            for (int i = 0; i < s.count(); i++) {
                if (stepper.step() == null) {
                    throw new IllegalStateException("the passes ended after " + i + " of " + s.count() + " steps");
                }
            }
        } else if (action instanceof Action.StepBack s) {
            for (int i = 0; i < s.count(); i++) {
                stepper.stepBack();
            }
        } else if (action instanceof Action.StepOver s) {
            for (int i = 0; i < s.count(); i++) {
                if (stepper.stepOver() == null) {
                    throw new IllegalStateException("the passes ended after " + i + " of " + s.count() + " step-overs");
                }
            }
        } else if (action instanceof Action.RunTo r) {
            if (stepper.runTo(r.pattern()) == null) {
                throw new IllegalArgumentException("no step after the cursor matches \"" + r.pattern() + "\": the pass ran"
                        + " to its end (is it a hook of this model, and not passed already?)");
            }
        } else if (action instanceof Action.RunToEnd) {
            stepper.runToEnd();
        } else if (action instanceof Action.Generate g) {
            Sampler sampler = new Sampler(g.sampling());
            for (int i = 0; i < g.tokens(); i++) {
                stepper.generate(sampler);
                stepper.runToEnd();
            }
        } else if (action instanceof Action.Intervene i) {
            Interventions now = stepper.options().interventions();
            Interventions next = i.on() ? now.with(Interventions.parse(i.spec())) : now.without(i.spec());
            stepper.setOptions(stepper.options().withInterventions(next));
            stepper.reset(prompt);
        } else {
            throw new IllegalArgumentException("a " + action.name() + " action must be resolved by the runner first");
        }
    }
}
