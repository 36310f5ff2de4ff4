package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.heatmap.AttentionMap;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Program;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * State and commands of the main window: the open model, the prompt and its tokens, the steps of the current
 * forward pass, the step under the cursor and, for attention steps, the matrix to draw.
 *
 * <p>No controls in here, only JavaFX properties and lists, so it is tested without a scene graph. Commands
 * are called on the UI thread; all engine work goes to the {@link EngineExecutor} and comes back as one
 * immutable {@link PassSnapshot} applied on the UI thread. The fields under "engine thread only" are touched
 * by engine tasks and nothing else: the stepper is not thread-safe.
 */
public final class MainViewModel implements AutoCloseable {

    public static final String DEFAULT_PROMPT = "The quick brown fox jumps over the lazy dog";
    /** Stop at the attention pattern of every block. */
    public static final String DEFAULT_BREAKPOINT = "blocks.*." + HookName.Block.PATTERN.suffix;

    private static final System.Logger LOG = System.getLogger(MainViewModel.class.getName());

    /** Opens a model by name; called on the engine thread. */
    @FunctionalInterface
    public interface ModelOpener {
        LoadedModel open(String name);

        /** The bundled samples, on the best device available. */
        static ModelOpener samples() {
            return name -> SampleModels.open(name, DjlRuntime.DeviceChoice.AUTO);
        }
    }

    /** Everything one engine task reports back: plain data, safe to hand across threads. */
    record PassSnapshot(List<TokenChip> tokens, List<StepRow> steps, int cursor, int executed,
                        StepDetails current, AttentionMap attention, Status status) {
    }

    private record Loaded(ModelInfo info, PassSnapshot pass) {
    }

    private final EngineExecutor engine;
    private final ModelOpener opener;

    // UI state (UI thread)
    private final ReadOnlyObjectWrapper<ModelInfo> modelInfo = new ReadOnlyObjectWrapper<>(this, "modelInfo");
    private final StringProperty prompt = new SimpleStringProperty(this, "prompt", DEFAULT_PROMPT);
    private final StringProperty breakpoint = new SimpleStringProperty(this, "breakpoint", DEFAULT_BREAKPOINT);
    private final ObservableList<TokenChip> tokens = FXCollections.observableArrayList();
    private final ObservableList<StepRow> steps = FXCollections.observableArrayList();
    // One wrapper each, held here: a wrapper made per call would be collected and its listeners go silent.
    private final ObservableList<TokenChip> tokensView = FXCollections.unmodifiableObservableList(tokens);
    private final ObservableList<StepRow> stepsView = FXCollections.unmodifiableObservableList(steps);
    private final ReadOnlyIntegerWrapper currentIndex = new ReadOnlyIntegerWrapper(this, "currentIndex", -1);
    private final ReadOnlyIntegerWrapper executed = new ReadOnlyIntegerWrapper(this, "executed", 0);
    private final ReadOnlyObjectWrapper<StepDetails> currentStep = new ReadOnlyObjectWrapper<>(this, "currentStep");
    private final ReadOnlyObjectWrapper<AttentionMap> attention = new ReadOnlyObjectWrapper<>(this, "attention");
    private final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    private final ReadOnlyObjectWrapper<Heatmap> heatmap = new ReadOnlyObjectWrapper<>(this, "heatmap");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(this, "ready", false);
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>(this, "status", Status.info("Starting"));
    private final ReadOnlyObjectWrapper<String> loadFailure = new ReadOnlyObjectWrapper<>(this, "loadFailure");
    private final StringBinding position;
    private final BooleanBinding stepDisabled;
    private final BooleanBinding stepBackDisabled;

    /** The prompt engine tasks read: always the newest text, even for tasks queued before the last edit. */
    private volatile String latestPrompt = DEFAULT_PROMPT;
    private final AtomicBoolean resyncQueued = new AtomicBoolean();
    /** For {@link #cancel()}, which may be called while the engine thread runs. */
    private volatile Stepper activeStepper;

    // engine thread only
    private LoadedModel model;
    private Stepper stepper;
    private String passText;
    private String passError;
    private List<TokenChip> passTokens = List.of();

    public MainViewModel(EngineExecutor engine, ModelOpener opener) {
        this.engine = engine;
        this.opener = opener;
        prompt.addListener((obs, old, now) -> promptChanged(now == null ? "" : now));
        head.addListener((obs, old, now) -> updateHeatmap());
        attention.addListener((obs, old, now) -> updateHeatmap());
        position = Bindings.createStringBinding(
                () -> "step " + (currentIndex.get() + 1) + " / " + steps.size(), currentIndex, steps);
        stepDisabled = busy.or(ready.not());
        stepBackDisabled = stepDisabled.or(currentIndex.lessThan(0));
    }

    // ---- properties -------------------------------------------------------------------------------------

    public ReadOnlyObjectProperty<ModelInfo> modelInfoProperty() {
        return modelInfo.getReadOnlyProperty();
    }

    /** The prompt text; every change re-tokenizes it and starts a fresh pass. */
    public StringProperty promptProperty() {
        return prompt;
    }

    /** Where "run to breakpoint" stops: a hook-name glob ({@code *} within a part, {@code **} across parts). */
    public StringProperty breakpointProperty() {
        return breakpoint;
    }

    /** The prompt's tokens (read-only). */
    public ObservableList<TokenChip> tokens() {
        return tokensView;
    }

    /** Every step of the current pass in order, with its state (read-only). */
    public ObservableList<StepRow> steps() {
        return stepsView;
    }

    /** Index of the step under the cursor, -1 before the first step. */
    public ReadOnlyIntegerProperty currentIndexProperty() {
        return currentIndex.getReadOnlyProperty();
    }

    /** How many steps of the pass have been computed (stepping back does not lower it). */
    public ReadOnlyIntegerProperty executedProperty() {
        return executed.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StepDetails> currentStepProperty() {
        return currentStep.getReadOnlyProperty();
    }

    /** All heads of the current step when it is attention-shaped (see {@link #isAttentionStep}), else null. */
    public ReadOnlyObjectProperty<AttentionMap> attentionProperty() {
        return attention.getReadOnlyProperty();
    }

    /** The head to draw; a step with a single head-independent map (the mask) ignores it. */
    public IntegerProperty headProperty() {
        return head;
    }

    /** The matrix to draw for the current step and head, or null. */
    public ReadOnlyObjectProperty<Heatmap> heatmapProperty() {
        return heatmap.getReadOnlyProperty();
    }

    /** Whether engine work the user waits for (loading, stepping) is under way. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Whether a model is open and its tokenizer and stepper are ready. */
    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Status> statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The message of the last failed model load (for an alert), or null. */
    public ReadOnlyObjectProperty<String> loadFailureProperty() {
        return loadFailure.getReadOnlyProperty();
    }

    /** "step 12 / 76": the cursor's 1-based position and the number of steps in the pass. */
    public StringBinding positionText() {
        return position;
    }

    /** Whether the forward commands (step, step over, run) are unavailable. */
    public BooleanBinding stepDisabled() {
        return stepDisabled;
    }

    public BooleanBinding stepBackDisabled() {
        return stepBackDisabled;
    }

    public boolean isBusy() {
        return busy.get();
    }

    public boolean isReady() {
        return ready.get();
    }

    /** The steps that get a heatmap: raw, scaled and masked scores, the mask, and the pattern. */
    public static boolean isAttentionStep(String name) {
        return name.contains("attn.hook_pattern") || name.contains("attn_scores") || name.contains("qk_raw")
                || name.contains("hook_mask");
    }

    // ---- commands (UI thread) -----------------------------------------------------------------------------

    /** Closes the open model (if any) and opens another; the current prompt is tokenized for it. */
    public void openSample(String name) {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        ready.set(false);
        loadFailure.set(null);
        status.set(Status.info("Loading " + name + "\u2026"));
        engine.submit(() -> {
            closeEngineState();
            LoadedModel m = opener.open(name);
            model = m;
            stepper = new Stepper(m.model(), Stepper.Options.DEFAULT);
            activeStepper = stepper;
            passText = null;
            syncPrompt();
            ModelInfo info = ModelInfo.of(m, architectureOf(name));
            Status loaded = passError != null ? Status.error(passError)
                    : Status.info("Loaded " + name + " in " + m.loadMillis() + " ms. Press F10 to step, F5 to run to the breakpoint.");
            return new Loaded(info, snapshot(loaded));
        }, loaded -> {
            busy.set(false);
            modelInfo.set(loaded.info());
            ready.set(true);
            apply(loaded.pass());
        }, failure -> {
            busy.set(false);
            modelInfo.set(null);
            apply(new PassSnapshot(List.of(), List.of(), -1, 0, null, null,
                    Status.error("Could not open " + name + ": " + message(failure))));
            LOG.log(System.Logger.Level.ERROR, "could not open " + name, failure);
            loadFailure.set("Could not open " + name + ":\n" + message(failure));
        });
    }

    /** Computes (or moves onto) the next step. */
    public void step() {
        command("Step", s -> {
            Stepper.StepInfo info = s.step();
            return info == null ? Status.info("End of the pass: every step is computed.")
                    : Status.info("Stepped to " + info.name());
        });
    }

    /** Moves the cursor back one step; nothing is recomputed. */
    public void stepBack() {
        command("Step back", s -> {
            Stepper.StepInfo info = s.stepBack();
            return info == null ? Status.info("Back before the first step.")
                    : Status.info("Back to " + info.name() + " (already computed)");
        });
    }

    /** Runs to the end of the current block (or embedding / unembedding). */
    public void stepOver() {
        command("Step over", s -> {
            Stepper.StepInfo info = s.stepOver();
            return info == null ? Status.info("End of the pass.") : Status.info("Stepped over " + info.unit() + " to " + info.name());
        });
    }

    /** Runs until a step matches the breakpoint, or to the end. */
    public void runToBreakpoint() {
        String pattern = breakpoint.get() == null ? "" : breakpoint.get().trim();
        if (pattern.isEmpty()) {
            status.set(Status.error("Set a breakpoint first, e.g. " + DEFAULT_BREAKPOINT));
            return;
        }
        command("Run to breakpoint", s -> {
            Stepper.StepInfo info = s.runTo(pattern);
            if (info == null) {
                return Status.info("End of the pass: every step is computed.");
            }
            return s.at(pattern) ? Status.info("Breakpoint " + pattern + " hit at " + info.name())
                    : Status.info("No step after here matches " + pattern + "; ran to the end.");
        });
    }

    /** Runs every remaining step. */
    public void runToEnd() {
        command("Run to end", s -> {
            Stepper.StepInfo info = s.runToEnd();
            return Status.info(info == null ? "Nothing to run." : "Ran to the end: " + info.name());
        });
    }

    /** Asks a running command to stop after its current step. Safe while the engine thread works. */
    public void cancel() {
        Stepper s = activeStepper;
        if (s != null && busy.get()) {
            s.cancel();
        }
    }

    /** Frees the model on the engine thread once queued work is done; stops a running command first. */
    @Override
    public void close() {
        cancel();
        engine.execute(this::closeEngineState);
    }

    private void command(String what, Function<Stepper, Status> action) {
        if (busy.get() || !ready.get()) {
            return;
        }
        busy.set(true);
        engine.submit(() -> {
            syncPrompt();
            if (passError != null) {
                return snapshot(Status.error(passError));
            }
            Status done;
            try {
                done = action.apply(stepper);
            } catch (CancellationException e) {
                done = Status.info("Stopped: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, what + " failed", e);
                done = Status.error(what + " failed: " + message(e));
            }
            return snapshot(done);
        }, snapshot -> {
            busy.set(false);
            apply(snapshot);
        }, failure -> {
            busy.set(false);
            status.set(Status.error(what + " failed: " + message(failure)));
        });
    }

    private void promptChanged(String text) {
        latestPrompt = text;
        if (resyncQueued.compareAndSet(false, true)) {
            engine.submit(() -> {
                resyncQueued.set(false);
                return syncPrompt() ? snapshot(passError != null ? Status.error(passError)
                        : Status.info((passTokens.size() == 1 ? "1 token" : passTokens.size() + " tokens") + "; the pass starts over."))
                        : null;
            }, this::apply, failure -> status.set(Status.error("Could not tokenize: " + message(failure))));
        }
    }

    // ---- engine thread ----------------------------------------------------------------------------------

    /** Re-tokenizes and resets the pass if the prompt changed since the last reset. Returns whether it did. */
    private boolean syncPrompt() {
        String text = latestPrompt;
        if (stepper == null || text.equals(passText)) {
            return false;
        }
        passText = text;
        Tokenizer tokenizer = model.tokenizer();
        if (tokenizer == null) {
            passTokens = List.of();
            passError = model.name() + " has no tokenizer.json, so it cannot read text";
            return true;
        }
        Tokenizer.Tokens t = tokenizer.encode(text);
        List<TokenChip> chips = new ArrayList<>(t.size());
        for (int i = 0; i < t.size(); i++) {
            chips.add(new TokenChip(i, t.ids()[i], TokenChip.visible(tokenizer.decode(t.ids()[i])), t.special()[i]));
        }
        passTokens = List.copyOf(chips);
        try {
            stepper.reset(t.ids());
            passError = null;
        } catch (IllegalArgumentException e) {
            passError = e.getMessage();
        }
        return true;
    }

    private PassSnapshot snapshot(Status done) {
        if (stepper == null || passError != null) {
            return new PassSnapshot(passTokens, List.of(), -1, 0, null, null, done);
        }
        Stepper.Group group = stepper.group();
        Trace trace = group.trace();
        Program program = trace.program();
        Stepper.StepInfo current = stepper.current();
        int cursor = current == null ? -1 : current.index();
        List<StepRow> rows = new ArrayList<>(program.size());
        for (int i = 0; i < program.size(); i++) {
            String unit = program.op(i).group();
            boolean unitStart = i == 0 || !program.op(i - 1).group().equals(unit);
            StepRow.State state = i == cursor ? StepRow.State.CURRENT
                    : i < trace.executed() ? StepRow.State.COMPUTED : StepRow.State.PENDING;
            rows.add(new StepRow(i, program.op(i).name(), unit, unitStart, state));
        }
        StepDetails details = current == null ? null : new StepDetails(current.index(), current.steps(), current.name(),
                current.unit(), current.math(), current.inputs(), current.shape(), documentedShape(current.name()),
                meaning(current.name()));
        AttentionMap map = current != null && isAttentionStep(current.name()) ? attentionOf(current, group) : null;
        return new PassSnapshot(passTokens, List.copyOf(rows), cursor, trace.executed(), details, map, done);
    }

    private AttentionMap attentionOf(Stepper.StepInfo step, Stepper.Group group) {
        TensorData data = stepper.read(step.name());
        long[] s = data.shape(); // [B, H, T, K]; the mask is [B|1, 1, T, K]
        if (s.length != 4) {
            LOG.log(System.Logger.Level.WARNING, step.name() + " is not [B, H, T, K]: " + Arrays.toString(s));
            return null;
        }
        int heads = (int) s[1];
        int rows = (int) s[2];
        int cols = (int) s[3];
        float[] batch0 = Arrays.copyOfRange(data.values(), 0, heads * rows * cols);
        List<String> rowLabels = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            rowLabels.add(label(group.past() + r));
        }
        List<String> colLabels = new ArrayList<>(cols);
        for (int c = 0; c < cols; c++) {
            colLabels.add(label(c));
        }
        return new AttentionMap(step.name(), heads, rows, cols, batch0, rowLabels, colLabels);
    }

    private String label(int position) {
        return position < passTokens.size() ? passTokens.get(position).text() : "#" + position;
    }

    private static String documentedShape(String name) {
        try {
            return HookName.shapeOf(name);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String meaning(String name) {
        try {
            HookName.Parsed p = HookName.parse(name);
            return p.inBlock() ? p.block().meaning : p.model().meaning;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private void closeEngineState() {
        activeStepper = null;
        if (stepper != null) {
            stepper.close();
            stepper = null;
        }
        if (model != null) {
            model.close();
            model = null;
        }
        passText = null;
        passError = null;
        passTokens = List.of();
    }

    private static String architectureOf(String name) {
        return SampleModels.catalog().stream().filter(s -> s.name().equals(name))
                .map(SampleModels.Sample::architecture).findFirst().orElse("gpt2");
    }

    // ---- UI thread --------------------------------------------------------------------------------------

    private void apply(PassSnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        if (!tokens.equals(snapshot.tokens())) {
            tokens.setAll(snapshot.tokens());
        }
        List<StepRow> rows = snapshot.steps();
        if (!sameNames(rows)) {
            steps.setAll(rows);
        } else {
            for (int i = 0; i < rows.size(); i++) {
                if (!steps.get(i).equals(rows.get(i))) {
                    steps.set(i, rows.get(i));
                }
            }
        }
        executed.set(snapshot.executed());
        currentIndex.set(snapshot.cursor());
        currentStep.set(snapshot.current());
        attention.set(snapshot.attention());
        status.set(snapshot.status());
    }

    private boolean sameNames(List<StepRow> rows) {
        if (rows.size() != steps.size()) {
            return false;
        }
        for (int i = 0; i < rows.size(); i++) {
            if (!rows.get(i).name().equals(steps.get(i).name())) {
                return false;
            }
        }
        return true;
    }

    private void updateHeatmap() {
        AttentionMap map = attention.get();
        heatmap.set(map == null ? null : map.head(Math.max(0, Math.min(head.get(), map.heads() - 1))));
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
