package dev.attnstudio.engine.diagnose;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One completed pass of a stepper as the diagnostics read it: its attention patterns, the mask the model intends for
 * each attention sub-layer (from the program's own {@link Op#mask()}, never from the possibly patched
 * {@code hook_mask}), which queries are real tokens, and the token id at every key position (the whole sequence so
 * far in a decode pass, the source for an encoder or cross-attention).
 */
public final class PassView {

    private final Stepper.Group group;
    private final long[][] sequence; // [B][K] ids of the self-attention keys of the output stack
    private final long[][] source;   // [B][S] ids the encoder reads (single-stack models: same as sequence)

    private PassView(Stepper.Group group, long[][] sequence, long[][] source) {
        this.group = group;
        this.sequence = sequence;
        this.source = source;
    }

    /**
     * Every completed pass of a stepper, prompt first. A pass not yet run to its end is left out.
     *
     * @throws IllegalStateException if the stepper was never reset
     */
    public static List<PassView> of(Stepper stepper) {
        List<PassView> out = new ArrayList<>();
        List<Stepper.Group> groups = stepper.groups();
        if (groups.isEmpty()) {
            throw new IllegalStateException("no prompt yet: reset the stepper and run it first");
        }
        long[][] source = groups.get(0).ids();
        boolean twoStacks = groups.get(0).decoderIds() != null;
        long[] tokens = stepper.tokens();
        for (Stepper.Group g : groups) {
            if (!g.trace().complete()) {
                continue;
            }
            long[][] seq;
            if (g.past() == 0) {
                seq = twoStacks ? g.decoderIds() : g.ids();
            } else {
                seq = new long[][] {Arrays.copyOf(tokens, g.past() + (twoStacks ? g.decoderIds() : g.ids())[0].length)};
            }
            out.add(new PassView(g, seq, source));
        }
        return out;
    }

    /**
     * The stepper's first pass (the prompt's) as far as it has run: the diagnostics that read only attention run it
     * just past the last hook they need ({@link #runThroughAttention}) and skip the rest (the last MLP, the final
     * norm and the unembedding, a third of GPT-2 small's forward pass). Only hooks already computed can be read.
     *
     * @throws IllegalStateException if the stepper was never reset
     */
    public static PassView prompt(Stepper stepper) {
        List<Stepper.Group> groups = stepper.groups();
        if (groups.isEmpty()) {
            throw new IllegalStateException("no prompt yet: reset the stepper and run it first");
        }
        Stepper.Group g = groups.get(0);
        boolean twoStacks = g.decoderIds() != null;
        return new PassView(g, twoStacks ? g.decoderIds() : g.ids(), g.ids());
    }

    /**
     * Runs a freshly reset stepper's first pass up to and including the last of {@code hooks} in program order (every
     * one of them is then readable), and no further; hooks the program does not have are ignored. Runs it to its end
     * when none is present.
     */
    public static void runThrough(Stepper stepper, List<String> hooks) {
        Program p = stepper.groups().get(0).trace().program();
        int last = -1;
        for (String h : hooks) {
            last = Math.max(last, p.indexOf(h));
        }
        if (last < 0) {
            stepper.runToEnd();
            return;
        }
        String name = p.names().get(last);
        for (Stepper.StepInfo s = stepper.current(); s == null || !s.name().equals(name); ) {
            s = stepper.step();
            if (s == null) {
                break;
            }
        }
    }

    /**
     * {@link #runThrough} the hooks the attention diagnostics read of every attention sub-layer: the pattern, the mask,
     * hook_z, the output projection and the residual the sub-layer reads.
     */
    public static void runThroughAttention(Stepper stepper, Capabilities c) {
        List<String> hooks = new ArrayList<>();
        for (AttentionLayer l : AttentionLayer.all(c)) {
            hooks.add(l.hook(HookName.Block.PATTERN));
            hooks.add(l.hook(HookName.Block.MASK));
            hooks.add(l.hook(HookName.Block.Z));
            hooks.add(l.hook(HookName.Block.ATTN_OUT));
        }
        runThrough(stepper, hooks);
    }

    public Stepper.Group group() {
        return group;
    }

    public Trace trace() {
        return group.trace();
    }

    /** Rows of the batch (B). */
    public int batch() {
        return group.ids().length;
    }

    /** Whether this pass computed the sub-layer (a decode pass of an encoder-decoder does not run the encoder). */
    public boolean has(AttentionLayer layer) {
        return trace().program().indexOf(layer.hook(HookName.Block.PATTERN)) >= 0;
    }

    /** The sub-layer's pattern [B, H, T, K]. */
    public TensorData pattern(AttentionLayer layer) {
        return trace().read(layer.hook(HookName.Block.PATTERN));
    }

    /** The mask the model intends for the sub-layer in this pass: its own rule and the batch's padding. */
    public MaskSpec intended(AttentionLayer layer) {
        Program p = trace().program();
        int i = p.indexOf(layer.hook(HookName.Block.MASK));
        if (i < 0) {
            throw new IllegalArgumentException("this pass has no " + layer.hook(HookName.Block.MASK));
        }
        return p.op(i).mask();
    }

    /**
     * Whether query {@code q} (index within the pass) of batch row {@code row} is a real token. Cross-attention's
     * queries are the decoder's, which are never padded; self-attention's queries are its own keys at
     * {@code past + q}, real unless the padding says otherwise.
     */
    public static boolean realQuery(AttentionLayer layer, MaskSpec spec, int row, int q) {
        if (layer.site().cross()) {
            return true;
        }
        return spec.padding() == null || spec.padding()[row][spec.past() + q] != 0;
    }

    /** The token ids at the sub-layer's key positions for batch row {@code row}: [K]. */
    public long[] keyIds(AttentionLayer layer, int row) {
        return layer.site().sourceKeys() ? source[row] : sequence[row];
    }
}
