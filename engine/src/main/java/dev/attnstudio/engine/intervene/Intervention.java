package dev.attnstudio.engine.intervene;

import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Hooks;

/**
 * A named, parameterised change to the forward pass, made of hooks: ablate a head, switch off the score scaling or
 * the positions, replace the mask, or inject one of the classic mask bugs. Each has a command-line form
 * ({@link #spec()}, parsed back by {@link Interventions#parse}) and a short label that traces record on every value it
 * replaced.
 */
public interface Intervention {

    /** The command-line form, e.g. {@code ablate:1.2}, {@code no-scaling}, {@code mask:window:4}. */
    String spec();

    /** A few words for people, recorded on every value the intervention replaced, e.g. "ablate L1.H2 (zero)". */
    String label();

    /**
     * Attaches the intervention's hooks for one run (from a prompt's reset to the next). Hooks that keep state across
     * the passes of a run (a mean over the prompt, the prompt's length) get it fresh here.
     *
     * @return a handle that removes every hook attached
     */
    Hooks.Handle attach(Hooks hooks);

    /**
     * Checks that the intervention fits the model (a head that exists, a sub-layer the model has).
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    default void check(Capabilities model) {
    }

    /** Whether a loss over a padded batch counts the padding positions too (the padding-in-loss bug). */
    default boolean countsPaddingInLoss() {
        return false;
    }
}
