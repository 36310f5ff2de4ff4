package dev.attnstudio.engine.train;

import dev.attnstudio.engine.step.Batch;

import java.util.Arrays;
import java.util.List;

/**
 * Sequences and which of their next-token predictions count: position t of row b reads {@code ids[b][0..t]} and
 * is scored on {@code ids[b][t + 1]} with weight {@code weights[b][t]} (the last position has nothing to predict).
 *
 * <p>For an encoder-decoder (T5) the batch also has a source side: the encoder reads {@code source}, and
 * {@code ids} are the decoder's inputs, starting with the decoder start token, so the targets are still {@code ids}
 * shifted by one ({@link #seq2seq} builds such a batch from source and target pairs).
 *
 * @param ids        token ids [B][T], all rows the same length (encoder-decoders: the decoder's)
 * @param weights    how much each position's prediction counts [B][T]; 0 = not at all. The last column must be 0
 * @param source     an encoder-decoder's source ids [B][S], or null for a decoder-only batch
 * @param sourceMask the source's padding mask [B][S] (1 = real token, 0 = padding); null with no source
 */
public record NextTokenBatch(long[][] ids, float[][] weights, long[][] source, long[][] sourceMask) {

    public NextTokenBatch {
        if ((source == null) != (sourceMask == null) || (source != null && (source.length != ids.length
                || source[0].length == 0 || sourceMask.length != ids.length))) {
            throw new IllegalArgumentException("a source needs its mask, and both one non-empty row per target row");
        }
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

    /** A decoder-only batch. */
    public NextTokenBatch(long[][] ids, float[][] weights) {
        this(ids, weights, null, null);
    }

    /**
     * Source and target pairs for an encoder-decoder: sources padded at the end with {@code padId} (masked), decoder
     * inputs {@code [start, target...]} padded at the end with {@code padId}; position t is scored on target token t
     * for every real target token (append an end-of-sequence token to the targets to teach the model to stop).
     */
    public static NextTokenBatch seq2seq(List<long[]> sources, List<long[]> targets, long decoderStartId, long padId) {
        if (sources.isEmpty() || sources.size() != targets.size()) {
            throw new IllegalArgumentException("one target per source, at least one pair; got " + sources.size()
                    + " sources and " + targets.size() + " targets");
        }
        Batch encoder = Batch.pad(sources, null, Batch.Padding.RIGHT, padId);
        int len = 1 + targets.stream().mapToInt(t -> t.length).max().orElse(0);
        long[][] ids = new long[targets.size()][len];
        float[][] weights = new float[targets.size()][len];
        for (int b = 0; b < ids.length; b++) {
            long[] target = targets.get(b);
            Arrays.fill(ids[b], padId);
            ids[b][0] = decoderStartId;
            System.arraycopy(target, 0, ids[b], 1, target.length);
            Arrays.fill(weights[b], 0, target.length, 1f);
        }
        return new NextTokenBatch(ids, weights, encoder.ids(), encoder.attentionMask());
    }

    /** Every prediction but the last position's counts equally. */
    public static NextTokenBatch allPositions(long[][] ids) {
        float[][] w = new float[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            w[b] = new float[ids[b].length];
            Arrays.fill(w[b], 0, ids[b].length - 1, 1f);
        }
        return new NextTokenBatch(ids, w);
    }

    public int size() {
        return ids.length;
    }

    public int length() {
        return ids[0].length;
    }

    /** The model's inputs: the ids, unpadded (encoder-decoders: the source, padded, with the ids as decoder ids). */
    public Batch inputs() {
        if (source == null) {
            return Batch.of(ids);
        }
        long[][] types = new long[source.length][source[0].length];
        return new Batch(source, types, sourceMask, ids);
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
