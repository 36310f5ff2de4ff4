package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;

/**
 * A function attached to a hook name, called with each value the name takes as a pass computes it, the way
 * TransformerLens's hook points work. Returning the tensor it was given reads it (capture); returning a new tensor of
 * the same shape replaces it (patch): later steps read the replacement and the trace keeps it, with the hook's label.
 *
 * <p>Arrays the hook creates besides its result are freed when the step ends; it must not close the tensor it was
 * given or what {@link HookContext#input} and {@link HookContext#value} hand it.
 */
@FunctionalInterface
public interface Hook {

    NDArray apply(NDArray tensor, HookContext context);
}
