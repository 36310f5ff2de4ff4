package dev.attnstudio.app.main;

import javafx.animation.PauseTransition;
import javafx.util.Duration;

/**
 * Runs an action once edits pause, so work that follows every keystroke (tokenizing, resetting the pass, redrawing
 * the tokens) runs once per pause instead. Called and run on the UI thread; each call restarts the wait.
 */
@FunctionalInterface
public interface Debouncer {

    /** Runs {@code action} when no other call came for the quiet time (an earlier pending action is dropped). */
    void call(Runnable action);

    /** Runs at once (view-model tests, which have no UI thread to wait on). */
    static Debouncer immediate() {
        return Runnable::run;
    }

    /** Waits on the JavaFX timeline: the action runs on the FX thread {@code quiet} after the last call. */
    static Debouncer fx(Duration quiet) {
        PauseTransition[] pause = {null}; // made on first use, on the FX thread
        Runnable[] pending = {null};
        return action -> {
            if (pause[0] == null) {
                pause[0] = new PauseTransition(quiet);
                pause[0].setOnFinished(e -> {
                    Runnable run = pending[0];
                    pending[0] = null;
                    if (run != null) {
                        run.run();
                    }
                });
            }
            pending[0] = action;
            pause[0].playFromStart();
        };
    }
}
