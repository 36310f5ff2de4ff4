package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.hooks.HookName;

import java.util.List;

/**
 * One step of a forward pass: computes the tensor named {@code name} from earlier named tensors. What a program
 * needs to know about the step is data here (its kind, where it sits, its norm, its scale factor, its mask); the
 * one-line {@code math} is for people and is never parsed.
 *
 * @param name      the hook name of the output, e.g. {@code blocks.0.attn.hook_pattern}
 * @param kind      what the step computes
 * @param math      a one-line description of what the step computes, for people
 * @param inputs    names of the tensors it reads, in the order the kernel receives them
 * @param kernel    the computation; must return a new array, never one of its inputs
 * @param derivable true where the output is cheap to recompute from its inputs, so a compact trace need not
 *                  keep it (the score stages, norm outputs, residual sums)
 * @param group     what {@code stepOver} treats as one unit: {@code embed}, {@code blocks.3}, {@code unembed}
 * @param site      the stack, layer and sub-layer the step belongs to
 * @param norm      for {@link Kind#NORM} steps, which normalization; else null
 * @param scale     for {@link Kind#SCALE} steps, the factor the scores are multiplied by (1 where the model does
 *                  not scale, as T5); else NaN
 * @param mask      for {@link Kind#MASK} steps, which keys each query may see; else null
 * @param fast      how a fused run computes the step with fewer native calls, or null for its own kernel
 */
public record Op(String name, Kind kind, String math, List<String> inputs, Kernel kernel, boolean derivable,
                 String group, Site site, NormType norm, float scale, MaskSpec mask, Fast fast) {

    /** The computation of one step. Arrays it creates besides its result are freed when it returns. */
    @FunctionalInterface
    public interface Kernel {
        /**
         * @param in      the input tensors, in the order of {@link Op#inputs()}
         * @param manager the trace's manager, for kernels that create tensors from nothing (masks, positions)
         */
        NDArray apply(List<NDArray> in, NDManager manager);
    }

    /**
     * The same value as a step's kernel, computed with fewer native calls, valid only when nothing the step reads was
     * replaced by a hook (so the model's own mask is in force, the cached keys are the ones the cache holds). A fused
     * run uses it; the step-by-step path never does. E.g. a decode pass's scores read the past and present keys
     * where the KV cache already holds them side by side, instead of concatenating a copy.
     *
     * <p>A fast kernel may write its result over its first input ({@code overwrites}): the same values without a fresh
     * allocation, which at long prompts is a tensor [B, H, T, K] per step. A fused run then uses it only where no later
     * step reads that input and the trace does not keep it.
     *
     * @param inputs     the names it reads: some of the step's own inputs, in the order the kernel receives them
     * @param kernel     the computation
     * @param overwrites whether the kernel returns its first input, overwritten with the result
     */
    public record Fast(List<String> inputs, Kernel kernel, boolean overwrites) {
        public Fast {
            inputs = List.copyOf(inputs);
            if (overwrites && inputs.isEmpty()) {
                throw new IllegalArgumentException("a kernel that overwrites its first input needs an input");
            }
        }
    }

    /** What a step computes. */
    public enum Kind {
        /** Token (or segment) embedding lookup. */
        EMBED,
        /** Learned position embedding lookup. */
        POS_EMBED,
        /** LayerNorm or RMSNorm ({@link Op#norm()} says which). */
        NORM,
        Q_PROJ,
        K_PROJ,
        V_PROJ,
        /** Rotary position embedding of queries or keys. */
        ROTARY,
        /** Keys or values read back from the KV cache. */
        CACHE_READ,
        /** q . k for every query and key, per head. */
        QK_RAW,
        /** The scores scaled ({@link Op#scale()}), plus a position bias where the model adds one. */
        SCALE,
        /** Soft-capping, cap tanh(x / cap): Gemma 2's scores before the mask, and its logits. */
        SOFTCAP,
        /** A relative position bias added to the scores (T5). */
        POSITION_BIAS,
        /** The additive mask (0 allowed, -inf blocked). */
        MASK,
        /** Scores plus mask. */
        APPLY_MASK,
        SOFTMAX,
        /** The pattern-weighted sum of values, per head. */
        Z,
        OUT_PROJ,
        /** The residual stream passed on unchanged (the input of a block). */
        IDENTITY,
        /** A residual sum. */
        RESIDUAL_ADD,
        MLP_IN,
        MLP_ACT,
        MLP_OUT,
        UNEMBED
    }

    /** Which normalization a {@link Kind#NORM} step applies. */
    public enum NormType {
        /** (x - mean) / sqrt(var + eps) * gamma + beta. */
        LAYER_NORM,
        /** x / sqrt(mean(x^2) + eps) * w: no mean subtracted, no bias (LLaMA, T5). */
        RMS_NORM
    }

    /** The part of a block (or of the model) a step belongs to. */
    public enum SubLayer {
        EMBED,
        /** The residual stream entering a block. */
        BLOCK,
        ATTENTION,
        CROSS_ATTENTION,
        MLP,
        UNEMBED
    }

    /**
     * Where a step sits.
     *
     * @param stack    an encoder-decoder's stack, or null for a single-stack model
     * @param layer    the block, or -1 outside the blocks
     * @param subLayer the part of the block (or of the model)
     */
    public record Site(HookName.Stack stack, int layer, SubLayer subLayer) {
    }

    public Op {
        inputs = List.copyOf(inputs);
    }

    /** The same step, marked as one a compact trace recomputes instead of keeping. */
    Op derived() {
        return new Op(name, kind, math, inputs, kernel, true, group, site, norm, scale, mask, fast);
    }

    /** The same step with a fused run's way of computing it. */
    Op withFast(Fast f) {
        if (!inputs.containsAll(f.inputs())) {
            throw new IllegalStateException(name + ": a fused kernel may read only the step's own inputs " + inputs
                    + ", not " + f.inputs());
        }
        return new Op(name, kind, math, inputs, kernel, derivable, group, site, norm, scale, mask, f);
    }
}
