package dev.attnstudio.app.main;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Stepper;
import javafx.beans.Observable;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.List;

/**
 * Where "run to breakpoint" may stop: hook names or patterns in order, each enabled or not. Edited on the UI thread;
 * an encoder-decoder adds the pattern that stops in both its stacks.
 */
public final class BreakpointsViewModel {

    /** Stop at the attention pattern of every block. */
    public static final String DEFAULT_BREAKPOINT = "blocks.*." + HookName.Block.PATTERN.suffix;
    /** The same for both stacks of an encoder-decoder ({@code encoder.blocks.0.attn.hook_pattern}, decoder's). */
    public static final String STACKS_BREAKPOINT = "*." + DEFAULT_BREAKPOINT;

    private final EngineStatus status;
    private final ObservableList<Breakpoint> breakpoints = FXCollections.observableArrayList(
            b -> new Observable[] {b.enabledProperty()});

    BreakpointsViewModel(EngineStatus status) {
        this.status = status;
        breakpoints.add(new Breakpoint(DEFAULT_BREAKPOINT, true));
    }

    /** The breakpoints in order; only enabled ones count. Edited on the UI thread. */
    public ObservableList<Breakpoint> list() {
        return breakpoints;
    }

    /**
     * Adds an enabled breakpoint at the end of the list, or enables the one with that pattern.
     *
     * @return the breakpoint, or null (and an error status) when the pattern is blank
     */
    public Breakpoint add(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            status.show(Status.error("Type a hook name or pattern first, e.g. " + DEFAULT_BREAKPOINT));
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

    public void remove(Breakpoint breakpoint) {
        breakpoints.remove(breakpoint);
    }

    /** The enabled ones, in order, as a copy an engine task may read. */
    List<Breakpoint> enabled() {
        return breakpoints.stream().filter(Breakpoint::isEnabled).toList();
    }

    /** A model was opened: an encoder-decoder gets the breakpoint that stops in both stacks. */
    void modelOpened(ModelInfo info) {
        if (info.encoderDecoder() && breakpoints.stream().noneMatch(b -> b.pattern().equals(STACKS_BREAKPOINT))) {
            breakpoints.add(new Breakpoint(STACKS_BREAKPOINT, true));
        }
    }

    /** Engine thread: the name of the first step after the cursor (in this or a later pass) a breakpoint matches. */
    static String nextMatch(Stepper s, List<Breakpoint> enabled) {
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
}
