package dev.attnstudio.engine.step;

import dev.attnstudio.engine.program.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One attention hook over the whole sequence, stitched from the passes of a generation: the rows of every query
 * position, as one pass over the finished sequence would have them. The prompt's pass gives its rows; each generated
 * token's pass gives the rows of its new positions (a decode pass over the KV cache: one row over every key so far;
 * a recompute: its last row, the earlier ones having come from earlier passes). A row ends where its pass's keys end:
 * the keys after it are positions that did not exist yet, which a causal query may not see anyway, so a pass over the
 * whole sequence has there what {@link #fill} gives (weight 0, score -inf). Stitching a decoder's
 * {@code hook_pattern} therefore equals a recompute of the whole sequence's pattern.
 *
 * <p>Works for any [B, H, T, K] attention hook and for masks [B or 1, 1, T or 1, K] (broadcast over the pass's
 * queries first): a decoder-only model's self-attention, an encoder-decoder's decoder self-attention and its
 * cross-attention (rows: decoder positions; keys: the source, the same in every pass), and an encoder's
 * self-attention (computed by the prompt's pass alone). Plain data: nothing stays in native memory.
 */
public final class WholeSequence {

    /**
     * A hook stitched over passes {@code 0 .. lastPass}.
     *
     * @param values   [1, H, T, K] ([1, 1, T, K] for a mask): batch row's rows of every pass, in position order
     * @param rowPass  the pass each row comes from, T (0 = the prompt's)
     * @param rowKeys  how many keys each row's pass had, T: cells at or after that key are {@link #fill}
     * @param lastPass the last pass whose rows are included
     */
    public record Stitched(TensorData values, int[] rowPass, int[] rowKeys, int lastPass) {

        /** Query positions T. */
        public int rows() {
            return (int) values.shape()[2];
        }

        /** Key positions K. */
        public int keys() {
            return (int) values.shape()[3];
        }

        /** Heads H (1 for a mask). */
        public int heads() {
            return (int) values.shape()[1];
        }

        /** How many passes gave rows. */
        public int passes() {
            return rowPass.length == 0 ? 0 : (int) Arrays.stream(rowPass).distinct().count();
        }

        /**
         * For captions, counting passes from 1 as the app does: "whole sequence · passes 1–6", or "whole sequence ·
         * pass 1" when one pass gave every row (the prompt's alone, or an encoder, which only the prompt's pass runs).
         */
        public String describe() {
            return passes() <= 1 ? "whole sequence \u00b7 pass " + (rowPass.length == 0 ? lastPass + 1 : rowPass[0] + 1)
                    : "whole sequence \u00b7 passes 1\u2013" + (lastPass + 1);
        }
    }

    private WholeSequence() {
    }

    /** {@link #of(Stepper, String, int, int)} over every pass up to the one under the cursor. */
    public static Stitched of(Stepper stepper, String hook, int batchRow) {
        return of(stepper, hook, batchRow, stepper.groups().indexOf(stepper.group()));
    }

    /**
     * Stitches a hook's rows over passes {@code 0 .. lastPass}. A pass whose program has no such step (an encoder hook
     * in a decode pass, which reads the cached encoder output) gives no rows; the stitching stops at the first pass
     * that has the step but has not computed it (or did not keep it), so a pass in progress adds its rows layer by
     * layer as they are computed.
     *
     * @param batchRow the row of the prompt's batch (generation is batch 1, so later passes have row 0 only)
     * @return the stitched rows, or null when no pass has computed the hook yet
     * @throws IllegalArgumentException if no pass has such a step, or there is no such batch row
     */
    public static Stitched of(Stepper stepper, String hook, int batchRow, int lastPass) {
        List<Stepper.Group> groups = stepper.groups();
        if (lastPass < 0 || lastPass >= groups.size()) {
            throw new IllegalArgumentException("there is no pass " + lastPass + "; this prompt has " + groups.size());
        }
        List<float[][]> rows = new ArrayList<>(); // per row: [H'][K_pass]
        List<Integer> passOfRow = new ArrayList<>();
        List<Integer> keysOfRow = new ArrayList<>();
        int heads = -1;
        int keys = 0;
        float fill = 0f;
        boolean known = false;
        int last = -1;
        for (int g = 0; g <= lastPass; g++) {
            Stepper.Group group = groups.get(g);
            Trace trace = group.trace();
            int at = trace.program().indexOf(hook);
            if (at < 0) {
                continue;
            }
            known = true;
            if (!trace.available(hook)) {
                break;
            }
            Op op = trace.program().op(at);
            fill = fill(op.kind());
            long[] shape = trace.shapeOf(hook);
            if (shape.length != 4) {
                throw new IllegalArgumentException(hook + " is " + Arrays.toString(shape)
                        + ", not an attention tensor [batch, heads, queries, keys]");
            }
            if (batchRow < 0 || batchRow >= group.inputs().size()) {
                throw new IllegalArgumentException("pass " + g + " has " + group.inputs().size()
                        + " batch row(s); there is no row " + batchRow);
            }
            TensorData part = trace.read(hook, "{}", shape[0] == 1 ? 0 : batchRow); // [H', Tq or 1, K]
            int h = (int) shape[1];
            int tq = op.kind() == Op.Kind.MASK ? op.mask().queries() : (int) shape[2];
            int k = (int) shape[3];
            if (heads >= 0 && h != heads) {
                throw new IllegalStateException(hook + " has " + h + " heads in pass " + g + " but " + heads + " before");
            }
            heads = h;
            keys = Math.max(keys, k);
            int first = group.past(); // the pass's queries are positions past .. past + tq - 1
            if (first > rows.size()) {
                throw new IllegalStateException(hook + ": pass " + g + " starts at position " + first + " but the passes "
                        + "before it gave rows up to " + rows.size());
            }
            for (int q = Math.max(0, rows.size() - first); q < tq; q++) {
                float[][] row = new float[h][];
                int stored = shape[2] == 1 ? 0 : q; // a mask broadcast over the queries has one row
                for (int hi = 0; hi < h; hi++) {
                    int from = (int) ((hi * shape[2] + stored) * k);
                    row[hi] = Arrays.copyOfRange(part.values(), from, from + k);
                }
                rows.add(row);
                passOfRow.add(g);
                keysOfRow.add(k);
            }
            last = g;
        }
        if (!known) {
            throw new IllegalArgumentException("no pass up to " + lastPass + " has a step named '" + hook + "'");
        }
        if (last < 0) {
            return null;
        }
        int t = rows.size();
        float[] values = new float[heads * t * keys];
        Arrays.fill(values, fill);
        for (int q = 0; q < t; q++) {
            for (int hi = 0; hi < heads; hi++) {
                float[] row = rows.get(q)[hi];
                System.arraycopy(row, 0, values, (hi * t + q) * keys, row.length);
            }
        }
        return new Stitched(new TensorData(hook, new long[] {1, heads, t, keys}, values),
                passOfRow.stream().mapToInt(Integer::intValue).toArray(),
                keysOfRow.stream().mapToInt(Integer::intValue).toArray(), last);
    }

    /**
     * What a pass over the whole sequence has at a key a stitched row lacks (a later position, blocked by the causal
     * mask): weight 0 after the softmax, -inf in the mask and the masked scores. The scores before the mask at such a
     * cell were never computed by any pass (a decode pass's query meets only the keys that exist): NaN.
     */
    public static float fill(Op.Kind kind) {
        return switch (kind) {
            case SOFTMAX -> 0f;
            case MASK, APPLY_MASK -> Float.NEGATIVE_INFINITY;
            default -> Float.NaN;
        };
    }
}
