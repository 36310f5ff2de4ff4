package dev.attnstudio.app.main;

import java.util.List;

/**
 * One line of the step list.
 *
 * @param index     position in the pass
 * @param name      the hook name the step computes
 * @param unit      what step-over treats as one unit: {@code embed}, {@code blocks.3}, {@code unembed}
 * @param unitStart whether this is the unit's first step
 * @param patches   the labels of the interventions that replaced the step's value; empty when none did
 * @param nonFinite "NaN" or "Inf" when this is the first step of the pass whose value was not finite (the engine's
 *                  {@code Trace.firstNonFinite}), else null
 */
public record StepRow(int index, String name, String unit, boolean unitStart, State state, List<String> patches,
                      String nonFinite) {

    public StepRow {
        patches = List.copyOf(patches);
    }

    /** A step whose value was finite (or is not computed yet). */
    public StepRow(int index, String name, String unit, boolean unitStart, State state, List<String> patches) {
        this(index, name, unit, unitStart, state, patches, null);
    }

    /** Whether an intervention replaced the step's value. */
    public boolean patched() {
        return !patches.isEmpty();
    }

    /** Where a step stands relative to the cursor. */
    public enum State {
        /** Not run yet. */
        PENDING,
        /** Run: its output exists (stepping back over it does not recompute it). */
        COMPUTED,
        /** Under the cursor (and computed). */
        CURRENT
    }

    public boolean computed() {
        return state != State.PENDING;
    }
}
