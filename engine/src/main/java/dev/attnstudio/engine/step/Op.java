package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * One step of a forward pass: computes the tensor named {@code name} from earlier named tensors.
 *
 * @param name      the hook name of the output, e.g. {@code blocks.0.attn.hook_pattern}
 * @param math      a one-line description of what the step computes, for people
 * @param inputs    names of the tensors it reads, in the order the kernel receives them
 * @param kernel    the computation; must return a new array, never one of its inputs
 * @param derivable true where the output is cheap to recompute from its inputs, so a compact trace need not
 *                  keep it (the score stages, LayerNorm outputs, residual sums)
 * @param group     what {@code stepOver} treats as one unit: {@code embed}, {@code blocks.3}, {@code unembed}
 */
public record Op(String name, String math, List<String> inputs, Kernel kernel, boolean derivable, String group) {

    /** The computation of one step. Arrays it creates besides its result are freed when it returns. */
    @FunctionalInterface
    public interface Kernel {
        /**
         * @param in      the input tensors, in the order of {@link Op#inputs()}
         * @param manager the trace's manager, for kernels that create tensors from nothing (masks, positions)
         */
        NDArray apply(List<NDArray> in, NDManager manager);
    }

    public Op {
        inputs = List.copyOf(inputs);
    }
}
