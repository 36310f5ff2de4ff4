package dev.attnstudio.lessons.run;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Highlight;
import dev.attnstudio.lessons.format.ModelRef;
import dev.attnstudio.lessons.format.Prompt;
import dev.attnstudio.lessons.format.ViewSelection;
import dev.attnstudio.lessons.probe.EngineContext;

import java.util.List;
import java.util.Map;

/**
 * A host with no window: a stepper of its own on models from a shared {@link ModelPool}, and a record of what the
 * page asked a window to show (so the checker can check it against the live trace). Used by the checker and tests.
 */
public final class HeadlessHost implements LessonHost, AutoCloseable {

    private final ModelPool models;
    private LoadedModel model;
    private Stepper stepper;
    private Batch prompt;
    private ViewSelection view;
    private List<Highlight> highlights = List.of();
    private boolean concealed;

    public HeadlessHost(ModelPool models) {
        this.models = models;
    }

    @Override
    public void openModel(ModelRef ref) {
        LoadedModel next = models.get(ref);
        if (next != model) {
            closeStepper();
            model = next;
            stepper = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT));
        }
        prompt = null;
        view = null;
        highlights = List.of();
        concealed = false;
    }

    @Override
    public void setInterventions(List<String> specs) {
        Interventions all = Interventions.NONE;
        for (String spec : specs) {
            all = all.with(Interventions.parse(spec));
        }
        stepper.setOptions(stepper.options().withInterventions(all));
    }

    @Override
    public void setPrompt(Prompt p) {
        prompt = EngineActions.batch(p, model);
        stepper.reset(prompt);
    }

    @Override
    public void perform(Action action) {
        EngineActions.perform(action, stepper, prompt);
    }

    @Override
    public void showView(ViewSelection v) {
        view = v;
    }

    @Override
    public void highlight(List<Highlight> h) {
        highlights = List.copyOf(h);
    }

    @Override
    public void conceal(boolean c) {
        concealed = c;
    }

    /** The engine side of the page, for its probes: call after the setup, on this thread. */
    public EngineContext context(Map<String, TensorData> literals) {
        return new EngineContext(model, stepper, literals);
    }

    public ViewSelection view() {
        return view;
    }

    public List<Highlight> highlights() {
        return highlights;
    }

    public boolean concealed() {
        return concealed;
    }

    public LoadedModel model() {
        return model;
    }

    public Stepper stepper() {
        return stepper;
    }

    private void closeStepper() {
        if (stepper != null) {
            stepper.close();
            stepper = null;
        }
    }

    /** Closes the stepper; the models belong to the pool. */
    @Override
    public void close() {
        closeStepper();
    }
}
