package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.program.HookContext;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The execution of one {@link Program}: runs its steps in order and owns the native memory of what it keeps.
 * Each trace has its own NDManager (a child of the model's), closed with the trace.
 *
 * <p>After each step it calls the {@link Hooks} attached to the step's name. A hook that returns a new tensor
 * replaces the step's value: later steps read the replacement, the trace keeps it whatever the capture mode (a
 * recomputation would lose the patch), and {@link #patches} records the hook's label.
 *
 * <p>Not thread-safe: one engine thread drives it.
 */
public final class Trace implements AutoCloseable {

    /**
     * A decode pass computing at most this many positions (a token per prompt row) runs its fused steps on one intra-op
     * thread. Its operations touch a few thousand numbers, and handing one to a second thread costs more than it saves:
     * on the 2-core machine measured (GPT-2 small, one decode token, each step timed), softmax 168 -> 24 us, gelu
     * 253 -> 104 us, the q.k product 515 -> 232 us, the token 41-44 -> 37.6-39.2 ms. Its large weight products still use
     * every thread ({@code RowBlockProduct}). The values stay those of stepping, which uses every thread: FastPathTest
     * finds them equal bit for bit in every family.
     */
    static final int ONE_THREAD_POSITIONS = 8;

    private final Program program;
    private final NDManager manager;
    private final Capture capture;
    private final Hooks hooks;
    private final PassKind kind;
    private final Map<String, NDArray> values = new HashMap<>();
    private final long[][] shapes;
    private final List<List<String>> patches;
    /** Per step: a hook replaced its value or one it was computed from (then its fused kernel is not used). */
    private final boolean[] patched;
    /** A decode pass of at most {@link #ONE_THREAD_POSITIONS} positions: fused runs go on one thread. */
    private final boolean narrow;
    private int executed;
    private boolean closed;
    /** The first step whose value held NaN or an infinity it should not, or null while none has. */
    private NonFinite firstNonFinite;

    /**
     * A step whose value was not finite: NaN anywhere, or an infinity outside the mask's blocked cells (a mask and the
     * masked scores hold -inf by design; +inf or NaN there is still wrong).
     *
     * @param hook the step's name
     * @param step its index in the program
     * @param what "NaN" or "Inf"
     */
    public record NonFinite(String hook, int step, String what) {
    }

    /**
     * @param parent the manager the trace's own manager is created under (the model's)
     * @param inputs token ids and token types [B, T], and an encoder-decoder's decoder ids (copied into the trace)
     * @param hooks  the hooks to call after each step (read when the step runs, so later additions apply)
     * @param kind   what kind of pass the program is, for the hooks' context
     */
    public Trace(Program program, NDManager parent, Capture capture, Batch inputs, Hooks hooks, PassKind kind) {
        this.program = program;
        this.capture = capture;
        this.hooks = hooks;
        this.kind = kind;
        this.manager = parent.newSubManager();
        this.shapes = new long[program.size()][];
        this.patched = new boolean[program.size()];
        this.patches = new ArrayList<>(program.size());
        for (int i = 0; i < program.size(); i++) {
            patches.add(List.of());
        }
        int positions = inputs.decoderIds() != null ? inputs.decoderLength() : inputs.length();
        this.narrow = kind == PassKind.DECODE && inputs.size() * positions <= ONE_THREAD_POSITIONS;
        values.put(Program.INPUT_IDS, table(inputs.ids()));
        values.put(Program.TOKEN_TYPE_IDS, table(inputs.tokenTypes()));
        if (inputs.decoderIds() != null) {
            values.put(Program.DECODER_INPUT_IDS, table(inputs.decoderIds()));
        }
    }

    private NDArray table(long[][] rows) {
        int len = rows[0].length;
        long[] flat = new long[rows.length * len];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, flat, b * len, len);
        }
        // PyTorch-owned: an embedding lookup's backward pass reads the ids after the trace is gone
        return Tensors.owned(manager, flat, new Shape(rows.length, len));
    }

    /** Whether fused runs of this pass go on one intra-op thread ({@link #ONE_THREAD_POSITIONS}). */
    boolean narrow() {
        return narrow;
    }

    public Program program() {
        return program;
    }

    public Capture capture() {
        return capture;
    }

    /** Number of steps run so far. */
    public int executed() {
        return executed;
    }

    public boolean complete() {
        return executed == program.size();
    }

    /** What kind of pass this is. */
    public PassKind kind() {
        return kind;
    }

    /** Runs the next step and returns it. Only the stepper drives a trace, so passes and the cache stay in step. */
    Op runNext() {
        requireOpen();
        if (complete()) {
            throw new IllegalStateException("the pass is complete");
        }
        Op op = program.op(executed);
        compute(executed, false);
        return op;
    }

    /**
     * Whether nothing looks at step {@code i} as it is computed: no hook is attached to its name. Such steps may run
     * fused ({@link #runFused}).
     */
    private boolean unobserved(int i) {
        return hooks.matching(program.op(i).name()).isEmpty();
    }

    /**
     * Where a fused run from the next step may end: after the steps, in order, that nobody looks at ({@link #unobserved})
     * and that {@code more} accepts (the stepper keeps a run within one unit and stops it at a breakpoint).
     */
    int fusableEnd(IntPredicate more) {
        int end = executed;
        while (end < program.size() && unobserved(end) && more.test(end)) {
            end++;
        }
        return end;
    }

    /**
     * Runs the steps from the next one up to (not including) {@code end} as one fused run: what nobody looks at
     * ({@link #unobserved}; the caller also leaves out breakpoints). The values are the step path's, and the trace
     * keeps what its capture mode keeps, but a step whose inputs no hook replaced in this pass (directly or upstream)
     * uses its {@link Op.Fast} kernel when it has one, and only the values the trace keeps are checked for NaN and
     * infinities: {@link #firstNonFinite} then names the first kept step holding one, which the non-finite value
     * reached at or after its first appearance.
     */
    void runFused(int end) {
        requireOpen();
        if (end <= executed || end > program.size()) {
            throw new IllegalArgumentException("cannot run steps " + executed + " to " + end + " of " + program.size());
        }
        if (narrow) {
            DjlRuntime.withIntraOpThreads(1, () -> {
                fuse(end);
                return null;
            });
        } else {
            fuse(end);
        }
    }

    private void fuse(int end) {
        List<NDArray> probes = new ArrayList<>();
        List<Integer> probed = new ArrayList<>();
        try {
            while (executed < end) {
                if (!unobserved(executed)) {
                    throw new IllegalStateException(program.op(executed).name() + " has a hook: it runs on its own, not fused");
                }
                int i = executed;
                NDArray probe = compute(i, true);
                if (probe != null) {
                    probes.add(probe);
                    probed.add(i);
                }
            }
            checkFinite(probes, probed);
        } finally {
            probes.forEach(NDArray::close);
        }
    }

    /**
     * The fused run's check for NaN and infinities: one sum over the kept steps' probes, read once; only when it is not
     * finite is each kept step looked at, in order, to name the first.
     */
    private void checkFinite(List<NDArray> probes, List<Integer> probed) {
        if (probes.isEmpty() || firstNonFinite != null) {
            return;
        }
        try (NDScope ignored = new NDScope()) {
            if (FiniteCheck.allFinite(probes)) {
                return;
            }
            for (int i : probed) {
                Op op = program.op(i);
                String what = FiniteCheck.nonFinite(op, values.get(op.name()));
                if (what != null) {
                    firstNonFinite = new NonFinite(op.name(), i, what);
                    return;
                }
            }
        }
    }

    /**
     * Computes step {@code i} (the next one), calls its hooks unless fused, and keeps or frees values. Stepping, it
     * checks the value for NaN and infinities; fused, it returns a probe of a kept value for {@link #checkFinite} (null
     * when there is nothing to check), which the caller closes.
     */
    private NDArray compute(int i, boolean fused) {
        Op op = program.op(i);
        boolean taint = readsPatched(op);
        Op.Fast fast = fused && !taint ? op.fast() : null;
        if (fast != null && fast.overwrites() && !dies(fast.inputs().get(0), i)) {
            fast = null; // its first input is read later or kept: the step's own kernel leaves it as it is
        }
        List<String> reads = fast == null ? op.inputs() : fast.inputs();
        NDArray out;
        NDArray probe = null;
        try (NDScope ignored = new NDScope()) {
            List<NDArray> in = new ArrayList<>(reads.size());
            for (String name : reads) {
                in.add(values.get(name));
            }
            out = (fast == null ? op.kernel() : fast.kernel()).apply(in, manager);
            if (!fused) {
                out = applyHooks(op, i, out, in);
            }
            if (firstNonFinite == null && !fused) {
                String what = FiniteCheck.nonFinite(op, out);
                firstNonFinite = what == null ? null : new NonFinite(op.name(), i, what);
            } else if (firstNonFinite == null && retains(i) && FiniteCheck.checkable(out)) {
                probe = FiniteCheck.probe(op, out);
                NDScope.unregister(probe);
            }
            NDScope.unregister(out);
        }
        if (fast != null && fast.overwrites()) {
            values.remove(fast.inputs().get(0)); // the array now holds this step's value, under its name
        }
        out.attach(manager);
        out.setName(op.name());
        values.put(op.name(), out);
        shapes[i] = out.getShape().getShape();
        patched[i] = taint || !patches.get(i).isEmpty();
        executed++;
        releaseInputsOf(i);
        return probe;
    }

    /** Whether step {@code i} is the last to read {@code name} and the trace does not keep it, so it may be overwritten. */
    private boolean dies(String name, int i) {
        int producer = program.indexOf(name);
        return producer >= 0 && program.lastUse(producer) == i && !retains(producer);
    }

    /** Whether a hook replaced, in this pass, a value the step reads or one those were computed from. */
    private boolean readsPatched(Op op) {
        for (String name : op.inputs()) {
            int producer = program.indexOf(name);
            if (producer >= 0 && patched[producer]) {
                return true;
            }
        }
        return false;
    }

    /** The first step of this pass whose value was not finite (see {@link NonFinite}), if any ran. */
    public Optional<NonFinite> firstNonFinite() {
        return Optional.ofNullable(firstNonFinite);
    }

    /** Calls the hooks attached to step {@code i} in order; returns the value they leave (patched or not). */
    private NDArray applyHooks(Op op, int i, NDArray out, List<NDArray> in) {
        List<Hooks.Binding> bound = hooks.matching(op.name());
        if (bound.isEmpty()) {
            return out;
        }
        HookContext context = new HookContext(op, program, kind, manager, in, name -> valueOf(name, true));
        List<String> labels = new ArrayList<>();
        for (Hooks.Binding b : bound) {
            NDArray next = b.hook().apply(out, context);
            if (next == null) {
                throw new IllegalStateException("the hook '" + b.label() + "' returned nothing for " + op.name()
                        + ": return the tensor itself to leave it unchanged");
            }
            if (next != out) {
                if (!fits(op, out.getShape().getShape(), next.getShape().getShape())) {
                    throw new IllegalStateException("the hook '" + b.label() + "' replaced " + op.name() + " "
                            + out.getShape() + " by a tensor of shape " + next.getShape() + ": a patch must keep the shape"
                            + (op.kind() == Op.Kind.MASK ? " (a mask may also be [B or 1, 1, T or 1, K])" : ""));
                }
                labels.add(b.label());
                out = next;
            }
        }
        if (!labels.isEmpty()) {
            patches.set(i, List.copyOf(labels));
        }
        return out;
    }

    /**
     * Whether a patch has a shape later steps can read: the step's own, or for a mask any of the shapes a mask may
     * have, [B or 1, 1, T or 1, K] (an override that depends on positions where the model's mask did not).
     */
    private static boolean fits(Op op, long[] before, long[] after) {
        if (Arrays.equals(before, after)) {
            return true;
        }
        if (op.kind() != Op.Kind.MASK || after.length != 4) {
            return false;
        }
        MaskSpec m = op.mask();
        return (after[0] == 1 || after[0] == m.batch()) && after[1] == 1 && (after[2] == 1 || after[2] == m.queries())
                && after[3] == m.keys();
    }

    /** The labels of the hooks that replaced a step's value, in order; empty when it was not patched. */
    public List<String> patches(String name) {
        int i = program.indexOf(name);
        return i < 0 ? List.of() : patches.get(i);
    }

    /** The names of the steps whose value a hook replaced, in step order. */
    public List<String> patchedNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < executed; i++) {
            if (!patches.get(i).isEmpty()) {
                names.add(program.op(i).name());
            }
        }
        return names;
    }

    /** Whether a hook's value can be read now (run, and kept or derivable from what is kept). */
    public boolean available(String name) {
        return available(name, false);
    }

    /** @param anyCapture whether derivable steps may be recomputed even in a plain (capture off) pass */
    private boolean available(String name, boolean anyCapture) {
        int i = program.indexOf(name);
        if (i < 0 || i >= executed) {
            return false;
        }
        if (values.containsKey(name)) {
            return true;
        }
        if ((capture == Capture.OFF && !anyCapture) || !program.op(i).derivable()) {
            return false;
        }
        return program.op(i).inputs().stream().allMatch(in -> Program.isInput(in) || available(in, anyCapture));
    }

    /** Copies a hook's value out as Java arrays, recomputing it if the trace did not keep it. */
    public TensorData read(String name) {
        try (NDScope ignored = new NDScope()) {
            return TensorData.of(name, valueOf(name));
        }
    }

    /**
     * Copies part of a hook's value out, selected by an index in NDIndex's notation: integers (negative from the end),
     * {@code :} for a whole axis and {@code a:b} for a range, one per leading axis, with {@code {}} standing for the
     * arguments in turn. {@code read(LOGITS, "0, -1")} is the last position of batch row 0; {@code read(name, "0, :, {}",
     * head)} a head's column of every position.
     */
    public TensorData read(String name, String index, Object... args) {
        try (NDScope ignored = new NDScope()) {
            return TensorData.of(name, valueOf(name).get(new NDIndex(index, args)));
        }
    }

    /** Shape of a computed step's output, as recorded when it ran (nothing is recomputed). */
    public long[] shapeOf(String name) {
        int i = program.indexOf(name);
        if (i < 0 || i >= executed) {
            throw new IllegalStateException(name + " has not been computed in this pass");
        }
        return shapes[i].clone();
    }

    /**
     * The native value of a hook. Kept values are returned as they are (owned by the trace: do not close);
     * derived ones are created in the current {@link NDScope}, which the caller must have opened, or they would
     * land in whichever manager their first operand belongs to (for an embedding lookup: the weights').
     */
    NDArray valueOf(String name) {
        return valueOf(name, false);
    }

    /**
     * As {@link #valueOf(String)}; hooks read with {@code anyCapture}, so a cheap earlier step (a mask) can be
     * recomputed for them even in a plain pass.
     */
    private NDArray valueOf(String name, boolean anyCapture) {
        requireOpen();
        NDArray kept = values.get(name);
        if (kept != null) {
            return kept;
        }
        int i = program.indexOf(name);
        if (Program.isInput(name)) {
            throw new IllegalStateException(name + " is not an input of this pass");
        }
        if (i < 0) {
            throw new IllegalArgumentException("this pass has no step named '" + name + "'");
        }
        if (i >= executed) {
            throw new IllegalStateException(name + " has not been computed yet (step " + (i + 1) + " of "
                    + program.size() + ", " + executed + " run)");
        }
        if (!available(name, anyCapture)) {
            throw new IllegalStateException(name + " was not kept: this pass ran with capture " + capture);
        }
        Op op = program.op(i);
        List<NDArray> in = new ArrayList<>();
        for (String input : op.inputs()) {
            in.add(valueOf(input, anyCapture));
        }
        return op.kernel().apply(in, manager);
    }

    /** Bytes of native memory the trace keeps (values that are views of weights count in full). */
    public long retainedBytes() {
        long bytes = 0;
        for (NDArray a : values.values()) {
            bytes += a.size() * a.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    /** Names of the values the trace keeps, in step order. */
    public List<String> keptNames() {
        List<String> names = new ArrayList<>();
        for (Op op : program.ops()) {
            if (values.containsKey(op.name())) {
                names.add(op.name());
            }
        }
        return names;
    }

    /**
     * Frees every kept value except the inputs: for a plain (capture off) pass whose result has been used,
     * such as a prompt's logits once the next token was sampled from them.
     */
    void releaseKept() {
        for (Op op : program.ops()) {
            NDArray a = values.remove(op.name());
            if (a != null) {
                a.close();
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this trace was closed (its prompt was reset)");
        }
    }

    private void releaseInputsOf(int i) {
        for (String name : program.op(i).inputs()) {
            int producer = program.indexOf(name);
            if (producer >= 0 && program.lastUse(producer) == i && !retains(producer)) {
                NDArray a = values.remove(name);
                if (a != null) {
                    a.close();
                }
            }
        }
        if (program.lastUse(i) == i && !retains(i)) {
            values.remove(program.op(i).name()).close();
        }
    }

    private boolean retains(int i) {
        Op op = program.op(i);
        if (program.keep().contains(op.name()) || !patches.get(i).isEmpty()) {
            return true;
        }
        return switch (capture) {
            case OFF -> false;
            case COMPACT -> !op.derivable();
            case FULL -> true;
        };
    }

    @Override
    public void close() {
        closed = true;
        values.clear();
        manager.close();
    }
}
