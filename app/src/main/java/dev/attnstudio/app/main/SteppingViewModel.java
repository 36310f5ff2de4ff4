package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Stepping through the pass: the debugger's commands (step, step back, step over, run to breakpoint, run to end,
 * generate one token or N, jump, stop), the steps of the pass under the cursor and the step the cursor is on. Commands
 * are called on the UI thread and run on the engine thread; their outcome comes back as a {@link PassSnapshot}.
 */
public final class SteppingViewModel {

    private static final System.Logger LOG = System.getLogger(SteppingViewModel.class.getName());
    /** Tokens Run ▸ Generate N produces until the user sets another count. */
    public static final int DEFAULT_GENERATE_COUNT = 20;

    private final EngineExecutor engine;
    private final EnginePass pass;
    private final EngineStatus status;
    private final BreakpointsViewModel breakpoints;
    private final Consumer<PassSnapshot> apply;
    private final ObservableList<StepRow> steps = FXCollections.observableArrayList();
    private final ObservableList<StepRow> stepsView = FXCollections.unmodifiableObservableList(steps);
    private final ReadOnlyIntegerWrapper groupIndex = new ReadOnlyIntegerWrapper(this, "group", 0);
    private final ReadOnlyIntegerWrapper groupCount = new ReadOnlyIntegerWrapper(this, "groups", 0);
    private final ReadOnlyIntegerWrapper currentIndex = new ReadOnlyIntegerWrapper(this, "currentIndex", -1);
    private final ReadOnlyIntegerWrapper executed = new ReadOnlyIntegerWrapper(this, "executed", 0);
    private final ReadOnlyObjectWrapper<StepDetails> currentStep = new ReadOnlyObjectWrapper<>(this, "currentStep");
    private final ReadOnlyObjectWrapper<String> failure = new ReadOnlyObjectWrapper<>(this, "failure");
    private final ObjectProperty<SamplingConfig> sampling = new SimpleObjectProperty<>(this, "sampling", SamplingConfig.GREEDY);
    private final IntegerProperty generateCount = new SimpleIntegerProperty(this, "generateCount", DEFAULT_GENERATE_COUNT);
    private final GenerationRun generation;
    private final StringBinding position;
    private final BooleanBinding stepDisabled;
    private final BooleanBinding stepBackDisabled;

    /**
     * @param apply applies a pass snapshot on the UI thread
     */
    SteppingViewModel(EngineExecutor engine, EnginePass pass, EngineStatus status, BreakpointsViewModel breakpoints,
                      Consumer<PassSnapshot> apply) {
        this.engine = engine;
        this.pass = pass;
        this.status = status;
        this.breakpoints = breakpoints;
        this.apply = apply;
        generation = new GenerationRun(engine, pass, status, apply);
        position = Bindings.createStringBinding(
                () -> (groupCount.get() > 1 ? "pass " + (groupIndex.get() + 1) + " / " + groupCount.get() + "  \u00b7  " : "")
                        + "step " + (currentIndex.get() + 1) + " / " + steps.size(), currentIndex, steps, groupIndex, groupCount);
        stepDisabled = status.busyProperty().or(status.readyProperty().not());
        stepBackDisabled = stepDisabled.or(currentIndex.lessThan(0));
    }

    /** Every step of the current pass in order, with its state (read-only). */
    public ObservableList<StepRow> steps() {
        return stepsView;
    }

    /** The pass under the cursor: 0 for the prompt's, one more for each generated token. */
    public ReadOnlyIntegerProperty groupProperty() {
        return groupIndex.getReadOnlyProperty();
    }

    /** How many passes there are (the prompt's and one per generated token). */
    public ReadOnlyIntegerProperty groupsProperty() {
        return groupCount.getReadOnlyProperty();
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

    /** The sampling settings Run > Generate uses (the Generation view binds its own to it); greedy by default. */
    public ObjectProperty<SamplingConfig> samplingProperty() {
        return sampling;
    }

    /** How many tokens Run ▸ Generate N produces (the Generation view edits it); at least 1. */
    public IntegerProperty generateCountProperty() {
        return generateCount;
    }

    /**
     * What the last command the engine failed in said ("Run to end failed: ..." with the cause), for an alert; set anew
     * on every failure (null in between), so the same failure twice is told twice. The pass keeps the steps computed
     * before the failure.
     */
    public ReadOnlyObjectProperty<String> failureProperty() {
        return failure.getReadOnlyProperty();
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
        List<Breakpoint> enabled = breakpoints.enabled();
        if (enabled.isEmpty()) {
            status.show(Status.error("No breakpoint is enabled: add or tick one in the breakpoint list, e.g. "
                    + BreakpointsViewModel.DEFAULT_BREAKPOINT));
            return;
        }
        command("Run to breakpoint", s -> {
            String target = BreakpointsViewModel.nextMatch(s, enabled);
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
        command("Generate", false, s -> {
            Sampler.Choice choice = s.generate(pass.sampler(config));
            int last = s.groups().size() - 1;
            Trace before = s.groups().get(last - 1).trace();
            s.moveTo(last - 1, before.executed() - 1);
            s.step(); // into the new pass
            String text = pass.tokenText(choice.token());
            return Status.info(String.format(Locale.ROOT, "Generated \u2018%s\u2019 (id %d, p = %.3f) as pass %d: "
                    + "F10 steps it, Ctrl+Enter runs it", text, choice.token(), choice.probability(), last + 1));
        });
    }

    /**
     * Generates {@code tokens} tokens one after another with {@code config}, each pass run to its end, on the engine
     * thread: the status bar counts them, the views follow, {@link #cancel()} (Esc) stops after the current token and
     * keeps every token generated so far. The status bar then quotes the continuation as text.
     */
    public void generate(SamplingConfig config, int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("generate at least 1 token, not " + tokens);
        }
        if (status.isBusy() || !status.isReady()) {
            return;
        }
        generation.start(config, tokens);
    }

    /** Generates {@link #generateCountProperty()} tokens with {@link #samplingProperty()}; see {@link #generate(SamplingConfig, int)}. */
    public void generateTokens() {
        generate(sampling.get(), Math.max(1, generateCount.get()));
    }

    /** Moves the cursor onto a computed step of any pass (e.g. clicked in the pipeline); nothing is computed. */
    public void jumpTo(int group, int index) {
        command("Jump", s -> Status.info("Moved to " + s.moveTo(group, index).name() + " (already computed)"));
    }

    /**
     * Asks a running command to stop after its current step (a generation of N tokens: after its current token). Safe
     * while the engine thread works.
     */
    public void cancel() {
        if (generation.running()) {
            generation.stop();
        } else if (status.isBusy()) {
            pass.cancel();
        }
    }

    /**
     * Copies the tensor of the step under the cursor on the engine thread (for export); {@code done} receives it
     * on the UI thread, or null when the cursor is before the first step.
     */
    public void readCurrentTensor(Consumer<TensorData> done, Consumer<Throwable> failed) {
        if (!status.isReady()) {
            done.accept(null);
            return;
        }
        engine.submit(() -> {
            Stepper s = pass.stepper();
            Stepper.StepInfo at = s == null || s.groups().isEmpty() ? null : s.current();
            return at == null ? null : s.read(at.name());
        }, done, failed);
    }

    private void command(String what, Function<Stepper, Status> action) {
        command(what, true, action);
    }

    /**
     * @param followCursor whether the selection follows the cursor into its block and stack (not after generating: the
     *                     attention shown stays where it was)
     */
    private void command(String what, boolean followCursor, Function<Stepper, Status> action) {
        if (status.isBusy() || !status.isReady()) {
            return;
        }
        status.setBusy(true);
        String[] failed = new String[1]; // written on the engine thread before the snapshot is handed over
        engine.submit(() -> {
            pass.sync();
            if (pass.error() != null) {
                return pass.snapshot(Status.error(pass.error()), followCursor);
            }
            Status done;
            try {
                done = action.apply(pass.stepper());
            } catch (CancellationException e) {
                done = Status.info("Stopped: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, what + " failed", e);
                failed[0] = what + " failed: " + Failures.message(e);
                done = Status.error(failed[0]);
            }
            return pass.snapshot(done, followCursor);
        }, snapshot -> {
            status.setBusy(false);
            apply.accept(snapshot);
            tellFailure(failed[0]);
        }, error -> {
            status.setBusy(false);
            String message = what + " failed: " + Failures.message(error);
            status.show(Status.error(message));
            tellFailure(message);
        });
    }

    /** UI thread: raises {@link #failureProperty()} when a command failed in the engine. */
    private void tellFailure(String message) {
        if (message != null) {
            failure.set(null);
            failure.set(message);
        }
    }

    /** UI thread: the steps and the cursor of a pass snapshot. */
    void show(PassSnapshot snapshot) {
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
}
