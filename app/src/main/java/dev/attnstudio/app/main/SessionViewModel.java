package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.model.WeightSource;
import dev.attnstudio.samples.ModelSource;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * The model session: which model is open (a bundled sample or a folder), opening another in the background, what
 * the status bar says about it, and the models opened before.
 */
public final class SessionViewModel {

    private static final System.Logger LOG = System.getLogger(SessionViewModel.class.getName());

    private record Loaded(ModelInfo info, PassSnapshot pass) {
    }

    private final EngineExecutor engine;
    private final ModelOpener opener;
    private final EnginePass pass;
    private final EngineStatus status;
    private final Consumer<ModelInfo> opened;
    private final Consumer<PassSnapshot> apply;
    private final RecentModels recent;
    private final PromptViewModel prompt;
    private final ReadOnlyObjectWrapper<ModelInfo> modelInfo = new ReadOnlyObjectWrapper<>(this, "modelInfo");
    private final ReadOnlyBooleanWrapper encoder = new ReadOnlyBooleanWrapper(this, "encoder", false);
    private final ReadOnlyBooleanWrapper encoderDecoder = new ReadOnlyBooleanWrapper(this, "encoderDecoder", false);
    private final ReadOnlyBooleanWrapper batches = new ReadOnlyBooleanWrapper(this, "batches", false);
    private final ReadOnlyBooleanWrapper pairs = new ReadOnlyBooleanWrapper(this, "pairs", false);
    private final ReadOnlyObjectWrapper<String> loadFailure = new ReadOnlyObjectWrapper<>(this, "loadFailure");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading", false);
    /** Engine thread: when progress was last shown (nanoseconds). */
    private long lastProgress;
    private volatile WeightSource.Progress loadObserver;
    private final ReadOnlyBooleanWrapper recorded = new ReadOnlyBooleanWrapper(this, "recorded", false);

    /**
     * @param prompt reset for each model opened: its suggested prompt, none of the model before's settings
     * @param opened called on the UI thread with each model opened, before its first snapshot is applied
     * @param apply  applies a pass snapshot on the UI thread
     */
    SessionViewModel(EngineExecutor engine, ModelOpener opener, SettingsStore settings, EnginePass pass, EngineStatus status,
                     PromptViewModel prompt, Consumer<ModelInfo> opened, Consumer<PassSnapshot> apply) {
        this.engine = engine;
        this.prompt = prompt;
        this.opener = opener;
        this.pass = pass;
        this.status = status;
        this.opened = opened;
        this.apply = apply;
        recent = new RecentModels(settings);
        List<String> gone = recent.restore();
        if (!gone.isEmpty()) {
            status.show(Status.info("Removed from recent models (no longer there): " + String.join(", ", gone)));
        }
        modelInfo.addListener((obs, old, info) -> {
            PromptRules rules = info == null ? PromptRules.TEXT_ONLY : info.prompt();
            encoder.set(info != null && info.encoder());
            encoderDecoder.set(info != null && info.encoderDecoder());
            batches.set(rules.batches());
            pairs.set(rules.pairs());
        });
    }

    public ReadOnlyObjectProperty<ModelInfo> modelInfoProperty() {
        return modelInfo.getReadOnlyProperty();
    }

    /** Whether the open model reads a batch of prompts, one per line (see {@link PromptRules#batches()}). */
    public ReadOnlyBooleanProperty batchesProperty() {
        return batches.getReadOnlyProperty();
    }

    /** Whether the open model reads a sentence B (see {@link PromptRules#pairs()}). */
    public ReadOnlyBooleanProperty pairsProperty() {
        return pairs.getReadOnlyProperty();
    }

    /** Whether the open model is an encoder: it reads its whole input at once and does not generate. */
    public ReadOnlyBooleanProperty encoderProperty() {
        return encoder.getReadOnlyProperty();
    }

    /** Whether the open model is an encoder-decoder (T5): the prompt is its source, the decoder generates. */
    public ReadOnlyBooleanProperty encoderDecoderProperty() {
        return encoderDecoder.getReadOnlyProperty();
    }

    /** Whether a recorded trace is open in place of a model: no new pass can be computed. */
    public ReadOnlyBooleanProperty recordedProperty() {
        return recorded.getReadOnlyProperty();
    }

    /** The message of the last failed model load (for an alert), or null. */
    public ReadOnlyObjectProperty<String> loadFailureProperty() {
        return loadFailure.getReadOnlyProperty();
    }

    /** Models opened before, most recent first (read-only). */
    public ObservableList<ModelSource> recentModels() {
        return recent.list();
    }

    /** Closes the open model (if any) and opens a bundled sample, with the prompt it suggests. */
    public void openSample(String name) {
        open(new ModelSource.Sample(name));
    }

    /** As {@link #open} for a model folder (see {@link ModelFolder} for the kinds it reads); the prompt's text stays. */
    public void openFolder(Path folder) {
        open(new ModelSource.OnDisk(folder));
    }

    /** Opens a model again from the recent list; one that is no longer there is dropped from it, with a message. */
    public void openRecent(ModelSource source) {
        if (!source.exists()) {
            recent.forget(source);
            status.show(Status.error(source.label() + " is no longer there; removed it from the recent models."));
            return;
        }
        open(source);
    }

    /** How models are opened (for a lesson page's setup, on the engine thread). */
    ModelOpener opener() {
        return opener;
    }

    /** UI thread: a model a lesson page opened on the engine thread is now the window's. */
    void adopted(ModelInfo info, ModelSource source) {
        recorded.set(false);
        modelInfo.set(info);
        opened.accept(info);
        recent.remember(source);
    }

    /**
     * Closes the open model (if any) and opens another. The prompt starts over for it: a sample's suggested prompt
     * (else the current text), batch mode off, no sentence B, no decoder ids.
     */
    public void open(ModelSource source) {
        if (status.isBusy()) {
            return;
        }
        String name = source.label();
        boolean hadModel = modelInfo.get() != null;
        PromptInput before = prompt.latest();
        status.setBusy(true);
        status.setReady(false);
        status.setProgress(-1);
        loading.set(true);
        loadFailure.set(null);
        prompt.reset(PromptRules.fresh(prompt.latest(), ModelCards.suggestedPrompt(source)));
        status.show(Status.info("Loading " + name + "\u2026"));
        WeightSource.Progress observer = loadObserver;
        WeightSource.Progress progress = (tensor, bytes, totalBytes, tensors, totalTensors) -> {
            if (observer != null) {
                observer.loaded(tensor, bytes, totalBytes, tensors, totalTensors);
            }
            showProgress(name, bytes, totalBytes, tensors, totalTensors);
        };
        engine.submit(() -> {
            ModelInfo info = pass.open(opener, source, progress);
            Status loaded = pass.error() != null ? Status.error(pass.error())
                    : Status.info("Loaded " + info.name() + " in " + info.loadMillis()
                    + " ms. Press F10 to step, F5 to run to a breakpoint.");
            return new Loaded(info, pass.snapshot(loaded, true));
        }, loaded -> {
            loading.set(false);
            status.setProgress(-1);
            status.setBusy(false);
            recorded.set(false);
            modelInfo.set(loaded.info());
            opened.accept(loaded.info());
            status.setReady(true);
            recent.remember(source);
            apply.accept(loaded.pass());
        }, failure -> {
            loading.set(false);
            status.setProgress(-1);
            boolean cancelled = failure instanceof CancellationException;
            if (hadModel) {
                keepModelBefore(name, before, failure, cancelled);
                return;
            }
            status.setBusy(false);
            recorded.set(false);
            modelInfo.set(null);
            String why = cancelled ? "Cancelled opening " + name + "." : "Could not open " + name + ": " + Failures.message(failure);
            apply.accept(PassSnapshot.empty(List.of(), cancelled ? Status.info(why) : Status.error(why)));
            if (!cancelled) {
                LOG.log(System.Logger.Level.ERROR, "could not open " + name, failure);
                loadFailure.set("Could not open " + name + ":\n" + Failures.message(failure));
            }
        });
    }

    /** UI thread: the load stopped (cancelled or failed) and the model before is still open: back to it and its prompt. */
    private void keepModelBefore(String name, PromptInput before, Throwable failure, boolean cancelled) {
        prompt.reset(before);
        String kept = modelInfo.get().name();
        Status message = cancelled ? Status.info("Cancelled opening " + name + "; " + kept + " is still open.")
                : Status.error("Could not open " + name + ": " + Failures.message(failure) + " (" + kept + " is still open)");
        if (!cancelled) {
            LOG.log(System.Logger.Level.ERROR, "could not open " + name, failure);
            loadFailure.set("Could not open " + name + ":\n" + Failures.message(failure));
        }
        engine.submit(() -> {
            pass.sync();
            return pass.snapshot(message, true);
        }, snapshot -> {
            status.setBusy(false);
            status.setReady(true);
            apply.accept(snapshot);
        }, again -> {
            status.setBusy(false);
            status.show(Status.error("Could not return to " + kept + ": " + Failures.message(again)));
        });
    }

    /** Whether a model is loading (the status bar then offers Cancel). */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /**
     * Stops a model load before its next tensor; what was loaded is freed and the model before stays open. Safe on any
     * thread; does nothing when no model is loading.
     */
    public void cancelOpen() {
        if (loading.get()) {
            pass.cancel();
        }
    }

    /** Engine thread (tests): hears each tensor loaded before the window does, e.g. to pace a load. */
    void observeLoading(WeightSource.Progress observer) {
        this.loadObserver = observer;
    }

    /**
     * Engine thread: shows "Loading X: 1.2 of 4.9 GB, 37 of 147 tensors" and the bar's fraction, at most every 100 ms
     * (and always the last tensor) so a model of many small tensors does not flood the UI thread.
     */
    private void showProgress(String name, long bytes, long totalBytes, int tensors, int totalTensors) {
        long now = System.nanoTime();
        if (tensors < totalTensors && now - lastProgress < 100_000_000L) {
            return;
        }
        lastProgress = now;
        double fraction = totalBytes > 0 ? bytes / (double) totalBytes : tensors / (double) Math.max(1, totalTensors);
        String text = String.format(java.util.Locale.ROOT, "Loading %s: %s of %s, %d of %d tensors (Esc or Cancel stops)",
                name, size(bytes), size(totalBytes), tensors, totalTensors);
        onUi(() -> {
            if (loading.get()) {
                status.setProgress(fraction);
                status.show(Status.info(text));
            }
        });
    }

    private static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format(java.util.Locale.ROOT, "%.2f GB", bytes / 1e9)
                : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Runs on the UI thread: the FX thread behind the window; the caller's own thread under a synchronous executor. */
    private void onUi(Runnable r) {
        if (engine instanceof DirectEngineExecutor || javafx.application.Platform.isFxApplicationThread()) {
            r.run();
        } else {
            javafx.application.Platform.runLater(r);
        }
    }

    /**
     * Closes the open model (if any) and opens a trace bundle (a .npz archive or a folder with manifest.json) in its
     * place: every recorded pass replayed, no model loaded. The prompt shows the recorded one; generation, a new
     * prompt and interventions need the model.
     */
    public void openTrace(Path bundle) {
        if (status.isBusy()) {
            return;
        }
        String name = String.valueOf(bundle.getFileName());
        status.setBusy(true);
        status.setReady(false);
        loadFailure.set(null);
        status.show(Status.info("Opening the recorded trace " + name + "\u2026"));
        String[] recordedPrompt = new String[1]; // read on the engine thread, shown on the UI thread
        engine.submit(() -> {
            ModelInfo info = pass.openRecorded(bundle);
            recordedPrompt[0] = pass.recorded().manifest().prompt();
            Status done = Status.info("Opened " + name + ", a recorded trace of " + info.name()
                    + " (no model): F10 / Shift+F10 step through it.");
            return new Loaded(info, pass.snapshot(done, true));
        }, loaded -> {
            status.setBusy(false);
            recorded.set(true);
            prompt.reset(PromptRules.fresh(prompt.latest(), recordedPrompt[0]));
            modelInfo.set(loaded.info());
            opened.accept(loaded.info());
            status.setReady(true);
            apply.accept(loaded.pass());
        }, failure -> {
            status.setBusy(false);
            recorded.set(false);
            modelInfo.set(null);
            apply.accept(PassSnapshot.empty(List.of(), Status.error("Could not open " + name + ": "
                    + Failures.message(failure))));
            LOG.log(System.Logger.Level.ERROR, "could not open the trace " + name, failure);
            loadFailure.set("Could not open " + name + ":\n" + Failures.message(failure));
        });
    }

    /**
     * Saves the pass as it stands as a trace bundle (.npz, or a folder), written on the engine thread with the writer
     * of {@code attn-studio trace}; the status bar says what was written.
     */
    public void saveBundle(Path out) {
        if (status.isBusy() || recorded.get()) {
            return;
        }
        String name = String.valueOf(out.getFileName());
        status.setBusy(true);
        status.show(Status.info("Saving the pass as " + name + "\u2026"));
        engine.submit(() -> pass.saveBundle(out), written -> {
            status.setBusy(false);
            status.show(Status.info(String.format(java.util.Locale.ROOT, "Saved the pass as %s: %d entries, %.1f MiB.",
                    out, written.entries(), written.bytes() / (1024.0 * 1024.0))));
        }, failure -> {
            status.setBusy(false);
            status.show(Status.error("Could not save " + name + ": " + Failures.message(failure)));
        });
    }
}
