package dev.attnstudio.engine.step;

import java.util.Arrays;
import java.util.List;

/**
 * The inputs of one pass, [B][T] each: token ids, token types (segments A = 0 / B = 1), and the attention
 * mask (1 = a real token, 0 = padding). Rows are padded to one length.
 *
 * <p>Encoder-decoders (T5) read two sequences: {@code ids} (with its types and mask) is the source the encoder
 * reads, [B][S], and {@code decoderIds} the decoder's tokens, [B][T], unpadded (a shorter target is padded at the
 * end, where the causal mask keeps it from every real position). Null for single-stack models.
 */
public record Batch(long[][] ids, long[][] tokenTypes, long[][] attentionMask, long[][] decoderIds) {

    /** Which end of a row padding goes on. */
    public enum Padding { LEFT, RIGHT }

    public Batch {
        if (ids.length == 0 || ids[0].length == 0) {
            throw new IllegalArgumentException("the prompt is empty: type at least one token");
        }
        int len = ids[0].length;
        for (long[][] table : new long[][][] {ids, tokenTypes, attentionMask}) {
            if (table.length != ids.length) {
                throw new IllegalArgumentException("ids, token types and attention mask need one row per prompt");
            }
            for (long[] row : table) {
                if (row.length != len) {
                    throw new IllegalArgumentException("every row of a batch must have the same length (pad it)");
                }
            }
        }
        if (decoderIds != null) {
            if (decoderIds.length != ids.length || decoderIds[0].length == 0) {
                throw new IllegalArgumentException("the decoder needs one row of at least one token per source row");
            }
            for (long[] row : decoderIds) {
                if (row.length != decoderIds[0].length) {
                    throw new IllegalArgumentException("every decoder row of a batch must have the same length (pad it)");
                }
            }
        }
    }

    /** The inputs of a single-stack model (no decoder ids). */
    public Batch(long[][] ids, long[][] tokenTypes, long[][] attentionMask) {
        this(ids, tokenTypes, attentionMask, null);
    }

    /** One unpadded source and the decoder's tokens so far (an encoder-decoder's prompt). */
    public static Batch encoderDecoder(long[] source, long[] decoderIds) {
        return of(source).withDecoder(new long[][] {decoderIds});
    }

    /** The same source with these decoder ids [B][T] (an encoder-decoder's pass). */
    public Batch withDecoder(long[][] decoderIds) {
        return new Batch(ids, tokenTypes, attentionMask, decoderIds);
    }

    /** Decoder positions (T) of an encoder-decoder's batch; 0 when there are no decoder ids. */
    public int decoderLength() {
        return decoderIds == null ? 0 : decoderIds[0].length;
    }

    /** Unpadded rows of equal length, all of segment A. */
    public static Batch of(long[]... rows) {
        long[][] types = new long[rows.length][];
        long[][] mask = new long[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            types[b] = new long[rows[b].length];
            mask[b] = new long[rows[b].length];
            Arrays.fill(mask[b], 1);
        }
        return new Batch(rows, types, mask);
    }

    /**
     * Pads rows of different lengths to the longest with {@code padId}; padding gets token type 0 and mask 0.
     *
     * @param types token types per row (same lengths as the rows), or null for all segment A
     */
    public static Batch pad(List<long[]> rows, List<long[]> types, Padding side, long padId) {
        if (rows.isEmpty() || rows.stream().anyMatch(r -> r.length == 0)) {
            throw new IllegalArgumentException("every prompt of a batch needs at least one token");
        }
        int len = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int n = rows.size();
        long[][] ids = new long[n][len];
        long[][] tt = new long[n][len];
        long[][] mask = new long[n][len];
        for (int b = 0; b < n; b++) {
            long[] row = rows.get(b);
            int offset = side == Padding.LEFT ? len - row.length : 0;
            Arrays.fill(ids[b], padId);
            for (int t = 0; t < row.length; t++) {
                ids[b][offset + t] = row[t];
                tt[b][offset + t] = types == null ? 0 : types.get(b)[t];
                mask[b][offset + t] = 1;
            }
        }
        return new Batch(ids, tt, mask);
    }

    public int size() {
        return ids.length;
    }

    /** Positions of {@code ids}: the prompt, or an encoder-decoder's source (S). */
    public int length() {
        return ids[0].length;
    }

    /** Whether every row's padding (if any) comes after all its real tokens. */
    public boolean paddedOnTheRight() {
        for (long[] row : attentionMask) {
            for (int t = 1; t < row.length; t++) {
                if (row[t] != 0 && row[t - 1] == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether any position is padding. */
    public boolean padded() {
        for (long[] row : attentionMask) {
            for (long m : row) {
                if (m == 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
