package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.step.TensorData;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the names in an expression stand for: tensors by hook name, read through a lookup the caller supplies, and
 * named constants (numbers such as {@code d_head}). A name without dots is a constant if one of that name exists,
 * else a tensor ({@code hook_logits}). Immutable; the {@code with...} methods return copies.
 *
 * <p>The lookup returns null for a name it does not know. It may throw for a name it knows but cannot give now (a
 * step not computed yet); the exception's message is then shown to the student at the name.
 */
public final class Scope {

    private static final Pattern CONSTANT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Function<String, TensorData> lookup;
    private final Supplier<Collection<String>> names;
    private final Map<String, Double> constants;

    private Scope(Function<String, TensorData> lookup, Supplier<Collection<String>> names, Map<String, Double> constants) {
        this.lookup = lookup;
        this.names = names;
        this.constants = constants;
    }

    /** Tensors from a map, e.g. literal tensors in a lesson or test. */
    public static Scope of(Map<String, TensorData> tensors) {
        Map<String, TensorData> copy = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        return new Scope(copy::get, copy::keySet, Map.of());
    }

    /**
     * Tensors from a lookup, e.g. {@code Stepper::read}.
     *
     * @param lookup the tensor of a name, or null when there is no such name
     * @param names  every name the lookup knows, for suggesting close matches to a misspelt one
     */
    public static Scope of(Function<String, TensorData> lookup, Collection<String> names) {
        Objects.requireNonNull(lookup, "lookup");
        List<String> known = List.copyOf(names);
        return new Scope(lookup, () -> known, Map.of());
    }

    /**
     * The hooks of one pass ({@code stepper.group().trace()}): every step of its program is a name; a step not yet
     * computed, or not kept by a plain pass, is an error that says so. Reading may recompute a step in native
     * memory, so evaluate on the thread that runs the model's DJL calls (the engine thread), as any trace read.
     */
    public static Scope of(Trace trace) {
        Program program = trace.program();
        return new Scope(name -> {
            int i = program.indexOf(name);
            if (i < 0) {
                return null;
            }
            if (i >= trace.executed()) {
                throw new IllegalStateException(name + " has not been computed yet: step further first");
            }
            if (!trace.available(name)) {
                throw new IllegalStateException(name + " was not kept by this pass (capture is off)");
            }
            return trace.read(name);
        }, program::names, Map.of());
    }

    /**
     * A copy that also holds these tensors (e.g. a model's weights next to its hooks); they hide tensors of the same
     * name in this scope.
     */
    public Scope withTensors(Map<String, TensorData> more) {
        Map<String, TensorData> extra = Collections.unmodifiableMap(new LinkedHashMap<>(more));
        Function<String, TensorData> base = lookup;
        Supplier<Collection<String>> baseNames = names;
        return new Scope(name -> extra.containsKey(name) ? extra.get(name) : base.apply(name), () -> {
            Set<String> all = new LinkedHashSet<>(baseNames.get());
            all.addAll(extra.keySet());
            return all;
        }, constants);
    }

    /** A copy with one more constant. */
    public Scope withConstant(String name, double value) {
        return withConstants(Map.of(name, value));
    }

    /**
     * A copy with more constants (replacing those of the same names).
     *
     * @throws IllegalArgumentException for a name that is not a plain identifier or is one of the language's words
     *                                  ({@code inf nan pi true false True False})
     */
    public Scope withConstants(Map<String, ? extends Number> more) {
        Map<String, Double> all = new LinkedHashMap<>(constants);
        more.forEach((name, value) -> {
            if (!CONSTANT_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a constant's name must be a plain identifier, not '" + name + "'");
            }
            if (Parser.WORDS.containsKey(name)) {
                throw new IllegalArgumentException("'" + name + "' is a word of the language, not a constant name");
            }
            all.put(name, value.doubleValue());
        });
        return new Scope(lookup, names, Collections.unmodifiableMap(all));
    }

    /** The named constants, in the order they were added. */
    public Map<String, Double> constants() {
        return constants;
    }

    /** The value of a tensor name, or null; may throw (see the class comment). */
    TensorData tensor(String name) {
        return lookup.apply(name);
    }

    /** Every tensor name, for suggestions. */
    Collection<String> tensorNames() {
        return names.get();
    }

    boolean knows(String name) {
        return constants.containsKey(name) || tensorNames().contains(name);
    }
}
