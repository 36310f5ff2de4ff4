package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.Map;

/** A model the stepper can drive: it writes each forward pass out as a {@link Program} of named steps. */
public interface TransformerModel extends AutoCloseable {

    ModelConfig config();

    /** What the model can do and how its attention is laid out. */
    Capabilities capabilities();

    /** The manager that owns the weights; traces and caches are created under it. */
    NDManager manager();

    /** The steps of one forward pass. */
    Program program(Pass pass);

    /** The hook that holds the model's final output: logits for decoders, the last hidden state for encoders. */
    String outputHook();

    /**
     * The hook whose value a KV cache stores as a layer's keys: the keys the scores read, [B, T, Hkv, h].
     * {@code attn.hook_k} unless the model changes keys after projecting them (rotary models rotate them by
     * position: {@code attn.hook_rot_k}). A pass with a cache keeps this hook and {@code attn.hook_v}.
     */
    default String cacheKeyHook(int layer) {
        return HookName.Block.K.at(layer);
    }

    /** The hook whose value a KV cache stores as a layer's values, [B, T, Hkv, h]: {@code attn.hook_v}. */
    default String cacheValueHook(int layer) {
        return HookName.Block.V.at(layer);
    }

    /**
     * An encoder-decoder's cross-attention key hook of a decoder layer, [B, S, H, h], which the cache stores once
     * after the prompt; null for models without cross-attention.
     */
    default String crossKeyHook(int layer) {
        return null;
    }

    /** As {@link #crossKeyHook}, for the values. */
    default String crossValueHook(int layer) {
        return null;
    }

    /**
     * The trainable weights as the forward pass uses them, by checkpoint name (for training: set
     * requiresGradient, update in place). Models that cannot be trained throw.
     */
    default Map<String, NDArray> parameters() {
        throw new UnsupportedOperationException(capabilities().family() + " models cannot be trained here yet");
    }

    @Override
    void close();
}
