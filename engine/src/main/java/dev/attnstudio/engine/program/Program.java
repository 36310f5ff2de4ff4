package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * A forward pass written out as the ordered list of its steps. The model builds one per pass (a prompt, or
 * one decoded token); a trace executes it one op at a time.
 */
public final class Program {

    /** Name of the token-id input [B, T] (int64) that every program reads; it is not a step. */
    public static final String INPUT_IDS = "input_ids";

    /** Name of the token-type (segment) input [B, T] (int64), read by encoders; it is not a step. */
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    /** Name of an encoder-decoder's decoder token ids [B, T] (int64); INPUT_IDS then holds the source. */
    public static final String DECODER_INPUT_IDS = "decoder_input_ids";

    /** Whether a name is one of the pass's inputs rather than a step. */
    public static boolean isInput(String name) {
        return name.equals(INPUT_IDS) || name.equals(TOKEN_TYPE_IDS) || name.equals(DECODER_INPUT_IDS);
    }

    private final List<Op> ops;
    private final Map<String, Integer> index;
    private final int[] lastUse;
    private final Set<String> keep;
    private final Pass pass;
    private final int heads;
    private final int kvHeads;

    private Program(List<Op> ops, Set<String> keep, Pass pass, int heads, int kvHeads) {
        this.ops = List.copyOf(ops);
        this.keep = Set.copyOf(keep);
        this.pass = pass;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.index = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            if (index.put(ops.get(i).name(), i) != null) {
                throw new IllegalStateException("two steps are named " + ops.get(i).name());
            }
        }
        this.lastUse = new int[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            lastUse[i] = i;
        }
        for (int i = 0; i < ops.size(); i++) {
            for (String in : ops.get(i).inputs()) {
                if (isInput(in)) {
                    continue;
                }
                Integer producer = index.get(in);
                if (producer == null || producer >= i) {
                    throw new IllegalStateException(ops.get(i).name() + " reads " + in + ", which no earlier step computes");
                }
                lastUse[producer] = i;
            }
        }
    }

    public List<Op> ops() {
        return ops;
    }

    public int size() {
        return ops.size();
    }

    public Op op(int i) {
        return ops.get(i);
    }

    /** Position of the step that computes {@code name}, or -1. */
    public int indexOf(String name) {
        return index.getOrDefault(name, -1);
    }

    /** What the pass computes: batch, positions, past, padding. */
    public Pass pass() {
        return pass;
    }

    /** Query heads per attention sub-layer (H). */
    public int heads() {
        return heads;
    }

    /** Key/value heads per attention sub-layer (Hkv; fewer than H under grouped-query attention). */
    public int kvHeads() {
        return kvHeads;
    }

    /** Index of the last step that reads the output of step {@code i} (itself if none does). */
    public int lastUse(int i) {
        return lastUse[i];
    }

    /** Outputs that outlive the pass whatever the capture mode (logits; keys and values for the cache). */
    public Set<String> keep() {
        return keep;
    }

    /** Names of all steps in order. */
    public List<String> names() {
        List<String> names = new ArrayList<>(ops.size());
        ops.forEach(op -> names.add(op.name()));
        return Collections.unmodifiableList(names);
    }

    /**
     * Collects the steps of one pass in the order they run. Each step is added with its kind; where it sits (stack,
     * layer, sub-layer) and its step-over group are set beforehand with {@link #site} and {@link #group}.
     */
    public static final class Builder {
        private final List<Op> ops = new ArrayList<>();
        private final Set<String> keep = new HashSet<>();
        private final Set<String> derivable = new HashSet<>();
        private final Map<String, Op.Fast> fast = new HashMap<>();
        private final Pass pass;
        private final int heads;
        private final int kvHeads;
        private String group = "embed";
        private Op.Site site = new Op.Site(null, -1, Op.SubLayer.EMBED);

        /**
         * @param heads   query heads of the model's attention (H)
         * @param kvHeads key/value heads (Hkv)
         */
        public Builder(Pass pass, int heads, int kvHeads) {
            this.pass = pass;
            this.heads = heads;
            this.kvHeads = kvHeads;
        }

        /** Steps added from now on belong to {@code group} (the unit of step-over). */
        public Builder group(String group) {
            this.group = group;
            return this;
        }

        /** Steps added from now on sit here. */
        public Builder site(HookName.Stack stack, int layer, Op.SubLayer subLayer) {
            this.site = new Op.Site(stack, layer, subLayer);
            return this;
        }

        /** Steps added from now on sit in this sub-layer of the current stack and layer. */
        public Builder subLayer(Op.SubLayer subLayer) {
            return site(site.stack(), site.layer(), subLayer);
        }

        /** Marks hook names whose steps a compact trace recomputes on demand instead of keeping. */
        public Builder derivable(String... names) {
            derivable.addAll(List.of(names));
            return this;
        }

        /**
         * Gives a step added before a way to compute it in a fused run ({@link Op.Fast}): the same value with fewer
         * native calls, reading some of the step's own inputs.
         */
        public Builder fast(String name, Op.Kernel kernel, String... inputs) {
            fast.put(name, new Op.Fast(List.of(inputs), kernel, false));
            return this;
        }

        /** As {@link #fast}, for a kernel that writes its result over its first input ({@link Op.Fast#overwrites}). */
        public Builder fastOverwriting(String name, Op.Kernel kernel, String... inputs) {
            fast.put(name, new Op.Fast(List.of(inputs), kernel, true));
            return this;
        }

        public Builder keep(String name) {
            keep.add(name);
            return this;
        }

        public Builder op(String name, Op.Kind kind, String math, Op.Kernel kernel, String... inputs) {
            return add(name, kind, math, kernel, null, Float.NaN, null, inputs);
        }

        public Builder op(String name, Op.Kind kind, String math, UnaryOperator<NDArray> f, String input) {
            return op(name, kind, math, (Op.Kernel) (in, m) -> f.apply(in.get(0)), input);
        }

        public Builder op(String name, Op.Kind kind, String math, BinaryOperator<NDArray> f, String a, String b) {
            return op(name, kind, math, (Op.Kernel) (in, m) -> f.apply(in.get(0), in.get(1)), a, b);
        }

        /** A normalization step of the given type. */
        public Builder norm(String name, Op.NormType type, String math, Op.Kernel kernel, String... inputs) {
            return add(name, Op.Kind.NORM, math, kernel, type, Float.NaN, null, inputs);
        }

        /** A score-scaling step multiplying by {@code factor} (1: the model does not scale). */
        public Builder scale(String name, float factor, String math, Op.Kernel kernel, String... inputs) {
            return add(name, Op.Kind.SCALE, math, kernel, null, factor, null, inputs);
        }

        /** A mask step: the additive mask {@code spec} describes, built from nothing. */
        public Builder mask(String name, MaskSpec spec, String math) {
            return add(name, Op.Kind.MASK, math, (in, m) -> spec.build(m), null, Float.NaN, spec);
        }

        private Builder add(String name, Op.Kind kind, String math, Op.Kernel kernel, Op.NormType norm, float scale,
                            MaskSpec mask, String... inputs) {
            ops.add(new Op(name, kind, math, List.of(inputs), kernel, false, group, site, norm, scale, mask, null));
            return this;
        }

        public Program build() {
            for (String k : keep) {
                if (ops.stream().noneMatch(op -> op.name().equals(k))) {
                    throw new IllegalStateException("kept output " + k + " is not a step");
                }
            }
            List<Op> marked = new ArrayList<>(ops.size());
            for (Op op : ops) {
                Op m = derivable.contains(op.name()) ? op.derived() : op;
                marked.add(fast.containsKey(op.name()) ? m.withFast(fast.remove(op.name())) : m);
            }
            if (!fast.isEmpty()) {
                throw new IllegalStateException("fused kernels for steps the pass does not have: " + fast.keySet());
            }
            return new Program(marked, keep, pass, heads, kvHeads);
        }
    }
}
