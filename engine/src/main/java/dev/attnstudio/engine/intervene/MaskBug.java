package dev.attnstudio.engine.intervene;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.program.HookContext;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.Arrays;
import java.util.List;

/**
 * The six classic mask bugs, each injected as the numbers it produces in real code: the mask is built or applied the
 * wrong way in every self-attention sub-layer, and the softmax is the plain one real code uses, so a query left with
 * no key at all gets a NaN row (the engine's own masks give such a row zeros instead). Cross-attention is unchanged.
 */
public enum MaskBug implements Intervention {

    /**
     * A [B, T] padding mask broadcast over the queries instead of the keys ({@code mask[:, None, :, None]} where
     * {@code mask[:, None, None, :]} was meant): padded queries see nothing (NaN rows) and real queries see the padding
     * keys. Invisible without padding.
     */
    BROADCAST("broadcast", "padding mask broadcast over queries, not keys") {
        @Override
        MaskSpec.Cells cells(MaskSpec spec, HookContext ctx) {
            if (spec.padding() == null) {
                return null;
            }
            return (row, q, k) -> (spec.rule() == null || spec.rule().allowed(spec.past() + q, k))
                    && spec.padding()[row][spec.past() + q] != 0;
        }
    },

    /**
     * The mask applied after the softmax: the softmax runs over every key, then the masked weights are zeroed, so rows
     * no longer sum to 1 ({@code hook_attn_scores} is left unmasked).
     */
    AFTER_SOFTMAX("after-softmax", "mask applied after the softmax") {
        @Override
        public Hooks.Handle attach(Hooks hooks) {
            return new HookSet(hooks, label())
                    .on("**.attn.hook_attn_scores", (scores, ctx) -> Tensors.copy(ctx.input(0)))
                    .on("**.attn.hook_pattern", (pattern, ctx) -> {
                        NDArray mask = ctx.value(sibling(ctx.name(), "hook_mask"));
                        return pattern.mul(mask.isInfinite().logicalNot().toType(pattern.getDataType(), false));
                    })
                    .handle();
        }
    },

    /** The 0/1 convention flipped: the allowed cells get -inf and the blocked ones 0. */
    FLIPPED("flipped", "mask convention flipped: allowed cells get -inf") {
        @Override
        MaskSpec.Cells cells(MaskSpec spec, HookContext ctx) {
            return (row, q, k) -> !spec.allowed(row, q, k);
        }
    },

    /**
     * Padding counted in the loss: the mean next-token loss over a padded batch includes the positions whose target is
     * padding. Attention is unchanged; {@link Intervention#countsPaddingInLoss()} tells the loss.
     */
    PADDING_IN_LOSS("padding-in-loss", "padding counted in the loss") {
        @Override
        public Hooks.Handle attach(Hooks hooks) {
            return () -> { };
        }

        @Override
        public boolean countsPaddingInLoss() {
            return true;
        }
    },

    /**
     * A stale mask in cached decoding: every decode pass reuses the mask built for the prompt, so the keys added since
     * (the newest cached ones and the token itself) are blocked.
     */
    STALE_CACHE("stale-cache", "prompt's mask reused while decoding") {
        @Override
        public Hooks.Handle attach(Hooks hooks) {
            int[] promptKeys = {-1};
            return new HookSet(hooks, label())
                    .on("**.attn.hook_mask", (mask, ctx) -> {
                        MaskSpec spec = ctx.op().mask();
                        if (ctx.passKind() != PassKind.DECODE) {
                            promptKeys[0] = spec.keys();
                            return mask;
                        }
                        int stale = promptKeys[0];
                        return build(spec, ctx, (row, q, k) -> k < stale && spec.allowed(row, q, k));
                    })
                    .on("**.attn.hook_pattern", MaskBug::plainSoftmax)
                    .handle();
        }
    },

    /**
     * The causal mask built with key &lt; query instead of key &lt;= query: no query sees itself, and the first row is
     * fully masked (NaN).
     */
    OFF_BY_ONE("off-by-one", "causal mask off by one: key < query") {
        @Override
        MaskSpec.Cells cells(MaskSpec spec, HookContext ctx) {
            if (spec.rule() == null) {
                return null;
            }
            return (row, q, k) -> spec.past() + q != k && spec.allowed(row, q, k);
        }
    };

    private final String spec;
    private final String description;

    MaskBug(String spec, String description) {
        this.spec = spec;
        this.description = description;
    }

    /** The bug's name on the command line: broadcast, after-softmax, flipped, padding-in-loss, stale-cache, off-by-one. */
    public String bugName() {
        return spec;
    }

    /** One line on what the bug does. */
    public String description() {
        return description;
    }

    @Override
    public String spec() {
        return "mask-bug:" + spec;
    }

    @Override
    public String label() {
        return "mask bug: " + description;
    }

    /** The bug by its name. */
    public static MaskBug named(String name) {
        return Arrays.stream(values()).filter(b -> b.spec.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no mask bug named '" + name + "' (the bugs: "
                        + String.join(", ", names()) + ")"));
    }

    /** Every bug's name. */
    public static List<String> names() {
        return Arrays.stream(values()).map(b -> b.spec).toList();
    }

    /** Which cells the buggy mask allows, or null where the bug changes nothing; for the bugs that only rebuild it. */
    MaskSpec.Cells cells(MaskSpec spec, HookContext ctx) {
        throw new UnsupportedOperationException(name());
    }

    @Override
    public Hooks.Handle attach(Hooks hooks) {
        return new HookSet(hooks, label())
                .on("**.attn.hook_mask", (mask, ctx) -> {
                    MaskSpec spec = ctx.op().mask();
                    MaskSpec.Cells allowed = cells(spec, ctx);
                    return allowed == null ? mask : build(spec, ctx, allowed);
                })
                .on("**.attn.hook_pattern", MaskBug::plainSoftmax)
                .handle();
    }

    /** The buggy mask [B, 1, T, K]: 0 where {@code allowed}, -inf elsewhere. */
    private static NDArray build(MaskSpec spec, HookContext ctx, MaskSpec.Cells allowed) {
        return spec.build(ctx.manager(), spec.batch(), spec.queries(), allowed);
    }

    /** Softmax over keys with no guard, as real code has: a fully masked row is NaN. The engine's pattern if none is. */
    private static NDArray plainSoftmax(NDArray pattern, HookContext ctx) {
        NDArray plain = ctx.input(0).softmax(-1);
        return plain.isNaN().any().getBoolean() ? plain : pattern;
    }

    /** The name of another hook of the same attention sub-layer: {@code blocks.0.attn.hook_pattern} -> {@code hook_mask}. */
    static String sibling(String name, String suffix) {
        return name.substring(0, name.lastIndexOf('.') + 1) + suffix;
    }
}
