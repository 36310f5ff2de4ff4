package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

import java.util.function.Consumer;

/**
 * The interventions the pass runs under (ablated heads, scaling or positions off, a mask override, injected mask
 * bugs): the engine's catalogue, chosen from the Interventions menu, the toolbar and a head's context menu. A change
 * starts the pass over under the new set; a model opened afresh starts with none (they name its layers and heads).
 */
public final class InterventionsViewModel {

    private final EngineExecutor engine;
    private final EnginePass pass;
    private final EngineStatus status;
    private final Consumer<PassSnapshot> apply;
    private final ReadOnlyObjectWrapper<Interventions> applied =
            new ReadOnlyObjectWrapper<>(this, "interventions", Interventions.NONE);

    InterventionsViewModel(EngineExecutor engine, EnginePass pass, EngineStatus status, Consumer<PassSnapshot> apply) {
        this.engine = engine;
        this.pass = pass;
        this.status = status;
        this.apply = apply;
    }

    /** The interventions the current pass runs under. */
    public ReadOnlyObjectProperty<Interventions> interventionsProperty() {
        return applied.getReadOnlyProperty();
    }

    public Interventions get() {
        return applied.get();
    }

    /** Whether an intervention with this command-line form is on. */
    public boolean isOn(String spec) {
        return applied.get().contains(spec);
    }

    /** Turns one intervention on, or off if it is on. */
    public void toggle(Intervention i) {
        set(isOn(i.spec()) ? applied.get().without(i.spec()) : applied.get().with(i));
    }

    /** Turns one on (when {@code on}) or off. */
    public void set(Intervention i, boolean on) {
        if (on != isOn(i.spec())) {
            toggle(i);
        }
    }

    /** Removes every intervention. */
    public void clear() {
        set(Interventions.NONE);
    }

    /** Runs the pass over under {@code next}; a set the model refuses (no such head) is reported and not applied. */
    public void set(Interventions next) {
        if (next.equals(applied.get()) || !status.isReady()) {
            return;
        }
        Interventions before = applied.get();
        applied.set(next);
        engine.submit(() -> {
            pass.intervene(next);
            return pass.snapshot(pass.error() != null ? Status.error(pass.error()) : Status.info(describe(next)), true);
        }, apply, failure -> {
            applied.set(before);
            status.show(Status.error("Could not apply the interventions: " + Failures.message(failure)));
        });
    }

    /** Shows the set a lesson page put in place (the engine already runs under it, plus any hidden bug). */
    void shown(Interventions now) {
        applied.set(now);
    }

    /** A freshly opened model runs as it is. */
    void modelOpened() {
        applied.set(Interventions.NONE);
    }

    private static String describe(Interventions iv) {
        return iv.any() ? "Interventions: " + String.join(", ", iv.specs()) + "; the pass starts over."
                : "No interventions: the model as it is; the pass starts over.";
    }
}
