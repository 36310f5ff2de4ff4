package dev.attnstudio.engine.diagnose;

import java.util.concurrent.CancellationException;

/**
 * Progress of a long diagnostic (the report card ablates every head, one forward pass each) and the way to stop it:
 * the diagnostic calls {@link #step} before each unit of work, and the caller's implementation may throw
 * {@link CancellationException} there to stop it (nothing is left half-written: the diagnostic returns nothing).
 */
@FunctionalInterface
public interface Work {

    /** Reports nothing and never stops. */
    Work NONE = (phase, done, total) -> {
    };

    /**
     * About to do unit {@code done} (0-based) of {@code total} of {@code phase} (e.g. "ablating heads").
     *
     * @throws CancellationException when the caller asked to stop
     */
    void step(String phase, int done, int total);
}
