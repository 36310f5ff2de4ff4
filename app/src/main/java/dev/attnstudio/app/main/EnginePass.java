package dev.attnstudio.app.main;

import dev.attnstudio.app.bundle.BundleReplay;
import dev.attnstudio.app.bundle.BundleWriter;
import dev.attnstudio.app.bundle.RecordedTrace;
import dev.attnstudio.app.bundle.WeightsDigest;
import dev.attnstudio.app.tokens.PadToken;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.ViewFeeds;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.WeightSource;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.ModelSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * The engine side of the main window: the open model, its stepper and the pass the prompt asked for. Touched by
 * engine tasks only (the stepper is not thread-safe), except {@link #cancel()}; what the UI sees of it leaves as one
 * immutable {@link PassSnapshot}.
 */
final class EnginePass {

    private final Supplier<PromptInput> prompt;
    private final Supplier<SelectionViewModel.Chosen> selection;
    private final ViewFeeds feeds;

    private LoadedModel model;
    private ModelInfo info;
    private Stepper stepper;
    private long padId;
    /** The input the stepper was last reset with, or null. */
    private PromptInput synced;
    /** Why the prompt gives no pass, or null. */
    private String error;
    private List<List<TokenChip>> tokens = List.of();
    /** The sampler of the current generation: one per prompt and sampling config, so a seed replays. */
    private Sampler sampler;
    /** The trace bundle open in place of a model (its passes replayed), or null. */
    private RecordedTrace recorded;
    /** For {@link #cancel()}, which may be called while the engine thread works. */
    private volatile Stepper active;
    /** Whether a model is loading, and whether {@link #cancel()} asked that load to stop. */
    private volatile boolean loading;
    private volatile boolean loadCancelled;

    /**
     * @param prompt    the newest prompt input (read on the engine thread)
     * @param selection the views' shared selection (read on the engine thread)
     * @param feeds     the views' feeds, built into every snapshot
     */
    EnginePass(Supplier<PromptInput> prompt, Supplier<SelectionViewModel.Chosen> selection, ViewFeeds feeds) {
        this.prompt = prompt;
        this.selection = selection;
        this.feeds = feeds;
    }

    /** Closes the open model, opens another and tokenizes the prompt for it. */
    ModelInfo open(ModelOpener opener, ModelSource source) {
        return open(opener, source, null);
    }

    /**
     * Opens another model and, once it is open, closes the one before and tokenizes the prompt for the new one. While
     * it loads, {@code progress} (may be null) hears of each tensor, and {@link #cancel()} stops the load before the
     * next tensor with a {@link CancellationException}: what was loaded is freed, and the model before stays open and
     * usable, as it does when the load fails.
     */
    ModelInfo open(ModelOpener opener, ModelSource source, WeightSource.Progress progress) {
        loadCancelled = false;
        loading = true;
        LoadedModel m;
        long start = System.nanoTime();
        try {
            m = opener.open(source, (name, bytes, totalBytes, tensors, totalTensors) -> {
                if (loadCancelled) {
                    throw new CancellationException("Cancelled opening " + source.label());
                }
                if (progress != null) {
                    progress.loaded(name, bytes, totalBytes, tensors, totalTensors);
                }
            });
        } finally {
            loading = false;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        close();
        model = m;
        info = ModelInfo.of(m, source, millis);
        stepper = new Stepper(m.model(), Stepper.Options.DEFAULT);
        active = stepper;
        padId = m.tokenizer() == null ? 0 : PadToken.idOf(m.tokenizer());
        sync();
        return info;
    }

    /**
     * Closes the open model and opens a trace bundle in its place: its passes replayed by {@link BundleReplay}, no
     * weights loaded. The prompt no longer drives the pass (the recorded inputs do).
     */
    ModelInfo openRecorded(Path bundle) throws IOException {
        close();
        long start = System.nanoTime();
        try {
            recorded = RecordedTrace.open(bundle);
            model = BundleReplay.model(recorded);
            stepper = BundleReplay.replay(model, recorded);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        active = stepper;
        info = ModelInfo.recorded(model, bundle, (System.nanoTime() - start) / 1_000_000);
        tokens = RecordedChips.rows(recorded);
        synced = prompt.get();
        return info;
    }

    /**
     * Writes every pass of the prompt as it stands (the steps computed so far, every hook) as a trace bundle, with
     * the writer of {@code attn-studio trace}: one .npz, or a folder.
     */
    BundleWriter.Written saveBundle(Path out) throws IOException {
        requireModel("saving a bundle");
        if (stepper == null || stepper.groups().isEmpty()) {
            throw new IllegalStateException("there is no pass to save: type a prompt first");
        }
        PromptInput input = synced;
        List<String> prompts = input == null || input.text().isBlank() ? List.of() : input.batch()
                ? input.text().lines().filter(l -> !l.isBlank()).toList() : List.of(input.text());
        String pair = input == null || input.pair().isBlank() ? null : input.pair();
        BundleWriter.Run run = new BundleWriter.Run("attn-studio app", stepper.options().capture(), "**", prompts, pair,
                Batch.Padding.RIGHT, padId, stepper.groups().size() - 1,
                sampler == null ? SamplingConfig.GREEDY : sampler.config(), stepper.interventions());
        return BundleWriter.write(out, run, HookName.glob("**"), info.source(), model, stepper,
                WeightsDigest.of(info.source()));
    }

    /** Re-tokenizes and resets the pass if the prompt changed since the last reset. Returns whether it did. */
    boolean sync() {
        return sync(prompt.get());
    }

    /** As {@link #sync()} for a given input (a lesson's prompt, adopted by the prompt view model too). */
    boolean sync(PromptInput input) {
        if (stepper == null || recorded != null || input.equals(synced)) {
            return false; // a recorded trace replays its own inputs
        }
        synced = input;
        sampler = null;
        PromptTokenizer.Tokenized t = PromptTokenizer.tokenize(input, model.name(), model.tokenizer(), info.prompt(), padId);
        tokens = t.chips();
        error = t.error();
        if (t.batch() != null) {
            try {
                stepper.reset(t.batch());
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
        }
        return true;
    }

    /**
     * Runs the pass over under these interventions (checked against the model first: a refused set leaves the pass as
     * it was).
     *
     * @throws IllegalArgumentException naming what does not fit the model
     */
    void intervene(Interventions interventions) {
        requireModel("an intervention");
        interventions.check(model.model().capabilities());
        stepper.setOptions(stepper.options().withInterventions(interventions));
        synced = null;
        sync();
    }

    /** Tokenizes {@code input} and resets the pass on it, even when it is the prompt already in place. */
    void resetOn(PromptInput input) {
        synced = null;
        sync(input);
    }

    /** Resets the pass on a batch of token ids (a lesson's prompt given as ids); the token strip shows no text. */
    void resetOn(PromptInput input, Batch batch) {
        synced = input;
        sampler = null;
        error = null;
        tokens = List.of();
        stepper.reset(batch);
    }

    /** Sets the interventions the next reset runs under (checked against the model), without starting over. */
    void useInterventions(Interventions interventions) {
        requireModel("an intervention");
        interventions.check(model.model().capabilities());
        stepper.setOptions(stepper.options().withInterventions(interventions));
    }

    /** Refuses what needs the model's weights while a recorded trace is open. */
    private void requireModel(String what) {
        if (recorded != null) {
            throw new IllegalArgumentException(what + " needs the model: " + recorded.path().getFileName()
                    + " is a recorded trace, which replays what was recorded (open the model itself)");
        }
    }

    /** The trace bundle open in place of a model, or null. */
    RecordedTrace recorded() {
        return recorded;
    }

    /** Why the prompt gives no pass (empty, unreadable, refused by the model), or null. */
    String error() {
        return error;
    }

    Stepper stepper() {
        return stepper;
    }

    LoadedModel model() {
        return model;
    }

    ModelInfo info() {
        return info;
    }

    /** The prompt's chips per batch row, as tokenized (generated tokens not included). */
    List<List<TokenChip>> tokens() {
        return tokens;
    }

    /** The sampler for {@code config}: the one in use while the prompt and config stay the same. */
    Sampler sampler(SamplingConfig config) {
        if (sampler == null || !sampler.config().equals(config)) {
            sampler = new Sampler(config);
        }
        return sampler;
    }

    /** One token's text as the token strip shows it. */
    String tokenText(long id) {
        if (recorded != null) {
            return TokenChip.visible(recorded.label(id));
        }
        return PromptTokenizer.tokenText(model.tokenizer(), id);
    }

    /** Everything the UI shows about the pass under the cursor; see {@link PassSnapshots#take}. */
    PassSnapshot snapshot(Status done, boolean followCursor) {
        return PassSnapshots.take(this, selection.get(), feeds, done, followCursor);
    }

    /** Asks a running command to stop after its current step, or a model load before its next tensor. Safe on any thread. */
    void cancel() {
        if (loading) {
            loadCancelled = true;
        }
        Stepper s = active;
        if (s != null) {
            s.cancel();
        }
    }

    /** Frees the stepper and the model. */
    void close() {
        active = null;
        if (stepper != null) {
            stepper.close();
            stepper = null;
        }
        if (model != null) {
            model.close();
            model = null;
        }
        if (recorded != null) {
            try {
                recorded.close();
            } catch (IOException e) {
                System.getLogger(EnginePass.class.getName()).log(System.Logger.Level.DEBUG, "closing a trace bundle", e);
            }
            recorded = null;
        }
        info = null;
        synced = null;
        error = null;
        tokens = List.of();
        sampler = null;
    }
}
