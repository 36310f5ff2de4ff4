package dev.attnstudio.engine.program;

import dev.attnstudio.engine.hooks.HookName;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The hooks attached to a stepper's passes, each under a hook-name pattern ({@code blocks.*.attn.hook_z}; see
 * {@link HookName#glob}) with a short label that the trace records wherever the hook replaced a value. Registration
 * is scoped: {@link #add} returns a handle whose {@code close()} removes the hook, so it can live in a
 * try-with-resources block; {@link #addForPass} removes itself once the pass in progress (or, between passes, the
 * next one) completes.
 */
public final class Hooks {

    /** One attached hook. */
    public record Binding(Pattern pattern, String label, Hook hook, boolean onePass) {
        public boolean matches(String name) {
            return pattern.matcher(name).matches();
        }
    }

    /** Removes its hook when closed (idempotent). */
    public interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    private final List<Binding> bindings = new CopyOnWriteArrayList<>();

    /**
     * Attaches a hook to every step whose name matches {@code pattern}, until the handle is closed.
     *
     * @param label a few words the trace records where the hook patched a value, e.g. "ablate L1.H2 (zero)"
     */
    public Handle add(String pattern, String label, Hook hook) {
        return bind(new Binding(HookName.glob(pattern), label, hook, false));
    }

    /** As {@link #add}, for the pass in progress (or, between passes, the next one) only. */
    public Handle addForPass(String pattern, String label, Hook hook) {
        return bind(new Binding(HookName.glob(pattern), label, hook, true));
    }

    private Handle bind(Binding b) {
        bindings.add(b);
        return () -> bindings.remove(b);
    }

    /** The hooks attached to a step name, in the order they were added. */
    public List<Binding> matching(String name) {
        if (bindings.isEmpty()) {
            return List.of(); // the common case, once per step of every pass
        }
        return bindings.stream().filter(b -> b.matches(name)).toList();
    }

    public boolean isEmpty() {
        return bindings.isEmpty();
    }

    /** Called when a pass completes: drops the hooks that were for one pass. */
    public void passCompleted() {
        bindings.removeIf(Binding::onePass);
    }

    /** Removes every hook. */
    public void clear() {
        bindings.clear();
    }
}
