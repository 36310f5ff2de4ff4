package dev.attnstudio.engine.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.attnstudio.engine.program.HookContext;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.program.MaskRule;

import java.util.Locale;

/**
 * Replaces the positional rule of every self-attention mask ({@code hook_mask}) with another: bidirectional (a decoder
 * that may see the future), causal (an encoder that may not), or a sliding window of {@code window} positions. Padding
 * stays masked; cross-attention is unchanged. A query the new rule leaves without any key gets a zero pattern row, as
 * the engine's own masks do.
 *
 * @param name   {@code bidirectional}, {@code causal} or {@code window:N}
 * @param rule   the rule
 */
public record MaskOverride(String name, MaskRule rule) implements Intervention {

    public static final MaskOverride BIDIRECTIONAL = new MaskOverride("bidirectional", MaskRule.BIDIRECTIONAL);
    public static final MaskOverride CAUSAL = new MaskOverride("causal", MaskRule.CAUSAL);

    /** Each query sees itself and the {@code window} - 1 positions before it. */
    public static MaskOverride window(int window) {
        return new MaskOverride("window:" + window, MaskRule.slidingWindow(window));
    }

    /** {@code bidirectional}, {@code causal} or {@code window:N}. */
    static MaskOverride parse(String name) {
        if (name.equals(BIDIRECTIONAL.name)) {
            return BIDIRECTIONAL;
        }
        if (name.equals(CAUSAL.name)) {
            return CAUSAL;
        }
        if (name.startsWith("window:")) {
            try {
                return window(Integer.parseInt(name.substring("window:".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mask:" + name + ": the window must be a whole number, e.g. mask:window:4");
            }
        }
        throw new IllegalArgumentException("mask:" + name + " is not a mask (use mask:bidirectional, mask:causal or mask:window:N)");
    }

    @Override
    public String spec() {
        return "mask:" + name;
    }

    @Override
    public String label() {
        return String.format(Locale.ROOT, "mask override: %s", name.replace(':', ' '));
    }

    @Override
    public Hooks.Handle attach(Hooks hooks) {
        return new HookSet(hooks, label())
                .on("**.attn.hook_mask", (mask, ctx) -> ctx.op().mask().withRule(rule).build(ctx.manager()))
                .on("**.attn.hook_pattern", MaskOverride::zeroBlankRows)
                .handle();
    }

    /** A pattern whose fully masked rows (NaN from 0/0) are zeros; the pattern itself when it has none. */
    static NDArray zeroBlankRows(NDArray pattern, HookContext ctx) {
        try (NDArray nan = pattern.isNaN()) {
            if (!nan.any().getBoolean()) {
                return pattern;
            }
            return NDArrays.where(nan, pattern.zerosLike(), pattern);
        }
    }
}
