package dev.attnstudio.app.main;

import dev.attnstudio.app.attention.AttentionSource;
import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.app.tokens.PadToken;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * State and commands of the main window: the open model, the prompt and its tokens, the steps of the current
 * forward pass, the step under the cursor, the breakpoints, the selection the views share (layer, head, batch
 * row), the data each view draws, and the remembered settings (theme, zoom, recent models).
 *
 * <p>No controls in here, only JavaFX properties and lists, so it is tested without a scene graph. Commands
 * are called on the UI thread; all engine work goes to the {@link EngineExecutor} and comes back as one
 * immutable {@link PassSnapshot} applied on the UI thread. The fields under "engine thread only" are touched
 * by engine tasks and nothing else: the stepper is not thread-safe.
 *
 * <p>Views plug in through {@link #feed}: a factory that builds the view's plain-data record from the stepper on
 * the engine thread, run after every command while the view is active.
 */
public final class MainViewModel implements AutoCloseable {

    public static final String DEFAULT_PROMPT = "The quick brown fox jumps over the lazy dog";
    /** Stop at the attention pattern of every block. */
    public static final String DEFAULT_BREAKPOINT = "blocks.*." + HookName.Block.PATTERN.suffix;
    /** The same for both stacks of an encoder-decoder ({@code encoder.blocks.0.attn.hook_pattern}, decoder's). */
    public static final String STACKS_BREAKPOINT = "*." + DEFAULT_BREAKPOINT;
    /** How many models File > Recent models remembers. */
    public static final int MAX_RECENT = 8;
    public static final double MIN_ZOOM = 0.7;
    public static final double MAX_ZOOM = 2.0;
    private static final double ZOOM_STEP = 0.1;

    static final String THEME_KEY = "theme";
    static final String ZOOM_KEY = "zoom";
    static final String RECENT_KEY = "recentModels";

    private static final System.Logger LOG = System.getLogger(MainViewModel.class.getName());

    /** Opens a model; called on the engine thread. */
    @FunctionalInterface
    public interface ModelOpener {
        LoadedModel open(ModelSource source);

        /** Bundled samples by name and folders through {@link ModelFolder}, on the given device. */
        static ModelOpener standard(DjlRuntime.DeviceChoice device) {
            return source -> source instanceof ModelSource.Folder f ? ModelFolder.open(f.path(), device)
                    : SampleModels.open(source.label(), device);
        }

        /** {@link #standard} on the best device available. */
        static ModelOpener samples() {
            return standard(DjlRuntime.DeviceChoice.AUTO);
        }
    }

    /**
     * What the prompt editor holds: the text (one prompt per line in batch mode), the optional second segment, and
     * an encoder-decoder's optional decoder ids ("0,17,5"; blank = the decoder start token).
     */
    private record PromptInput(String text, String pair, boolean batch, String decoder) {
    }

    /** One view's data, or why its factory failed. */
    private record FeedResult(Object value, String error) {
    }

    /**
     * Everything one engine task reports back: plain data, safe to hand across threads.
     *
     * @param tokens        the pass's tokens per batch row, generated tokens appended (an encoder-decoder: its source)
     * @param decoderTokens an encoder-decoder's decoder sequence, else empty
     * @param group         the pass under the cursor (0 = the prompt's) and how many passes there are
     * @param layerAt       the block the cursor is in, or -1 (also when the selection should not follow the cursor)
     * @param source        the attention the views were built for (follows the cursor between an encoder-decoder's
     *                      stacks), or null to keep the selection
     * @param status        the message to show, or null to keep the current one
     */
    record PassSnapshot(List<List<TokenChip>> tokens, List<TokenChip> decoderTokens, List<StepRow> steps, int group,
                        int groups, int cursor, int executed, StepDetails current, int layerAt,
                        AttentionSource source, Map<ViewFeed<?>, FeedResult> views, Status status) {

        static PassSnapshot empty(List<List<TokenChip>> tokens, Map<ViewFeed<?>, FeedResult> views, Status status) {
            return new PassSnapshot(tokens, List.of(), List.of(), 0, 0, -1, 0, null, -1, null, views, status);
        }
    }

    private record Loaded(ModelInfo info, PassSnapshot pass) {
    }

    private final EngineExecutor engine;
    private final ModelOpener opener;
    private final SettingsStore settings;

    // UI state (UI thread)
    private final ReadOnlyObjectWrapper<ModelInfo> modelInfo = new ReadOnlyObjectWrapper<>(this, "modelInfo");
    private final ReadOnlyBooleanWrapper encoder = new ReadOnlyBooleanWrapper(this, "encoder", false);
    private final ReadOnlyBooleanWrapper encoderDecoder = new ReadOnlyBooleanWrapper(this, "encoderDecoder", false);
    private final StringProperty prompt = new SimpleStringProperty(this, "prompt", DEFAULT_PROMPT);
    private final StringProperty pair = new SimpleStringProperty(this, "pair", "");
    private final BooleanProperty batchMode = new SimpleBooleanProperty(this, "batchMode", false);
    private final StringProperty decoderIds = new SimpleStringProperty(this, "decoderIds", "");
    private final ObjectProperty<AttentionSource> attentionSource =
            new SimpleObjectProperty<>(this, "attentionSource", AttentionSource.SELF);
    private final ReadOnlyIntegerWrapper groupIndex = new ReadOnlyIntegerWrapper(this, "group", 0);
    private final ReadOnlyIntegerWrapper groupCount = new ReadOnlyIntegerWrapper(this, "groups", 0);
    private final ObservableList<Breakpoint> breakpoints = FXCollections.observableArrayList(
            b -> new javafx.beans.Observable[] {b.enabledProperty()});
    private final ObservableList<List<TokenChip>> tokenRows = FXCollections.observableArrayList();
    private final ObservableList<TokenChip> tokens = FXCollections.observableArrayList();
    private final ObservableList<TokenChip> decoderTokens = FXCollections.observableArrayList();
    private final ObservableList<StepRow> steps = FXCollections.observableArrayList();
    private final ObservableList<ModelSource> recent = FXCollections.observableArrayList();
    // One wrapper each, held here: a wrapper made per call would be collected and its listeners go silent.
    private final ObservableList<List<TokenChip>> tokenRowsView = FXCollections.unmodifiableObservableList(tokenRows);
    private final ObservableList<TokenChip> tokensView = FXCollections.unmodifiableObservableList(tokens);
    private final ObservableList<TokenChip> decoderTokensView = FXCollections.unmodifiableObservableList(decoderTokens);
    private final ObservableList<StepRow> stepsView = FXCollections.unmodifiableObservableList(steps);
    private final ObservableList<ModelSource> recentView = FXCollections.unmodifiableObservableList(recent);
    private final ReadOnlyIntegerWrapper currentIndex = new ReadOnlyIntegerWrapper(this, "currentIndex", -1);
    private final ReadOnlyIntegerWrapper executed = new ReadOnlyIntegerWrapper(this, "executed", 0);
    private final ReadOnlyObjectWrapper<StepDetails> currentStep = new ReadOnlyObjectWrapper<>(this, "currentStep");
    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    private final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    private final IntegerProperty batchRow = new SimpleIntegerProperty(this, "batchRow", 0);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(this, "ready", false);
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>(this, "status", Status.info("Starting"));
    private final ReadOnlyObjectWrapper<String> loadFailure = new ReadOnlyObjectWrapper<>(this, "loadFailure");
    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(this, "theme", Theme.LIGHT);
    private final DoubleProperty zoom = new SimpleDoubleProperty(this, "zoom", 1.0);
    private final StringBinding position;
    private final BooleanBinding stepDisabled;
    private final BooleanBinding stepBackDisabled;
    private final List<ViewFeed<?>> feeds = new CopyOnWriteArrayList<>();
    /** Set while a snapshot is applied, so the selection it moves does not ask for another snapshot. */
    private boolean applying;

    /** The prompt engine tasks read: always the newest text, even for tasks queued before the last edit. */
    private volatile PromptInput latestInput = new PromptInput(DEFAULT_PROMPT, "", false, "");
    /** The shared selection as engine tasks read it. */
    private volatile int selectedLayer;
    private volatile int selectedHead;
    private volatile int selectedRow;
    private volatile AttentionSource selectedSource = AttentionSource.SELF;
    private final AtomicBoolean resyncQueued = new AtomicBoolean();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    /** For {@link #cancel()}, which may be called while the engine thread works. */
    private volatile Stepper activeStepper;

    // engine thread only
    private LoadedModel model;
    private ModelInfo engineInfo;
    private Stepper stepper;
    private long padId;
    private PromptInput passInput;
    private String passError;
    private List<List<TokenChip>> passTokens = List.of();
    /** The sampler of the current generation: one per prompt and sampling config, so a seed replays. */
    private Sampler sampler;

    /** A view model whose settings live in memory only (tests). */
    public MainViewModel(EngineExecutor engine, ModelOpener opener) {
        this(engine, opener, SettingsStore.inMemory());
    }

    /**
     * @param settings where theme, zoom and recent models are remembered; read now, written on every change
     */
    public MainViewModel(EngineExecutor engine, ModelOpener opener, SettingsStore settings) {
        this.engine = engine;
        this.opener = opener;
        this.settings = settings;
        breakpoints.add(new Breakpoint(DEFAULT_BREAKPOINT, true));
        prompt.addListener((obs, old, now) -> promptChanged());
        pair.addListener((obs, old, now) -> promptChanged());
        batchMode.addListener((obs, old, now) -> promptChanged());
        decoderIds.addListener((obs, old, now) -> promptChanged());
        attentionSource.addListener((obs, old, now) -> selectionChanged());
        layer.addListener((obs, old, now) -> selectionChanged());
        head.addListener((obs, old, now) -> selectionChanged());
        batchRow.addListener((obs, old, now) -> selectionChanged());
        modelInfo.addListener((obs, old, info) -> {
            encoder.set(info != null && info.encoder());
            encoderDecoder.set(info != null && info.encoderDecoder());
        });
        position = Bindings.createStringBinding(
                () -> (groupCount.get() > 1 ? "pass " + (groupIndex.get() + 1) + " / " + groupCount.get() + "  \u00b7  " : "")
                        + "step " + (currentIndex.get() + 1) + " / " + steps.size(), currentIndex, steps, groupIndex, groupCount);
        stepDisabled = busy.or(ready.not());
        stepBackDisabled = stepDisabled.or(currentIndex.lessThan(0));
        restoreSettings();
    }

    private void restoreSettings() {
        theme.set(Theme.parse(settings.get(THEME_KEY, Theme.LIGHT.name())));
        try {
            zoom.set(clampZoom(Double.parseDouble(settings.get(ZOOM_KEY, "1.0"))));
        } catch (NumberFormatException e) {
            zoom.set(1.0);
        }
        theme.addListener((obs, old, now) -> settings.put(THEME_KEY, now.name()));
        zoom.addListener((obs, old, now) -> settings.put(ZOOM_KEY, String.format(Locale.ROOT, "%.2f", now.doubleValue())));

        List<String> gone = new ArrayList<>();
        for (String line : settings.get(RECENT_KEY, "").split("\n")) {
            ModelSource source = line.isBlank() ? null : ModelSource.parse(line.strip());
            if (source == null || recent.contains(source) || recent.size() >= MAX_RECENT) {
                continue;
            }
            if (source.exists()) {
                recent.add(source);
            } else {
                gone.add(source.label());
            }
        }
        if (!gone.isEmpty()) {
            saveRecent();
            status.set(Status.info("Removed from recent models (no longer there): " + String.join(", ", gone)));
        }
    }

    // ---- properties -------------------------------------------------------------------------------------

    public ReadOnlyObjectProperty<ModelInfo> modelInfoProperty() {
        return modelInfo.getReadOnlyProperty();
    }

    /** Whether the open model is an encoder, which reads sentence pairs and padded batches. */
    public ReadOnlyBooleanProperty encoderProperty() {
        return encoder.getReadOnlyProperty();
    }

    /** Whether the open model is an encoder-decoder (T5): the prompt is its source, the decoder generates. */
    public ReadOnlyBooleanProperty encoderDecoderProperty() {
        return encoderDecoder.getReadOnlyProperty();
    }

    /**
     * An encoder-decoder's decoder input as comma-separated token ids, e.g. {@code 0,17,5}; blank means the
     * decoder start token alone. Every change starts a fresh pass.
     */
    public StringProperty decoderIdsProperty() {
        return decoderIds;
    }

    /** An encoder-decoder's decoder tokens (start token, given and generated ones), read-only; else empty. */
    public ObservableList<TokenChip> decoderTokens() {
        return decoderTokensView;
    }

    /**
     * Which attention the attention views show: {@link AttentionSource#SELF} for single-stack models; an
     * encoder-decoder's encoder self, decoder self or decoder cross-attention. It follows the cursor into each
     * stack, as the layer does.
     */
    public ObjectProperty<AttentionSource> attentionSourceProperty() {
        return attentionSource;
    }

    /** The pass under the cursor: 0 for the prompt's, one more for each generated token. */
    public ReadOnlyIntegerProperty groupProperty() {
        return groupIndex.getReadOnlyProperty();
    }

    /** How many passes there are (the prompt's and one per generated token). */
    public ReadOnlyIntegerProperty groupsProperty() {
        return groupCount.getReadOnlyProperty();
    }

    /** The prompt text; every change re-tokenizes it and starts a fresh pass. In batch mode, one prompt per line. */
    public StringProperty promptProperty() {
        return prompt;
    }

    /** Sentence B of a pair (encoders; blank for none). Each prompt is read as the pair (prompt, B). */
    public StringProperty pairProperty() {
        return pair;
    }

    /** Whether each line of the prompt is a separate row of a padded batch (encoders). */
    public BooleanProperty batchModeProperty() {
        return batchMode;
    }

    /** Where "run to breakpoint" may stop, in order; only enabled ones count. Edited on the UI thread. */
    public ObservableList<Breakpoint> breakpoints() {
        return breakpoints;
    }

    /** The tokens of the pass, one list per batch row (padding included, marked), read-only. */
    public ObservableList<List<TokenChip>> tokenRows() {
        return tokenRowsView;
    }

    /** The tokens of the first row (read-only). */
    public ObservableList<TokenChip> tokens() {
        return tokensView;
    }

    /** Every step of the current pass in order, with its state (read-only). */
    public ObservableList<StepRow> steps() {
        return stepsView;
    }

    /** Models opened before, most recent first (read-only). */
    public ObservableList<ModelSource> recentModels() {
        return recentView;
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

    /** The selected block (0-based), shared by the views; it follows the cursor into each block. */
    public IntegerProperty layerProperty() {
        return layer;
    }

    /** The selected head (0-based), shared by the views; a single head-independent map (the mask) ignores it. */
    public IntegerProperty headProperty() {
        return head;
    }

    /** The selected row of a batch (0-based), shared by the views. */
    public IntegerProperty batchRowProperty() {
        return batchRow;
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

    /** The colour theme; remembered across runs. */
    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    /** Font scale of the whole window, 1 = normal, kept within [{@link #MIN_ZOOM}, {@link #MAX_ZOOM}]; remembered. */
    public DoubleProperty zoomProperty() {
        return zoom;
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

    /**
     * Plugs a view in: {@code factory} builds its data on the engine thread after every command (and when the
     * shared selection changes) while the returned feed is active. Call on the UI thread.
     *
     * @param name for logs and error messages, e.g. {@code "KV cache"}
     */
    public <T> ViewFeed<T> feed(String name, ViewFeed.Factory<T> factory) {
        ViewFeed<T> feed = new ViewFeed<>(name, factory);
        feed.activeProperty().addListener((obs, old, now) -> {
            if (now) {
                requestRefresh();
            }
        });
        feeds.add(feed);
        requestRefresh();
        return feed;
    }

    /** Rebuilds the active views' data, e.g. after a view's own choice that its factory reads changed. */
    public void refresh() {
        requestRefresh();
    }

    /** Shows a message in the status bar (e.g. how an export went). */
    public void showStatus(Status message) {
        status.set(message);
    }

    /**
     * Copies the tensor of the step under the cursor on the engine thread (for export); {@code done} receives it
     * on the UI thread, or null when the cursor is before the first step.
     */
    public void readCurrentTensor(Consumer<TensorData> done, Consumer<Throwable> failed) {
        if (!ready.get()) {
            done.accept(null);
            return;
        }
        engine.submit(() -> {
            Stepper.StepInfo at = stepper == null || stepper.groups().isEmpty() ? null : stepper.current();
            return at == null ? null : stepper.read(at.name());
        }, done, failed);
    }

    // ---- settings (UI thread) ---------------------------------------------------------------------------

    public void zoomIn() {
        zoom.set(clampZoom(zoom.get() + ZOOM_STEP));
    }

    public void zoomOut() {
        zoom.set(clampZoom(zoom.get() - ZOOM_STEP));
    }

    public void resetZoom() {
        zoom.set(1.0);
    }

    private static double clampZoom(double z) {
        double rounded = Math.round(z * 10) / 10.0; // whole steps, so zooming in and out returns exactly
        return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, rounded));
    }

    private void remember(ModelSource source) {
        recent.remove(source);
        recent.add(0, source);
        if (recent.size() > MAX_RECENT) {
            recent.remove(MAX_RECENT, recent.size());
        }
        saveRecent();
    }

    private void saveRecent() {
        settings.put(RECENT_KEY, String.join("\n", recent.stream().map(ModelSource::encode).toList()));
    }

    // ---- breakpoints (UI thread) ------------------------------------------------------------------------

    /**
     * Adds an enabled breakpoint at the end of the list, or enables the one with that pattern.
     *
     * @return the breakpoint, or null (and an error status) when the pattern is blank
     */
    public Breakpoint addBreakpoint(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            status.set(Status.error("Type a hook name or pattern first, e.g. " + DEFAULT_BREAKPOINT));
            return null;
        }
        for (Breakpoint b : breakpoints) {
            if (b.pattern().equals(pattern.strip())) {
                b.enabledProperty().set(true);
                return b;
            }
        }
        Breakpoint b = new Breakpoint(pattern, true);
        breakpoints.add(b);
        return b;
    }

    public void removeBreakpoint(Breakpoint breakpoint) {
        breakpoints.remove(breakpoint);
    }

    // ---- commands (UI thread) -----------------------------------------------------------------------------

    /** Closes the open model (if any) and opens a bundled sample; the current prompt is tokenized for it. */
    public void openSample(String name) {
        open(new ModelSource.Sample(name));
    }

    /** As {@link #openSample} for a model folder (see {@link ModelFolder} for the kinds it reads). */
    public void openFolder(Path folder) {
        open(new ModelSource.Folder(folder));
    }

    /** Opens a model again from the recent list; one that is no longer there is dropped from it, with a message. */
    public void openRecent(ModelSource source) {
        if (!source.exists()) {
            recent.remove(source);
            saveRecent();
            status.set(Status.error(source.label() + " is no longer there; removed it from the recent models."));
            return;
        }
        open(source);
    }

    /** Closes the open model (if any) and opens another; the current prompt is tokenized for it. */
    public void open(ModelSource source) {
        if (busy.get()) {
            return;
        }
        String name = source.label();
        busy.set(true);
        ready.set(false);
        loadFailure.set(null);
        status.set(Status.info("Loading " + name + "\u2026"));
        engine.submit(() -> {
            closeEngineState();
            long start = System.nanoTime();
            LoadedModel m = opener.open(source);
            long millis = (System.nanoTime() - start) / 1_000_000;
            model = m;
            engineInfo = ModelInfo.of(m, source, millis);
            stepper = new Stepper(m.model(), Stepper.Options.DEFAULT);
            activeStepper = stepper;
            padId = m.tokenizer() == null ? 0 : PadToken.idOf(m.tokenizer());
            passInput = null;
            syncPrompt();
            Status loaded = passError != null ? Status.error(passError)
                    : Status.info("Loaded " + m.name() + " in " + millis + " ms. Press F10 to step, F5 to run to a breakpoint.");
            return new Loaded(engineInfo, snapshot(loaded, true));
        }, loaded -> {
            busy.set(false);
            modelInfo.set(loaded.info());
            if (loaded.info().encoderDecoder() && breakpoints.stream().noneMatch(b -> b.pattern().equals(STACKS_BREAKPOINT))) {
                breakpoints.add(new Breakpoint(STACKS_BREAKPOINT, true));
            }
            ready.set(true);
            remember(source);
            apply(loaded.pass());
        }, failure -> {
            busy.set(false);
            modelInfo.set(null);
            feeds.forEach(f -> f.apply(null, null)); // the model they showed is closed
            apply(PassSnapshot.empty(List.of(), Map.of(), Status.error("Could not open " + name + ": " + message(failure))));
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

    /** Runs until the first step after the cursor that an enabled breakpoint matches, or to the end. */
    public void runToBreakpoint() {
        List<Breakpoint> enabled = breakpoints.stream().filter(Breakpoint::isEnabled).toList();
        if (enabled.isEmpty()) {
            status.set(Status.error("No breakpoint is enabled: add or tick one in the breakpoint list, e.g. "
                    + DEFAULT_BREAKPOINT));
            return;
        }
        command("Run to breakpoint", s -> {
            String target = nextMatch(s, enabled);
            if (target == null) {
                Stepper.StepInfo end = s.runToEnd();
                return Status.info("No enabled breakpoint matches a step after here; ran to the end"
                        + (end == null ? "." : ": " + end.name()));
            }
            Stepper.StepInfo info = s.runTo(target); // a hook name is a glob matching only itself
            String hit = enabled.stream().filter(b -> b.matches(info.name())).findFirst().map(Breakpoint::pattern)
                    .orElse(target);
            return Status.info("Breakpoint " + hit + " hit at " + info.name());
        });
    }

    /** Runs every remaining step. */
    public void runToEnd() {
        command("Run to end", s -> {
            Stepper.StepInfo info = s.runToEnd();
            return Status.info(info == null ? "Nothing to run." : "Ran to the end: " + info.name());
        });
    }

    /**
     * Samples the next token after the last pass (running it to its end first), appends the pass that reads it,
     * and steps into that pass's first step. The sampler is kept while the prompt and {@code config} stay the
     * same, so a seeded run replays token by token.
     */
    public void generate(SamplingConfig config) {
        command("Generate", s -> {
            if (sampler == null || !sampler.config().equals(config)) {
                sampler = new Sampler(config);
            }
            Sampler.Choice choice = s.generate(sampler);
            int last = s.groups().size() - 1;
            Trace before = s.groups().get(last - 1).trace();
            s.moveTo(last - 1, before.executed() - 1);
            s.step(); // into the new pass
            String text = tokenText(model.tokenizer(), choice.token());
            return Status.info(String.format(Locale.ROOT, "Generated \u2018%s\u2019 (id %d, p = %.3f): pass %d appended. "
                    + "F10 steps through it, Ctrl+Enter runs it.", text, choice.token(), choice.probability(), last + 1));
        });
    }

    /** Moves the cursor onto a computed step of any pass (e.g. clicked in the pipeline); nothing is computed. */
    public void jumpTo(int group, int index) {
        command("Jump", s -> Status.info("Moved to " + s.moveTo(group, index).name() + " (already computed)"));
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
                return snapshot(Status.error(passError), true);
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
            return snapshot(done, true);
        }, snapshot -> {
            busy.set(false);
            apply(snapshot);
        }, failure -> {
            busy.set(false);
            status.set(Status.error(what + " failed: " + message(failure)));
        });
    }

    private void promptChanged() {
        latestInput = new PromptInput(prompt.get() == null ? "" : prompt.get(), pair.get() == null ? "" : pair.get(),
                batchMode.get(), decoderIds.get() == null ? "" : decoderIds.get());
        if (resyncQueued.compareAndSet(false, true)) {
            engine.submit(() -> {
                resyncQueued.set(false);
                return syncPrompt() ? snapshot(passError != null ? Status.error(passError) : Status.info(describe(passTokens)), true)
                        : null;
            }, this::apply, failure -> status.set(Status.error("Could not tokenize: " + message(failure))));
        }
    }

    private static String describe(List<List<TokenChip>> rows) {
        int length = rows.isEmpty() ? 0 : rows.get(0).size();
        String tokens = length == 1 ? "1 token" : length + " tokens";
        return (rows.size() > 1 ? rows.size() + " prompts padded to " + tokens : tokens) + "; the pass starts over.";
    }

    private void selectionChanged() {
        selectedLayer = layer.get();
        selectedHead = head.get();
        selectedRow = batchRow.get();
        selectedSource = attentionSource.get();
        if (!applying) {
            requestRefresh();
        }
    }

    /** Rebuilds the snapshot (view data) for the current selection; coalesced while one is queued. */
    private void requestRefresh() {
        if (!ready.get() || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        engine.submit(() -> {
            refreshQueued.set(false);
            return snapshot(null, false);
        }, this::apply, failure -> {
            refreshQueued.set(false);
            status.set(Status.error("Could not update the views: " + message(failure)));
        });
    }

    // ---- engine thread ----------------------------------------------------------------------------------

    /** The name of the first step after the cursor (in this or a later pass) an enabled breakpoint matches. */
    private static String nextMatch(Stepper s, List<Breakpoint> enabled) {
        List<Stepper.Group> groups = s.groups();
        Stepper.StepInfo at = s.current();
        int g0 = at == null ? groups.indexOf(s.group()) : at.group();
        for (int g = Math.max(0, g0); g < groups.size(); g++) {
            Program program = groups.get(g).trace().program();
            for (int i = g == g0 && at != null ? at.index() + 1 : 0; i < program.size(); i++) {
                String name = program.op(i).name();
                if (enabled.stream().anyMatch(b -> b.matches(name))) {
                    return name;
                }
            }
        }
        return null;
    }

    /** Re-tokenizes and resets the pass if the prompt changed since the last reset. Returns whether it did. */
    private boolean syncPrompt() {
        PromptInput input = latestInput;
        if (stepper == null || input.equals(passInput)) {
            return false;
        }
        passInput = input;
        Tokenizer tokenizer = model.tokenizer();
        if (tokenizer == null) {
            passTokens = List.of();
            passError = model.name() + " has no tokenizer.json, so it cannot read text";
            return true;
        }
        sampler = null;
        boolean twoStacks = engineInfo.encoderDecoder();
        long[] decoderStart = null;
        if (twoStacks && !input.decoder().isBlank()) {
            try {
                decoderStart = parseIds(input.decoder());
            } catch (IllegalArgumentException e) {
                passTokens = List.of();
                passError = e.getMessage();
                return true;
            }
        }
        List<String> texts = input.batch() && !twoStacks ? input.text().lines().filter(l -> !l.isBlank()).toList()
                : List.of(input.text());
        String second = engineInfo.encoder() && !input.pair().isBlank() ? input.pair() : null;
        List<Tokenizer.Tokens> encoded = texts.stream()
                .map(t -> second == null ? tokenizer.encode(t) : tokenizer.encodePair(t, second)).toList();
        if (encoded.isEmpty() || encoded.stream().anyMatch(t -> t.size() == 0)) {
            passTokens = List.of();
            passError = "the prompt is empty: type at least one token" + (input.batch() ? " (one prompt per line)" : "");
            return true;
        }
        Batch batch = Batch.pad(encoded.stream().map(Tokenizer.Tokens::ids).toList(),
                encoded.stream().map(Tokenizer.Tokens::typeIds).toList(), Batch.Padding.RIGHT, padId);
        if (decoderStart != null) {
            batch = batch.withDecoder(new long[][] {decoderStart});
        }
        passTokens = chips(batch, encoded, tokenizer);
        try {
            stepper.reset(batch);
            passError = null;
        } catch (IllegalArgumentException e) {
            passError = e.getMessage();
        }
        return true;
    }

    /** "0, 17,5" as ids; a clear message for anything else. */
    static long[] parseIds(String text) {
        String[] parts = text.strip().split("\\s*[,\\s]\\s*");
        long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("decoder ids: \u2018" + parts[i] + "\u2019 is not a token id; "
                        + "type ids separated by commas, e.g. 0,17,5, or leave the field empty for the start token");
            }
        }
        return ids;
    }

    private static List<List<TokenChip>> chips(Batch batch, List<Tokenizer.Tokens> encoded, Tokenizer tokenizer) {
        List<List<TokenChip>> rows = new ArrayList<>(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            Tokenizer.Tokens t = encoded.get(b);
            List<TokenChip> row = new ArrayList<>(batch.length());
            for (int i = 0; i < batch.length(); i++) {
                long id = batch.ids()[b][i];
                boolean padding = batch.attentionMask()[b][i] == 0;
                row.add(new TokenChip(i, id, TokenChip.visible(tokenizer.decode(id)), !padding && t.special()[i],
                        batch.tokenTypes()[b][i], padding));
            }
            rows.add(List.copyOf(row));
        }
        return List.copyOf(rows);
    }

    /**
     * Everything the UI shows about the pass under the cursor, and every active view's data.
     *
     * @param followCursor whether the shared selection moves to the block (and stack) the cursor is in: after a
     *                     command, not when the user changed the selection
     */
    private PassSnapshot snapshot(Status done, boolean followCursor) {
        if (stepper == null || passError != null) {
            Map<ViewFeed<?>, FeedResult> cleared = new IdentityHashMap<>();
            feeds.forEach(f -> cleared.put(f, new FeedResult(null, null)));
            return PassSnapshot.empty(passTokens, cleared, done);
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
        int layerAt = current == null || !followCursor ? -1 : blockOf(current.name());
        AttentionSource sourceAt = current == null || !followCursor ? null : sourceOf(current.name());
        List<List<TokenChip>> tokens = engineInfo.encoderDecoder() ? passTokens : withGenerated(passTokens);
        List<TokenChip> decoder = engineInfo.encoderDecoder() ? decoderChips() : List.of();
        AttentionSource source = sourceAt != null ? sourceAt : validSource(selectedSource);
        if (source.layers(program) == 0) { // e.g. the encoder in a decode pass, which reads the cached encoder output
            source = List.of(AttentionSource.DECODER, AttentionSource.CROSS, AttentionSource.ENCODER, AttentionSource.SELF)
                    .stream().filter(a -> a.layers(program) > 0).findFirst().orElse(source);
        }
        ViewContext context = new ViewContext(engineInfo, model, tokens, decoder,
                clamp(layerAt >= 0 ? layerAt : selectedLayer, engineInfo.layers()), clamp(selectedHead, engineInfo.heads()),
                clamp(selectedRow, tokens.size()), source);
        return new PassSnapshot(tokens, decoder, List.copyOf(rows), stepper.groups().indexOf(group), stepper.groups().size(),
                cursor, trace.executed(), details, layerAt, source, buildFeeds(context), done);
    }

    /** The attention kinds this model has: an encoder-decoder has no {@link AttentionSource#SELF}, others only it. */
    private AttentionSource validSource(AttentionSource wanted) {
        if (engineInfo.encoderDecoder()) {
            return wanted == null || wanted.equals(AttentionSource.SELF) ? AttentionSource.ENCODER : wanted;
        }
        return AttentionSource.SELF;
    }

    /**
     * The attention of the stack a hook belongs to (an encoder-decoder's cross-attention hooks: the cross-attention;
     * the logits: the decoder's), or null for single-stack models.
     */
    private AttentionSource sourceOf(String name) {
        if (!engineInfo.encoderDecoder()) {
            return null;
        }
        if (name.startsWith("encoder.")) {
            return AttentionSource.ENCODER;
        }
        return name.contains(".cross_attn.") ? AttentionSource.CROSS : AttentionSource.DECODER;
    }

    /** Row 0 followed by the tokens generated so far (a decoder's generation is batch 1). */
    private List<List<TokenChip>> withGenerated(List<List<TokenChip>> rows) {
        if (rows.size() != 1 || stepper.groups().size() < 2) {
            return rows;
        }
        long[] sequence = stepper.tokens();
        List<TokenChip> row = new ArrayList<>(rows.get(0));
        for (int i = row.size(); i < sequence.length; i++) {
            row.add(new TokenChip(i, sequence[i], tokenText(model.tokenizer(), sequence[i]), false));
        }
        return List.of(List.copyOf(row));
    }

    /**
     * One token's text as the strip shows it, or "#id" when it is no text on its own (no tokenizer, or one byte of
     * a multi-byte character, which decodes to U+FFFD).
     */
    static String tokenText(Tokenizer tokenizer, long id) {
        String text = tokenizer == null ? "\uFFFD" : tokenizer.decode(id);
        return text.indexOf('\uFFFD') >= 0 ? "#" + id : TokenChip.visible(text);
    }

    /** An encoder-decoder's decoder sequence; its first token (the start token) is marked special. */
    private List<TokenChip> decoderChips() {
        long[] sequence = stepper.tokens();
        List<TokenChip> row = new ArrayList<>(sequence.length);
        for (int i = 0; i < sequence.length; i++) {
            row.add(new TokenChip(i, sequence[i], tokenText(model.tokenizer(), sequence[i]), i == 0));
        }
        return List.copyOf(row);
    }

    private Map<ViewFeed<?>, FeedResult> buildFeeds(ViewContext context) {
        Map<ViewFeed<?>, FeedResult> out = new IdentityHashMap<>();
        for (ViewFeed<?> feed : feeds) {
            if (!feed.isActiveNow()) {
                continue;
            }
            try {
                out.put(feed, new FeedResult(feed.factory().build(stepper, context), null));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the " + feed.name() + " view could not be built", e);
                out.put(feed, new FeedResult(null, feed.name() + ": " + message(e)));
            }
        }
        return out;
    }

    private static int clamp(int value, int count) {
        return Math.max(0, Math.min(value, count - 1));
    }

    private static int blockOf(String name) {
        try {
            HookName.Parsed p = HookName.parse(name);
            return p.inBlock() ? p.layer() : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
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
        engineInfo = null;
        passInput = null;
        passError = null;
        passTokens = List.of();
        sampler = null;
    }

    // ---- UI thread --------------------------------------------------------------------------------------

    private void apply(PassSnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        applying = true;
        try {
            if (!tokenRows.equals(snapshot.tokens())) {
                tokenRows.setAll(snapshot.tokens());
            }
            List<TokenChip> first = snapshot.tokens().isEmpty() ? List.of() : snapshot.tokens().get(0);
            if (!tokens.equals(first)) {
                tokens.setAll(first);
            }
            if (!decoderTokens.equals(snapshot.decoderTokens())) {
                decoderTokens.setAll(snapshot.decoderTokens());
            }
            groupIndex.set(snapshot.group());
            groupCount.set(snapshot.groups());
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
            if (snapshot.layerAt() >= 0) {
                layer.set(snapshot.layerAt());
            }
            if (snapshot.source() != null) {
                attentionSource.set(snapshot.source());
            }
            ModelInfo info = modelInfo.get();
            if (info != null) {
                layer.set(clamp(layer.get(), info.layers()));
                head.set(clamp(head.get(), info.heads()));
            }
            batchRow.set(clamp(batchRow.get(), Math.max(1, snapshot.tokens().size())));
            snapshot.views().forEach((feed, result) -> feed.apply(result.value(), result.error()));
            if (snapshot.status() != null) {
                status.set(snapshot.status());
            }
        } finally {
            applying = false;
        }
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

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
