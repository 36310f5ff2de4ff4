package dev.attnstudio.engine.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.HookContext;
import dev.attnstudio.engine.program.Hooks;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.runtime.Tensors;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Ablates one attention head: its slice of {@code hook_z} [B, T, H, h] (the pattern-weighted values, before the output
 * projection mixes the heads) is replaced, so the head contributes nothing of its own to {@code hook_attn_out}.
 * Zero ablation sets the slice to 0; mean ablation sets it to the head's mean z over the prompt's real positions (the
 * first pass of the run; decode passes reuse that mean), which keeps the average signal the rest of the model expects
 * and removes only what depends on the input.
 *
 * @param site  which attention sub-layers of the block
 * @param layer the block
 * @param head  the query head
 * @param mean  mean ablation (else zero)
 */
public record HeadAblation(Site site, int layer, int head, boolean mean) implements Intervention {

    /** The attention sub-layers an ablation reaches in block {@code layer}. */
    public enum Site {
        /** Self-attention in every stack (a decoder's or encoder's only one; both of an encoder-decoder's). */
        SELF("", "**blocks.%d.attn.hook_z"),
        /** An encoder-decoder's encoder self-attention. */
        ENCODER("encoder.", "encoder.blocks.%d.attn.hook_z"),
        /** An encoder-decoder's decoder self-attention. */
        DECODER("decoder.", "decoder.blocks.%d.attn.hook_z"),
        /** An encoder-decoder's decoder cross-attention. */
        CROSS("cross.", "decoder.blocks.%d.cross_attn.hook_z");

        final String prefix;
        final String pattern;

        Site(String prefix, String pattern) {
            this.prefix = prefix;
            this.pattern = pattern;
        }
    }

    public HeadAblation {
        if (layer < 0 || head < 0) {
            throw new IllegalArgumentException("layer and head are counted from 0; got " + layer + "." + head);
        }
    }

    /** Zero-ablates a head of block {@code layer}'s self-attention. */
    public static HeadAblation zero(int layer, int head) {
        return new HeadAblation(Site.SELF, layer, head, false);
    }

    @Override
    public String spec() {
        return (mean ? "mean-ablate:" : "ablate:") + site.prefix + layer + "." + head;
    }

    @Override
    public String label() {
        String where = site == Site.SELF ? "" : site.name().toLowerCase(Locale.ROOT) + " ";
        return String.format(Locale.ROOT, "ablate %sL%d.H%d (%s)", where, layer, head, mean ? "mean" : "zero");
    }

    /** @throws IllegalArgumentException if the model has no such layer, head or sub-layer */
    @Override
    public void check(Capabilities c) {
        boolean twoStacks = c.readsSource();
        if (site != Site.SELF && !twoStacks) {
            throw new IllegalArgumentException(spec() + ": only an encoder-decoder has " + site.name().toLowerCase(Locale.ROOT)
                    + " attention; use ablate:" + layer + "." + head);
        }
        int layers = switch (site) {
            case SELF -> c.maxLayers();
            case ENCODER -> c.stacks().get(0).layers();
            case DECODER, CROSS -> c.outputStack().layers();
        };
        if (layer >= layers) {
            throw new IllegalArgumentException(spec() + ": the model has " + layers + " layers (0.." + (layers - 1) + ")");
        }
        if (head >= c.heads()) {
            throw new IllegalArgumentException(spec() + ": the model has " + c.heads() + " heads per layer (0.."
                    + (c.heads() - 1) + ")");
        }
    }

    @Override
    public Hooks.Handle attach(Hooks hooks) {
        String pattern = String.format(Locale.ROOT, site.pattern, layer);
        if (!mean) {
            return hooks.add(pattern, label(), (z, ctx) -> z.mul(Tensors.owned(ctx.manager(), gate(ctx.heads(), 0f, 1f),
                    new Shape(1, 1, ctx.heads(), 1))));
        }
        MeanZ state = new MeanZ();
        return hooks.add(pattern, label(), (z, ctx) -> meanAblated(z, ctx, state));
    }

    /** The head's mean z over the prompt, per hook name (a site may match several stacks), kept across passes. */
    private static final class MeanZ {
        private final Map<String, float[]> byHook = new HashMap<>();
    }

    /** z [B, T, H, h] with head {@code head} replaced by its mean over the prompt's real positions. */
    private NDArray meanAblated(NDArray z, HookContext ctx, MeanZ state) {
        Shape s = z.getShape();
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        int h = (int) s.get(3);
        float[] mean = state.byHook.get(ctx.name());
        if (mean == null || ctx.passKind() == PassKind.PREFILL) {
            float[] values = z.toFloatArray();
            long[][] real = ctx.stack() == HookName.Stack.ENCODER
                    ? ctx.pass().sourceMask() : ctx.pass().keyMask();
            int past = ctx.firstPosition();
            mean = new float[h];
            double count = 0;
            double[] sum = new double[h];
            for (int row = 0; row < b; row++) {
                for (int p = 0; p < t; p++) {
                    if (real != null && real[row][past + p] == 0) {
                        continue;
                    }
                    count++;
                    int base = ((row * t + p) * ctx.heads() + head) * h;
                    for (int i = 0; i < h; i++) {
                        sum[i] += values[base + i];
                    }
                }
            }
            for (int i = 0; i < h; i++) {
                mean[i] = (float) (sum[i] / Math.max(count, 1));
            }
            state.byHook.put(ctx.name(), mean);
        }
        NDArray keep = Tensors.owned(ctx.manager(), gate(ctx.heads(), 0f, 1f), new Shape(1, 1, ctx.heads(), 1));
        float[] fill = new float[ctx.heads() * h];
        System.arraycopy(mean, 0, fill, head * h, h);
        NDArray replacement = Tensors.owned(ctx.manager(), fill, new Shape(1, 1, ctx.heads(), h));
        return z.mul(keep).add(replacement);
    }

    /** A per-head factor: {@code ablated} for this head, {@code kept} for the others. */
    private float[] gate(int heads, float ablated, float kept) {
        float[] g = new float[heads];
        for (int i = 0; i < heads; i++) {
            g[i] = i == head ? ablated : kept;
        }
        return g;
    }
}
