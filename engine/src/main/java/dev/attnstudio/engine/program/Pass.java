package dev.attnstudio.engine.program;

import java.util.Arrays;

/**
 * What one forward pass computes: {@code length} new positions after {@code past} cached ones.
 *
 * <p>Encoder-decoders (T5): {@code batch}, {@code length}, {@code past}, {@code cache} and {@code keyMask} describe
 * the decoder's positions (the sequence that grows while generating); the encoder reads {@code sourceLength} source
 * positions with their own padding mask. The encoder runs in a pass with no past (a prompt, a recompute); a decode
 * pass reads its cross-attention keys and values from the cache instead.
 *
 * @param batch        rows in the batch (B)
 * @param length       positions computed now (T)
 * @param past         positions already in the cache (P); keys span K = P + T
 * @param cache        the cache to read past keys and values from, and that will receive this pass's; null for none
 * @param keyMask      padding mask [B][K], 1 = real token, 0 = padding; null when nothing is padded
 * @param sourceLength encoder positions (S) of an encoder-decoder; 0 for single-stack models
 * @param sourceMask   the encoder's padding mask [B][S]; null when the source is not padded
 */
public record Pass(int batch, int length, int past, KvCache cache, long[][] keyMask, int sourceLength,
                   long[][] sourceMask) {

    public Pass {
        if (batch < 1 || length < 1 || past < 0) {
            throw new IllegalArgumentException("a pass needs batch >= 1, length >= 1, past >= 0; got "
                    + batch + ", " + length + ", " + past);
        }
        if (past > 0 && cache == null) {
            throw new IllegalArgumentException("a pass after " + past + " cached positions needs the cache");
        }
        if (keyMask != null && (keyMask.length != batch
                || Arrays.stream(keyMask).anyMatch(row -> row.length != past + length))) {
            throw new IllegalArgumentException("the padding mask must be [" + batch + "][" + (past + length) + "]");
        }
        if (sourceLength < 0 || (sourceMask != null && (sourceMask.length != batch
                || Arrays.stream(sourceMask).anyMatch(row -> row.length != sourceLength)))) {
            throw new IllegalArgumentException("the source padding mask must be [" + batch + "][" + sourceLength + "]");
        }
    }

    /** A pass of a single-stack model. */
    public Pass(int batch, int length, int past, KvCache cache, long[][] keyMask) {
        this(batch, length, past, cache, keyMask, 0, null);
    }

    /** A pass over unpadded rows. */
    public Pass(int batch, int length, int past, KvCache cache) {
        this(batch, length, past, cache, null);
    }

    /**
     * A pass of an encoder-decoder: {@code sourceLength} encoder positions (padded as {@code sourceMask} says, or null),
     * and {@code length} unpadded decoder positions after {@code past} cached ones.
     */
    public static Pass encoderDecoder(int batch, int sourceLength, long[][] sourceMask, int length, int past,
                                      KvCache cache) {
        if (sourceLength < 1) {
            throw new IllegalArgumentException("an encoder-decoder pass needs at least one source position");
        }
        return new Pass(batch, length, past, cache, null, sourceLength, sourceMask);
    }

    /** Key positions this pass attends over: K = P + T. */
    public int keys() {
        return past + length;
    }

    /**
     * Refuses a pass whose sequence runs past a model's position limit.
     *
     * @param positions the longest sequence the model reads
     * @param key       the config.json key that sets it, for the message ({@code n_positions})
     * @throws IllegalArgumentException if {@link #keys()} exceeds {@code positions}
     */
    public void requireWithin(int positions, String key) {
        if (keys() > positions) {
            throw new IllegalArgumentException("the sequence would be " + keys() + " tokens long; this model reads at most "
                    + positions + " (" + key + ")");
        }
    }

    /** Whether the pass has an encoder side. */
    public boolean encoderDecoder() {
        return sourceLength > 0;
    }

    /** Whether the encoder runs in this pass (an encoder-decoder's prompt or recompute; not a decode pass). */
    public boolean runsEncoder() {
        return encoderDecoder() && past == 0;
    }
}
