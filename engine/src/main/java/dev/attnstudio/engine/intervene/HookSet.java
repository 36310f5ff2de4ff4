package dev.attnstudio.engine.intervene;

import dev.attnstudio.engine.program.Hook;
import dev.attnstudio.engine.program.Hooks;

import java.util.ArrayList;
import java.util.List;

/** Attaches several hooks under one label and returns one handle that removes them all. */
final class HookSet {

    private final Hooks hooks;
    private final String label;
    private final List<Hooks.Handle> handles = new ArrayList<>();

    HookSet(Hooks hooks, String label) {
        this.hooks = hooks;
        this.label = label;
    }

    HookSet on(String pattern, Hook hook) {
        handles.add(hooks.add(pattern, label, hook));
        return this;
    }

    Hooks.Handle handle() {
        List<Hooks.Handle> all = List.copyOf(handles);
        return () -> all.forEach(Hooks.Handle::close);
    }
}
