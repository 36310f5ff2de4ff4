package dev.attnstudio.engine.train;

import dev.attnstudio.engine.step.Batch;

/**
 * Sequences and which of their next-token predictions count: position t of row b reads {@code ids[b][0..t]} and
 * is scored on {@code ids[b][t + 1]} with weight {@code weights[b][t]} (the last position has nothing to predict).
 *
 * @param ids     token ids [B][T], all rows the same length
 * @param weights how much each position's prediction counts [B][T]; 0 = not at all. The last column must be 0
 */
public record NextTokenBatch(long[][] ids, float[][] weights) {

    public NextTokenBatch {
        if (ids.length == 0 || ids.length != weights.length) {
            throw new IllegalArgumentException("ids and weights need the same, non-zero number of rows");
        }
        int len = ids[0].length;
        double total = 0;
        for (int b = 0; b < ids.length; b++) {
            if (ids[b].length != len || weights[b].length != len) {
                throw new IllegalArgumentException("every row of ids and weights must be " + len + " long");
            }
            if (weights[b][len - 1] != 0) {
                throw new IllegalArgumentException("the last position has no next token: its weight must be 0");
            }
            for (float w : weights[b]) {
                if (!(w >= 0)) {
                    throw new IllegalArgumentException("weights must be >= 0, got " + w);
                }
                total += w;
            }
        }
        if (total == 0) {
            throw new IllegalArgumentException("no position counts: every weight is 0");
        }
    }

    /** Every prediction but the last position's counts equally. */
    public static NextTokenBatch allPositions(long[][] ids) {
        float[][] w = new float[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            w[b] = new float[ids[b].length];
            java.util.Arrays.fill(w[b], 0, ids[b].length - 1, 1f);
        }
        return new NextTokenBatch(ids, w);
    }

    public int size() {
        return ids.length;
    }

    public int length() {
        return ids[0].length;
    }

    /** The model's inputs: the ids, unpadded. */
    public Batch inputs() {
        return Batch.of(ids);
    }

    /** The token each position is scored on, [B][T]; 0 in the last column (whose weight is 0). */
    public long[][] targets() {
        long[][] t = new long[ids.length][ids[0].length];
        for (int b = 0; b < ids.length; b++) {
            System.arraycopy(ids[b], 1, t[b], 0, ids[b].length - 1);
        }
        return t;
    }
}
