package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.step.Program;

/** A model the stepper can drive: it writes each forward pass out as a {@link Program} of named steps. */
public interface TransformerModel extends AutoCloseable {

    ModelConfig config();

    /** The manager that owns the weights; traces and caches are created under it. */
    NDManager manager();

    /** The steps of one forward pass. */
    Program program(Pass pass);

    /** The hook that holds the model's final output: logits for decoders, the last hidden state for encoders. */
    String outputHook();

    @Override
    void close();
}
