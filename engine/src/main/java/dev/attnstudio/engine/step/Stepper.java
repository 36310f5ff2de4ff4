package dev.attnstudio.engine.step;

import ai.djl.ndarray.NDScope;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.program.KvCache;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.sampling.Sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Drives a model one named step at a time, like a debugger over the forward pass. The prompt is one step group
 * (the prefill); each generated token adds a group (a decode pass over the KV cache, or a full recompute).
 * A cursor points at the current step; {@link #stepBack()} moves it over what is already computed without
 * recomputing anything.
 *
 * <p>Encoder-decoders (T5): the prompt's pass runs the encoder over the source, then the decoder over the given
 * decoder ids (by default the one decoder start token). A generated token adds a decode pass of decoder steps only:
 * self-attention over the KV cache, cross-attention over the keys and values the cache stored once after the prompt.
 * Without a cache, each token recomputes encoder and decoder. {@link #tokens()} is then the decoder's sequence.
 *
 * <p>Hooks ({@link #hooks()}) see every step of every pass as it is computed and may replace its value; the run's
 * {@link Interventions} are attached as hooks at each {@link #reset} and removed at the next.
 *
 * <p>Runs over many steps ({@link #runTo}, {@link #runToEnd}, {@link #stepOver}, generation) compute the steps nobody
 * looks at (no hook, no breakpoint, no listener) a unit at a time as one fused run ({@link Trace#runFused}): the same
 * values, without the per-step work that makes a step observable. The step path ({@link #step()}) is unchanged.
 *
 * <p>Not thread-safe: drive it from one thread (the app's engine thread). {@link #cancel()} may be called
 * from any thread and stops a running {@code runTo}/{@code runToEnd}/{@code stepOver} at the next step (after a fused
 * run: at the end of its unit).
 */
public final class Stepper implements AutoCloseable {

    /**
     * @param capture       what each pass keeps
     * @param interventions changes to the forward pass, applied from the next {@link #reset}
     * @param useCache      decode generated tokens over a KV cache (else recompute the whole sequence)
     */
    public record Options(Capture capture, Interventions interventions, boolean useCache) {
        public static final Options DEFAULT = new Options(Capture.COMPACT, Interventions.NONE, true);

        public Options withCapture(Capture c) {
            return new Options(c, interventions, useCache);
        }

        public Options withInterventions(Interventions i) {
            return new Options(capture, i, useCache);
        }

        public Options withCache(boolean on) {
            return new Options(capture, interventions, on);
        }
    }

    /** One pass: its input tokens, its trace, and the token sampled from its last logits (once generated). */
    public static final class Group {
        private final PassKind kind;
        private final Batch inputs;
        private final int past;
        private final Trace trace;
        private Sampler.Choice next;
        private boolean cached;
        private long computeNanos;
        private long[] cacheBytes = new long[0];

        private Group(PassKind kind, Batch inputs, int past, Trace trace) {
            this.kind = kind;
            this.inputs = inputs;
            this.past = past;
            this.trace = trace;
        }

        public PassKind kind() {
            return kind;
        }

        /** The token ids this pass reads, [B][T]. */
        public long[][] ids() {
            return inputs.ids();
        }

        /** An encoder-decoder's decoder ids this pass reads, [B][T]; null for single-stack models. */
        public long[][] decoderIds() {
            return inputs.decoderIds();
        }

        /** Everything this pass reads: ids, token types, attention mask (encoder-decoders: and decoder ids). */
        public Batch inputs() {
            return inputs;
        }

        /** Positions before this pass's first one. */
        public int past() {
            return past;
        }

        public Trace trace() {
            return trace;
        }

        /** The token chosen from this pass's logits, or null if none was generated from it yet. */
        public Sampler.Choice next() {
            return next;
        }

        /** Time spent computing this pass's steps so far (not cursor moves or reads), in milliseconds. */
        public double computeMillis() {
            return computeNanos / 1e6;
        }

        /** KV-cache bytes per layer once this pass completed (empty before, or without a cache). */
        public long[] cacheBytes() {
            return cacheBytes.clone();
        }
    }

    /**
     * The step under the cursor.
     *
     * @param group   index of the step group (0 = prompt)
     * @param index   index of the step within its pass
     * @param steps   number of steps in that pass
     * @param unit    the block or sub-model the step belongs to (the unit of step-over)
     * @param pass    what kind of pass the group is
     * @param kind    what the step computes
     * @param site    the stack, layer and sub-layer of the step
     * @param norm    the normalization of a norm step, else null
     * @param scale   the factor of a score-scaling step (1: unscaled), else NaN
     * @param patches the labels of the hooks that replaced the step's value; empty if none did (or not computed yet)
     */
    public record StepInfo(int group, int index, int steps, String name, String math, List<String> inputs,
                           long[] shape, String unit, PassKind pass, Op.Kind kind, Op.Site site, Op.NormType norm,
                           float scale, List<String> patches) {
        @Override
        public String toString() {
            return String.format("[%d:%d/%d] %s %s  %s", group, index + 1, steps, name, Arrays.toString(shape), math);
        }
    }

    private final TransformerModel model;
    private final Capabilities capabilities;
    private final Hooks hooks = new Hooks();
    private Hooks.Handle runHooks = () -> { };
    private Options options;
    /** The options the current prompt was reset with; every pass of one generation uses the same. */
    private Options runOptions;
    private final List<Group> groups = new ArrayList<>();
    private KvCache cache;
    private int cursorGroup;
    private int cursorIndex = -1;
    private volatile boolean cancelled;
    private static final Consumer<StepInfo> NO_LISTENER = s -> { };
    private Consumer<StepInfo> listener = NO_LISTENER;

    public Stepper(TransformerModel model, Options options) {
        this.model = model;
        this.capabilities = model.capabilities();
        this.options = options;
    }

    /**
     * The hooks called on every step as it is computed, TransformerLens-style: {@code try (var h =
     * stepper.hooks().add("blocks.1.attn.hook_z", "my patch", (z, ctx) -> ...)) { ... }}. They apply to the steps
     * computed while they are attached, in the pass in progress and the ones after.
     */
    public Hooks hooks() {
        return hooks;
    }

    /** The interventions of the current run (those of the options at the last {@link #reset}). */
    public Interventions interventions() {
        return runOptions == null ? options.interventions() : runOptions.interventions();
    }

    public Options options() {
        return options;
    }

    /** New options take effect at the next {@link #reset}; a generation in progress keeps the options it began with. */
    public void setOptions(Options options) {
        this.options = options;
    }

    /**
     * Called after every step that was computed (not after cursor moves over computed steps). A listener looks at every
     * step, so while one is set nothing runs fused.
     */
    public void setListener(Consumer<StepInfo> listener) {
        this.listener = listener == null ? NO_LISTENER : listener;
    }

    /** Drops everything computed and prepares the prompt's pass; nothing runs until the first step. */
    public void reset(long[] ids) {
        reset(Batch.of(ids));
    }

    /**
     * As {@link #reset(long[])} for a batch: several prompts, padded, with token types for sentence pairs.
     * Decoders take unpadded rows only. For an encoder-decoder the batch's ids are the source (which may be padded)
     * and its decoder ids the decoder's start (the model's decoder start token when the batch has none).
     */
    public void reset(Batch batch) {
        if (capabilities.readsSource() && batch.decoderIds() == null) {
            long[][] starts = new long[batch.size()][];
            Arrays.setAll(starts, b -> new long[] {capabilities.decoderStartToken()});
            batch = batch.withDecoder(starts);
        }
        PromptCheck.check(batch, model.config(), capabilities);
        MemoryEstimate.of(model.config(), batch.size(), Math.max(batch.length(), batch.decoderLength()), 0,
                options.capture(), options.useCache() && capabilities.generates()).check();
        options.interventions().check(capabilities);
        clear();
        cancelled = false;
        runOptions = options;
        runHooks = runOptions.interventions().attach(hooks);
        if (runOptions.useCache() && capabilities.generates()) {
            cache = new KvCache(capabilities.cacheLayers(), model.config().nPositions(), model.manager());
        }
        addGroup(PassKind.PREFILL, batch, 0);
    }

    private void addGroup(PassKind kind, Batch inputs, int past) {
        Pass pass = Forward.pass(inputs, past, cache);
        Program program = model.program(pass);
        groups.add(new Group(kind, inputs, past,
                new Trace(program, model.manager(), runOptions.capture(), inputs, hooks, kind)));
    }

    public List<Group> groups() {
        return Collections.unmodifiableList(groups);
    }

    /** The group under the cursor. */
    public Group group() {
        requireReset();
        return groups.get(cursorGroup);
    }

    /** The KV cache, or null when generation recomputes. */
    public KvCache cache() {
        return cache;
    }

    /** The step under the cursor, or null before the first step. */
    public StepInfo current() {
        if (groups.isEmpty() || cursorIndex < 0) {
            return null;
        }
        return info(cursorGroup, cursorIndex);
    }

    private StepInfo info(int g, int i) {
        Trace t = groups.get(g).trace;
        Op op = t.program().op(i);
        boolean computed = i < t.executed();
        return new StepInfo(g, i, t.program().size(), op.name(), op.math(), op.inputs(),
                computed ? t.shapeOf(op.name()) : new long[0], op.group(), groups.get(g).kind, op.kind(), op.site(),
                op.norm(), op.scale(), computed ? t.patches(op.name()) : List.of());
    }

    /**
     * Advances the cursor one step, computing it if it was not computed yet. Returns null at the end. A single step is a
     * whole command: a {@link #cancel()} that arrived before or during it is spent on it, not left for the next run.
     */
    public StepInfo step() {
        try {
            return advance();
        } finally {
            cancelled = false;
        }
    }

    /** One step of a command: the loops below call this, so a cancel stays pending until they check it. */
    private StepInfo advance() {
        requireReset();
        Trace t = groups.get(cursorGroup).trace;
        if (cursorIndex + 1 < t.executed()) {
            cursorIndex++;
            return current();
        }
        if (!t.complete()) {
            long start = System.nanoTime();
            t.runNext();
            groups.get(cursorGroup).computeNanos += System.nanoTime() - start;
            cursorIndex++;
            if (t.complete()) {
                onPassComplete(groups.get(cursorGroup));
            }
            StepInfo s = current();
            listener.accept(s);
            return s;
        }
        if (cursorGroup + 1 < groups.size()) {
            cursorGroup++;
            cursorIndex = -1;
            return advance();
        }
        return null;
    }

    /** Moves the cursor back one computed step (into the previous group if need be). Returns null at the start. */
    public StepInfo stepBack() {
        requireReset();
        if (cursorIndex > 0) {
            cursorIndex--;
        } else if (cursorGroup > 0) {
            cursorGroup--;
            cursorIndex = groups.get(cursorGroup).trace.executed() - 1;
        } else {
            cursorIndex = -1;
            return null;
        }
        return current();
    }

    /**
     * Moves the cursor onto a computed step of any pass, e.g. when the user clicks a step in a drawing of the
     * pipeline. Nothing is computed: the cursor only moves.
     *
     * @param group the pass, an index into {@link #groups()}
     * @param index the step within that pass's program
     * @return the step now under the cursor
     * @throws IllegalArgumentException if there is no such pass or that step is not computed yet
     */
    public StepInfo moveTo(int group, int index) {
        requireReset();
        if (group < 0 || group >= groups.size()) {
            throw new IllegalArgumentException("there is no pass " + group + "; this prompt has " + groups.size());
        }
        Trace t = groups.get(group).trace;
        if (index < 0 || index >= t.executed()) {
            throw new IllegalArgumentException("step " + index + " of pass " + group + " is not computed (computed: "
                    + t.executed() + " of " + t.program().size() + ")");
        }
        cursorGroup = group;
        cursorIndex = index;
        return current();
    }

    /**
     * As {@link #advance}, but where the cursor stands at the last computed step of its pass, the steps after it that
     * nobody looks at (no hook, no breakpoint: {@code stop} is false) up to the end of their unit run as one fused run
     * ({@link Trace#runFused}), and the cursor lands on the last of them. A stop requested meanwhile lands after the run.
     */
    private StepInfo advanceFused(Predicate<String> stop) {
        if (cancelled || listener != NO_LISTENER) {
            return advance(); // a pending stop lands after one step; a listener looks at every step
        }
        Group g = groups.isEmpty() ? null : groups.get(cursorGroup);
        Trace t = g == null ? null : g.trace;
        if (t == null || t.complete() || cursorIndex + 1 != t.executed()) {
            return advance();
        }
        Program p = t.program();
        int first = t.executed();
        String unit = p.op(first).group();
        int end = t.fusableEnd(i -> p.op(i).group().equals(unit) && !stop.test(p.op(i).name()));
        if (end - first < 2) {
            return advance(); // a lone step gains nothing from fusing
        }
        long start = System.nanoTime();
        t.runFused(end);
        g.computeNanos += System.nanoTime() - start;
        cursorIndex = end - 1;
        if (t.complete()) {
            onPassComplete(g);
        }
        return current();
    }

    /** Runs to the last step of the current unit (block, embedding, unembedding); from its end, through the next. */
    public StepInfo stepOver() {
        StepInfo s = advanceFused(name -> false);
        while (s != null && !atUnitEnd()) {
            checkCancelled();
            s = advanceFused(name -> false);
        }
        return s;
    }

    private boolean atUnitEnd() {
        Program p = groups.get(cursorGroup).trace.program();
        return cursorIndex + 1 >= p.size() || !p.op(cursorIndex + 1).group().equals(p.op(cursorIndex).group());
    }

    /**
     * Runs until a step whose name matches the breakpoint pattern (see {@link HookName#glob}) or the end.
     * Returns the step it stopped on; {@code hit} tells whether it was a match.
     */
    public StepInfo runTo(String pattern) {
        Pattern breakpoint = HookName.glob(pattern);
        Predicate<String> hit = name -> breakpoint.matcher(name).matches();
        StepInfo s = advanceFused(hit);
        while (s != null && !hit.test(s.name())) {
            checkCancelled();
            s = advanceFused(hit);
        }
        return s;
    }

    /** Whether the step under the cursor matches a breakpoint pattern. */
    public boolean at(String pattern) {
        StepInfo s = current();
        return s != null && HookName.glob(pattern).matcher(s.name()).matches();
    }

    /** Runs every remaining step of every group; the cursor ends on the last step. */
    public StepInfo runToEnd() {
        StepInfo last = current();
        for (StepInfo s = advanceFused(name -> false); s != null; s = advanceFused(name -> false)) {
            last = s;
            checkCancelled();
        }
        return last;
    }

    /**
     * Asks the running {@code runTo}, {@code runToEnd} or {@code stepOver} to stop after its current step; if none is
     * running yet (the request was queued behind it), the next one stops after its first step. A reset or a single
     * {@link #step()} spends it, so a stop pressed during one step does not cut short a later run.
     */
    public void cancel() {
        cancelled = true;
    }

    private void checkCancelled() {
        if (cancelled) {
            cancelled = false;
            throw new CancellationException("stopped at " + current().name());
        }
    }

    /** Whether every pass is fully computed. */
    public boolean finished() {
        return !groups.isEmpty() && groups.get(groups.size() - 1).trace.complete();
    }

    /**
     * Samples the next token from the last pass's final logits (completing that pass first) and appends the pass
     * that reads it: a decode step over the cache, or a recompute of the whole sequence. The new pass is not run;
     * step into it or call {@link #runToEnd()}. Batch 1 only.
     */
    public Sampler.Choice generate(Sampler sampler) {
        requireReset();
        if (!capabilities.generates()) {
            throw new IllegalStateException("generation needs a decoder; " + capabilities.family() + " is an encoder");
        }
        Group last = groups.get(groups.size() - 1);
        if (last.inputs.size() != 1) {
            throw new IllegalStateException("generation works on a single prompt, not a batch of " + last.inputs.size());
        }
        if (!last.trace.complete()) {
            runToEnd();
        }
        long[] sequence = tokens();
        if (sequence.length + 1 > model.config().nPositions()) {
            throw new IllegalStateException("the sequence is already " + sequence.length
                    + " tokens long; this model reads at most " + model.config().nPositions() + " (n_positions)");
        }
        if (cache != null && cache.length() != sequence.length) {
            throw new IllegalStateException("the KV cache holds " + cache.length() + " positions for a sequence of "
                    + sequence.length + " tokens");
        }
        Sampler.Choice choice = sampler.next(lastLogits(last));
        last.next = choice;
        if (runOptions.capture() == Capture.OFF) {
            last.trace.releaseKept(); // its logits are used and its keys and values are in the cache
        }
        Batch source = groups.get(0).inputs;
        boolean twoStacks = capabilities.readsSource(); // the decoder reads the token; the source stays
        if (cache != null) {
            long[] next = {choice.token()};
            addGroup(PassKind.DECODE, twoStacks ? source.withDecoder(new long[][] {next}) : Batch.of(next), cache.length());
        } else {
            long[] all = Arrays.copyOf(sequence, sequence.length + 1);
            all[sequence.length] = choice.token();
            addGroup(PassKind.RECOMPUTE, twoStacks ? source.withDecoder(new long[][] {all}) : Batch.of(all), 0);
        }
        return choice;
    }

    /** Logits of the last position of a completed pass [V] (batch row 0), sliced before copying. */
    public float[] lastLogits(Group g) {
        return g.trace.read(HookName.Model.LOGITS.id, "0, -1").values();
    }

    /**
     * The whole token sequence: the prompt followed by every generated token that has a pass. Batch row 0. For an
     * encoder-decoder, the decoder's sequence (its start tokens and what was generated); the source is
     * {@code groups().get(0).ids()}.
     */
    public long[] tokens() {
        requireReset();
        Group first = groups.get(0);
        long[] prompt = (first.inputs.decoderIds() != null ? first.inputs.decoderIds() : first.inputs.ids())[0];
        long[] out = Arrays.copyOf(prompt, prompt.length + groups.size() - 1);
        for (int g = 1; g < groups.size(); g++) {
            out[prompt.length + g - 1] = groups.get(g - 1).next.token();
        }
        return out;
    }

    /** Copies a hook's value from the group under the cursor. */
    public TensorData read(String name) {
        return group().trace.read(name);
    }

    private void onPassComplete(Group g) {
        hooks.passCompleted();
        if (cache != null && !g.cached && g.kind != PassKind.RECOMPUTE) {
            try (NDScope ignored = new NDScope()) {
                for (int i = 0; i < capabilities.cacheLayers(); i++) {
                    cache.append(i, g.trace.valueOf(model.cacheKeyHook(i)), g.trace.valueOf(model.cacheValueHook(i)));
                    if (g.kind == PassKind.PREFILL && model.crossKeyHook(i) != null) {
                        cache.putCross(i, g.trace.valueOf(model.crossKeyHook(i)), g.trace.valueOf(model.crossValueHook(i)));
                    }
                }
            }
            g.cached = true;
            g.cacheBytes = new long[cache.layers()];
            for (int i = 0; i < cache.layers(); i++) {
                g.cacheBytes[i] = cache.bytes(i);
            }
        }
    }

    private void requireReset() {
        if (groups.isEmpty()) {
            throw new IllegalStateException("no prompt yet: call reset(prompt) first");
        }
    }

    private void clear() {
        runHooks.close();
        runHooks = () -> { };
        groups.forEach(g -> g.trace.close());
        groups.clear();
        if (cache != null) {
            cache.close();
            cache = null;
        }
        cursorGroup = 0;
        cursorIndex = -1;
    }

    @Override
    public void close() {
        clear();
    }
}
