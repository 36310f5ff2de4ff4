package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.hooks.HookName;

import java.util.List;
import java.util.function.Function;

/**
 * What a {@link Hook} knows about the step it is called on: the step itself (name, kind, site, mask), the pass
 * (batch, positions, past, padding, kind), the model's head counts, and read access to the step's inputs and to any
 * earlier value of the pass.
 */
public final class HookContext {

    private final Op op;
    private final Program program;
    private final PassKind passKind;
    private final NDManager manager;
    private final List<NDArray> inputs;
    private final Function<String, NDArray> values;

    /**
     * @param manager the trace's manager, for tensors made from Java values
     * @param inputs  the step's inputs, in the order of {@link Op#inputs()}
     * @param values  reads any step of the pass computed so far, by name
     */
    public HookContext(Op op, Program program, PassKind passKind, NDManager manager, List<NDArray> inputs,
                       Function<String, NDArray> values) {
        this.op = op;
        this.program = program;
        this.passKind = passKind;
        this.manager = manager;
        this.inputs = List.copyOf(inputs);
        this.values = values;
    }

    /** The hook name of the step, e.g. {@code blocks.1.attn.hook_z}. */
    public String name() {
        return op.name();
    }

    /** The step: its kind, site, norm, scale factor or mask. */
    public Op op() {
        return op;
    }

    /** The block the step belongs to, or -1 outside the blocks. */
    public int layer() {
        return op.site().layer();
    }

    /** An encoder-decoder's stack the step belongs to, or null for a single-stack model. */
    public HookName.Stack stack() {
        return op.site().stack();
    }

    /** Query heads (H). */
    public int heads() {
        return program.heads();
    }

    /** Key/value heads (Hkv). */
    public int kvHeads() {
        return program.kvHeads();
    }

    /** Batch rows (B). */
    public int batch() {
        return program.pass().batch();
    }

    /** Absolute position of the first position the step computes (0 in a prompt and in an encoder). */
    public int firstPosition() {
        return stack() == HookName.Stack.ENCODER ? 0 : program.pass().past();
    }

    /** Positions the step computes (T; an encoder's S). */
    public int positions() {
        return stack() == HookName.Stack.ENCODER ? program.pass().sourceLength() : program.pass().length();
    }

    public PassKind passKind() {
        return passKind;
    }

    /** The pass: batch, positions, past, padding masks. */
    public Pass pass() {
        return program.pass();
    }

    /** The trace's manager; tensors a hook makes from Java values belong here. */
    public NDManager manager() {
        return manager;
    }

    /** The step's {@code i}-th input (do not close it). */
    public NDArray input(int i) {
        return inputs.get(i);
    }

    /** The value of a step of this pass computed before this one (do not close it). */
    public NDArray value(String name) {
        return values.apply(name);
    }
}
