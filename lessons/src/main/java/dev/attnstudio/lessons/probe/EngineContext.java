package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.expr.ModelConstants;
import dev.attnstudio.engine.expr.Scope;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What probes read: the open model and the stepper after the page's actions, plus the page's literal tensors. Every
 * read goes through DJL, so the app builds one on its engine thread and evaluates probes and compute answers there,
 * exactly as the headless checker does on its own thread.
 */
public final class EngineContext {

    private final LoadedModel model;
    private final Stepper stepper;
    private final Map<String, TensorData> literals;

    /**
     * @param model    the page's model
     * @param stepper  its stepper, reset on the page's prompt and moved by the page's actions
     * @param literals tensors the page defines (its worked example), visible to compute answers by name
     */
    public EngineContext(LoadedModel model, Stepper stepper, Map<String, TensorData> literals) {
        this.model = model;
        this.stepper = stepper;
        this.literals = Map.copyOf(literals);
    }

    public LoadedModel model() {
        return model;
    }

    public Stepper stepper() {
        return stepper;
    }

    public Capabilities capabilities() {
        return model.model().capabilities();
    }

    public ModelConfig config() {
        return model.config();
    }

    /** The model's name, for messages. */
    public String name() {
        return model.name();
    }

    /** The same model and stepper with other literal tensors. */
    public EngineContext withLiterals(Map<String, TensorData> more) {
        Map<String, TensorData> all = new LinkedHashMap<>(literals);
        all.putAll(more);
        return new EngineContext(model, stepper, all);
    }

    public Map<String, TensorData> literals() {
        return literals;
    }

    /**
     * A step group: the one under the cursor when {@code pass} is null.
     *
     * @throws ProbeException naming {@code pass} when there is no such group
     */
    public Stepper.Group group(Integer pass) {
        if (stepper.groups().isEmpty()) {
            throw new ProbeException(null, "the page has no prompt: give the lesson or the page a prompt");
        }
        if (pass == null) {
            return stepper.group();
        }
        if (pass < 0 || pass >= stepper.groups().size()) {
            throw new ProbeException("pass", "pass " + pass + " does not exist: the page's actions leave "
                    + stepper.groups().size() + " pass(es) (0 = the prompt; one more per generated token)");
        }
        return stepper.groups().get(pass);
    }

    public Trace trace(Integer pass) {
        return group(pass).trace();
    }

    /**
     * A hook's value in a pass.
     *
     * @throws ProbeException when the pass has no such step or has not computed it yet
     */
    public TensorData read(String hook, Integer pass) {
        Trace t = trace(pass);
        int i = t.program().indexOf(hook);
        if (i < 0) {
            throw new ProbeException(null, "this pass of " + name() + " has no step " + hook);
        }
        if (i >= t.executed()) {
            throw new ProbeException(null, hook + " is not computed when the page opens: add an action such as "
                    + "{\"do\": \"run-to\", \"hook\": \"" + hook + "\"} (or run-to-end) to the page");
        }
        return t.read(hook);
    }

    /** Positions of a pass's queries (T): the decoder's for an encoder-decoder. */
    public int positions(Integer pass) {
        Stepper.Group g = group(pass);
        long[][] ids = g.decoderIds() != null ? g.decoderIds() : g.ids();
        return ids[0].length;
    }

    /** Rows of the batch. */
    public int rows() {
        return group(null).ids().length;
    }

    /**
     * The scope a student's expression is evaluated in: the hooks of the pass under the cursor, the page's literal
     * tensors, and the model's sizes ({@code d_head}, {@code d_model}, {@code seq}, ...).
     */
    public Scope scope() {
        return Scope.of(trace(null)).withTensors(literals)
                .withConstants(ModelConstants.of(config(), positions(null)));
    }

    /** The token ids of a batch row of a pass: the ids its queries read (the decoder's for an encoder-decoder). */
    public long[] queryTokens(int row, Integer pass) {
        Stepper.Group g = group(pass);
        long[][] ids = g.decoderIds() != null ? g.decoderIds() : g.ids();
        if (row < 0 || row >= ids.length) {
            throw new ProbeException("row", "row " + row + " does not exist: the batch has " + ids.length + " row(s)");
        }
        return ids[row];
    }
}
