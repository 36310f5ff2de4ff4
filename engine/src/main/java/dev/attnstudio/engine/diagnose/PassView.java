package dev.attnstudio.engine.diagnose;

import dev.attnstudio.engine.hooks.HookName;
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
