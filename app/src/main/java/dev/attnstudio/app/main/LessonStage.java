package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.app.heatmap.HiddenPatches;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.ModelSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where something outside the window's own commands (a lesson page) sets up the pass: it gets the engine side of the
 * window on the engine thread, opens a model, sets interventions and a prompt and moves the stepper, and the window
 * then shows the result as after any command (model, prompt text, interventions, steps, views).
 */
public final class LessonStage {

    /** The engine side of the window, for work on the engine thread only. */
    public interface Access {

        /** Opens a model unless it is the one open; returns whether it opened one. */
        boolean open(ModelSource source);

        LoadedModel model();

        Stepper stepper();

        /** Sets the interventions the next reset runs under (checked against the model). */
        void interventions(Interventions all);

        /**
         * Resets the pass on a text prompt through the window's tokenizer (the prompt box shows it).
         *
         * @param texts   one text, or several for a batch (one per line)
         * @param decoder an encoder-decoder's decoder ids, comma-separated, or blank
         * @param batch   the same prompt as the lesson runner builds it: the pass is reset on exactly this (its
         *                padding id may differ from the window's)
         */
        void prompt(List<String> texts, String decoder, Batch batch);

        /** Resets the pass on token ids (the prompt box is left empty). */
        void prompt(Batch batch);

        /** An intervention the student must not be told about (a mask bug to diagnose): it stays off the menus. */
        void hide(String spec);
    }

    private final EngineExecutor engine;
    private final EnginePass pass;
    private final EngineStatus status;
    private final SessionViewModel session;
    private final PromptViewModel prompt;
    private final InterventionsViewModel interventions;
    private final Consumer<PassSnapshot> apply;

    LessonStage(EngineExecutor engine, EnginePass pass, EngineStatus status, SessionViewModel session,
                PromptViewModel prompt, InterventionsViewModel interventions, Consumer<PassSnapshot> apply) {
        this.engine = engine;
        this.pass = pass;
        this.status = status;
        this.session = session;
        this.prompt = prompt;
        this.interventions = interventions;
        this.apply = apply;
    }

    private record Done<T>(T result, ModelInfo opened, ModelSource source, PromptInput input,
                           Interventions visible, List<String> hiddenLabels, PassSnapshot snapshot) {
    }

    /** Whether the engine is free for a page (no model loading, no command running). */
    public boolean idle() {
        return !status.isBusy();
    }

    /**
     * Runs {@code work} on the engine thread with the window's engine side, then (UI thread) shows the pass as it
     * left it and calls {@code done} with the result; a failure goes to {@code failed} and the status bar.
     *
     * @param message what the status bar says while it runs
     */
    public <T> void run(String message, Function<Access, T> work, Consumer<? super T> done,
                        Consumer<? super Throwable> failed) {
        status.setBusy(true);
        status.show(Status.info(message));
        engine.submit(() -> {
            EngineAccess access = new EngineAccess();
            T result = work.apply(access);
            Interventions visible = pass.stepper() == null ? Interventions.NONE
                    : pass.stepper().options().interventions();
            List<String> labels = new ArrayList<>();
            for (Intervention i : visible.applied()) {
                if (access.hidden.contains(i.spec())) {
                    labels.add(i.label());
                }
            }
            for (String spec : access.hidden) {
                visible = visible.without(spec);
            }
            return new Done<>(result, access.opened, access.source, access.input, visible, labels,
                    pass.snapshot(pass.error() != null ? Status.error(pass.error()) : Status.info("The page is ready."),
                            true));
        }, d -> {
            status.setBusy(false);
            HiddenPatches.hide(d.hiddenLabels());
            if (d.opened() != null) {
                session.adopted(d.opened(), d.source());
            }
            status.setReady(true);
            if (d.input() != null) {
                prompt.showAdopted(d.input());
            }
            interventions.shown(d.visible());
            apply.accept(d.snapshot());
            done.accept(d.result());
        }, failure -> {
            status.setBusy(false);
            status.setReady(pass.stepper() != null);
            status.show(Status.error("The lesson page could not be set up: " + Failures.message(failure)));
            failed.accept(failure);
        });
    }

    /** Engine thread only. */
    private final class EngineAccess implements Access {
        private final Set<String> hidden = new HashSet<>();
        private ModelInfo opened;
        private ModelSource source;
        private PromptInput input;

        @Override
        public boolean open(ModelSource wanted) {
            if (pass.info() != null && Objects.equals(pass.info().source(), wanted)) {
                return false;
            }
            opened = pass.open(session.opener(), wanted);
            source = wanted;
            return true;
        }

        @Override
        public LoadedModel model() {
            return pass.model();
        }

        @Override
        public Stepper stepper() {
            return pass.stepper();
        }

        @Override
        public void interventions(Interventions all) {
            pass.useInterventions(all);
        }

        @Override
        public void prompt(List<String> texts, String decoder, Batch batch) {
            input = new PromptInput(String.join("\n", texts), "", texts.size() > 1, decoder == null ? "" : decoder);
            prompt.adopt(input);
            pass.resetOn(input);
            if (pass.error() != null) {
                throw new IllegalArgumentException(pass.error());
            }
            pass.stepper().reset(batch);
        }

        @Override
        public void prompt(Batch batch) {
            input = new PromptInput("", "", false, "");
            prompt.adopt(input);
            pass.resetOn(input, batch);
        }

        @Override
        public void hide(String spec) {
            hidden.add(spec);
        }
    }
}
