package dev.attnstudio.app.lesson;

import dev.attnstudio.app.main.LessonStage;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Highlight;
import dev.attnstudio.lessons.format.ModelRef;
import dev.attnstudio.lessons.format.Prompt;
import dev.attnstudio.lessons.format.ViewSelection;
import dev.attnstudio.lessons.run.EngineActions;
import dev.attnstudio.lessons.run.LessonHost;
import dev.attnstudio.samples.ModelSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The window as a lesson's host, on the engine thread: the model, interventions, prompt and actions go to the
 * window's engine side ({@link LessonStage.Access}); what the page asks the window to show (view, highlights,
 * concealment) is recorded for the UI thread, which applies it once the pass is shown.
 */
final class WindowHost implements LessonHost {

    private final LessonStage.Access window;
    private Batch batch;
    private ViewSelection view;
    private List<Highlight> highlights = List.of();
    private boolean concealed;

    WindowHost(LessonStage.Access window) {
        this.window = window;
    }

    static ModelSource source(ModelRef ref) {
        return ref instanceof ModelRef.Sample s ? new ModelSource.Sample(s.name())
                : new ModelSource.OnDisk(((ModelRef.Folder) ref).path());
    }

    @Override
    public void openModel(ModelRef model) {
        window.open(source(model));
    }

    @Override
    public void setInterventions(List<String> specs) {
        Interventions all = Interventions.NONE;
        for (String spec : specs) {
            all = all.with(Interventions.parse(spec));
        }
        window.interventions(all);
    }

    @Override
    public void setPrompt(Prompt prompt) {
        batch = EngineActions.batch(prompt, window.model());
        if (prompt.isText()) {
            String decoder = prompt.decoderIds() == null ? "" : Arrays.stream(prompt.decoderIds())
                    .mapToObj(Long::toString).collect(Collectors.joining(","));
            window.prompt(prompt.texts(), decoder, batch);
        } else {
            window.prompt(batch);
        }
    }

    @Override
    public void perform(Action action) {
        if (action instanceof Action.Intervene i && i.hidden()) {
            window.hide(i.spec());
        }
        EngineActions.perform(action, window.stepper(), batch);
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

    ViewSelection view() {
        return view;
    }

    List<Highlight> highlights() {
        return highlights;
    }

    boolean concealed() {
        return concealed;
    }
}
