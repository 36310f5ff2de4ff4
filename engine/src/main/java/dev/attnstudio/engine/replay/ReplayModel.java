package dev.attnstudio.engine.replay;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.TensorData;

/**
 * A model that has no weights: each pass's program is the recorded steps of the matching recorded pass, and each
 * step's kernel returns the recorded value. A {@link dev.attnstudio.engine.step.Stepper} driving it rebuilds the
 * recorded traces exactly, so everything that reads a Stepper (the app's views) reads a recording as it reads a live
 * run, and memory holds the recorded tensors only, never the weights.
 *
 * <p>A pass is matched to a recording by its past length (0 for the prompt's pass; for a decode pass the positions
 * in the cache, which differ between passes). Steps the run did not record are left out of the program: they are
 * not available, as in a trace that did not keep them. A replayed pass runs no forward computation, so a patch
 * would not reach later steps: once the recording is replayed the model is {@link #seal sealed} and refuses any
 * other pass.
 */
public final class ReplayModel implements TransformerModel {

    private final ModelConfig config;
    private final Capabilities capabilities;
    private final String outputHook;
    private final Recording recording;
    private final NDManager manager;
    /** Set once the recording was replayed: any further pass would be a new forward pass, which needs weights. */
    private volatile boolean sealed;

    /**
     * @param config       the recorded model's geometry (positions and vocabulary bound the prompt, as for the model)
     * @param capabilities the recorded model's capabilities
     * @param manager      owns the replayed values; closed with the model
     */
    public ReplayModel(ModelConfig config, Capabilities capabilities, String outputHook, Recording recording,
                       NDManager manager) {
        this.config = config;
        this.capabilities = capabilities;
        this.outputHook = outputHook;
        this.recording = recording;
        this.manager = manager;
    }

    /** A replay whose values live on the CPU, in a manager of their own. */
    public static ReplayModel of(ModelConfig config, Capabilities capabilities, String outputHook, Recording recording) {
        NDManager manager = NDManager.newBaseManager(DjlRuntime.device(DjlRuntime.DeviceChoice.CPU),
                DjlRuntime.engine().getEngineName());
        return new ReplayModel(config, capabilities, outputHook, recording, manager);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public String outputHook() {
        return outputHook;
    }

    /** The recorded keys a cache stores: rotated keys for rotary models, as the live model's cache does. */
    @Override
    public String cacheKeyHook(int layer) {
        return (capabilities.rotatedKeys() ? HookName.Block.ROT_K : HookName.Block.K).at(layer);
    }

    /** The recording this model replays. */
    public Recording recording() {
        return recording;
    }

    /** The recorded pass whose past length the stepper asks for. */
    public int passOf(int past) {
        for (int g = 0; g < recording.passes(); g++) {
            if (recording.past(g) == past) {
                return g;
            }
        }
        throw new IllegalStateException("nothing was recorded for a pass after " + past
                + " cached positions: the recording ends there");
    }

    /**
     * Refuses every pass from now on: after the recorded passes were replayed, a pass is a new computation (a view's
     * own forward pass, an intervention, another prompt), which a recording cannot answer; it would return recorded
     * values that the change did not reach.
     */
    public void seal() {
        sealed = true;
    }

    @Override
    public Program program(Pass pass) {
        if (sealed) {
            throw new UnsupportedOperationException("this is a recorded trace, not a model: it has no weights to run "
                    + "a new forward pass (open the model itself for this)");
        }
        int g = passOf(pass.past());
        Program.Builder b = new Program.Builder(pass, capabilities.heads(), capabilities.kvHeads());
        for (Recording.Step s : recording.steps(g)) {
            if (!recording.recorded(g, s.name())) {
                continue;
            }
            String name = s.name();
            Op.Kernel replay = (in, m) -> {
                TensorData d = recording.read(g, name);
                return m.create(d.values(), new Shape(d.shape()));
            };
            b.group(s.unit());
            if (s.site() != null) {
                b.site(s.site().stack(), s.site().layer(), s.site().subLayer());
            }
            if (s.kind() == Op.Kind.NORM && s.norm() != null) {
                b.norm(name, s.norm(), s.math(), replay);
            } else if (s.kind() == Op.Kind.SCALE) {
                b.scale(name, s.scale(), s.math(), replay);
            } else {
                b.op(name, s.kind() == null ? Op.Kind.IDENTITY : s.kind(), s.math(), replay);
            }
        }
        return b.build();
    }

    @Override
    public void close() {
        manager.close();
    }
}
