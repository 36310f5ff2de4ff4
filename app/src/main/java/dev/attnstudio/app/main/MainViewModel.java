package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.app.views.ViewFeeds;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Stepper;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * State and commands of the main window, one part per job: the model {@link #session()}, the {@link #prompt()} and
 * its tokens, {@link #stepping()} through the pass, its {@link #interventions()}, the {@link #breakpoints()}, the
 * {@link #selection()} the views
 * share, the window's {@link #preferences()}, the views' {@link #feeds()} and the engine's {@link #status()}.
 *
 * <p>No controls in here, only JavaFX properties and lists, so it is tested without a scene graph. Commands
 * are called on the UI thread; all engine work goes to the {@link EngineExecutor} and comes back as one
 * immutable {@link PassSnapshot}, which this class applies to every part on the UI thread. The engine side of the
 * window ({@link EnginePass}) is touched by engine tasks only.
 */
public final class MainViewModel implements AutoCloseable {

    private final EngineExecutor engine;
    private final EngineStatus status = new EngineStatus();
    private final SelectionViewModel selection = new SelectionViewModel(this::refresh);
    private final PromptViewModel prompt;
    private final ViewFeeds feeds = new ViewFeeds(this::refresh);
    private final BreakpointsViewModel breakpoints = new BreakpointsViewModel(status);
    private final PreferencesViewModel preferences;
    private final EnginePass pass;
    private final SessionViewModel session;
    private final SteppingViewModel stepping;
    private final InterventionsViewModel interventions;
    private final LessonStage lessonStage;
    private final AtomicBoolean retokenizeQueued = new AtomicBoolean();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();

    /** A view model whose settings live in memory only, re-tokenizing at every edit (tests). */
    public MainViewModel(EngineExecutor engine, ModelOpener opener) {
        this(engine, opener, SettingsStore.inMemory(), Debouncer.immediate());
    }

    /** As below, re-tokenizing at every edit (tests). */
    public MainViewModel(EngineExecutor engine, ModelOpener opener, SettingsStore settings) {
        this(engine, opener, settings, Debouncer.immediate());
    }

    /**
     * @param settings where theme, zoom and recent models are remembered; read now, written on every change
     * @param edits    when an edit of the prompt is tokenized: the window waits for a pause in the typing
     */
    public MainViewModel(EngineExecutor engine, ModelOpener opener, SettingsStore settings, Debouncer edits) {
        this.engine = engine;
        prompt = new PromptViewModel(() -> edits.call(this::retokenize));
        preferences = new PreferencesViewModel(settings);
        pass = new EnginePass(prompt::latest, selection::chosen, feeds);
        interventions = new InterventionsViewModel(engine, pass, status, this::apply);
        session = new SessionViewModel(engine, opener, settings, pass, status, prompt, info -> {
            breakpoints.modelOpened(info);
            interventions.modelOpened();
        }, this::apply);
        stepping = new SteppingViewModel(engine, pass, status, breakpoints, this::apply);
        lessonStage = new LessonStage(engine, pass, status, session, prompt, interventions, this::apply);
    }

    /** Where a lesson page sets up the pass on the engine thread. */
    public LessonStage lessonStage() {
        return lessonStage;
    }

    /** Runs {@code work} on the engine thread after queued work, its result back on the UI thread (the Watch panel). */
    public <T> void onEngine(BiFunction<LoadedModel, Stepper, T> work, Consumer<? super T> done,
                             Consumer<? super Throwable> failed) {
        engine.submit(() -> pass.model() == null ? null : work.apply(pass.model(), pass.stepper()), done, failed);
    }

    /** The open model: opening another, what it is, the models opened before. */
    public SessionViewModel session() {
        return session;
    }

    /** The prompt (and an encoder's sentence B and batch, an encoder-decoder's decoder ids) and its tokens. */
    public PromptViewModel prompt() {
        return prompt;
    }

    /** The debugger's commands, the steps of the pass and the step under the cursor. */
    public SteppingViewModel stepping() {
        return stepping;
    }

    /** The interventions the pass runs under: ablated heads, scaling or positions off, mask overrides and bugs. */
    public InterventionsViewModel interventions() {
        return interventions;
    }

    /** Where "run to breakpoint" stops. */
    public BreakpointsViewModel breakpoints() {
        return breakpoints;
    }

    /** The layer, head, batch row and attention every view shows. */
    public SelectionViewModel selection() {
        return selection;
    }

    /** Theme and zoom, remembered across runs. */
    public PreferencesViewModel preferences() {
        return preferences;
    }

    /** Where views plug in: each feed's factory builds its view's data on the engine thread after every command. */
    public ViewFeeds feeds() {
        return feeds;
    }

    /** Busy, ready and the status bar's message. */
    public EngineStatus status() {
        return status;
    }

    /**
     * Rebuilds the active views' data for the current selection, e.g. after a view's own choice that its factory
     * reads changed; coalesced while one is queued.
     */
    public void refresh() {
        if (!status.isReady() || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        engine.submit(() -> {
            refreshQueued.set(false);
            return pass.snapshot(null, false);
        }, this::apply, failure -> {
            refreshQueued.set(false);
            status.show(Status.error("Could not update the views: " + Failures.message(failure)));
        });
    }

    /** Frees the model on the engine thread once queued work is done; stops a running command first. */
    @Override
    public void close() {
        stepping.cancel();
        engine.execute(pass::close);
    }

    /** The prompt was edited (and the typing paused): tokenize it and start the pass over; coalesced while one is queued. */
    private void retokenize() {
        if (retokenizeQueued.compareAndSet(false, true)) {
            engine.submit(() -> {
                retokenizeQueued.set(false);
                if (!pass.sync()) {
                    return null;
                }
                return pass.snapshot(pass.error() != null ? Status.error(pass.error()) : Status.info(describe(pass)), true);
            }, this::apply, failure -> status.show(Status.error("Could not tokenize: " + Failures.message(failure))));
        }
    }

    private static String describe(EnginePass pass) {
        int rows = pass.tokens().size();
        int length = rows == 0 ? 0 : pass.tokens().get(0).size();
        String tokens = length == 1 ? "1 token" : length + " tokens";
        return (rows > 1 ? rows + " prompts padded to " + tokens : tokens) + "; the pass starts over.";
    }

    /** UI thread: one snapshot into every part, the selection it moves asking for no refresh. */
    private void apply(PassSnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        selection.quietly(() -> {
            prompt.show(snapshot);
            stepping.show(snapshot);
            selection.follow(snapshot, session.modelInfoProperty().get());
            feeds.apply(snapshot.views());
            if (snapshot.status() != null) {
                status.show(snapshot.status());
            }
        });
    }
}
