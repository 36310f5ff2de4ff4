package dev.attnstudio.engine.model;

/**
 * What one forward pass computes: {@code length} new positions after {@code past} cached ones.
 *
 * @param batch   rows in the batch (B)
 * @param length  positions computed now (T)
 * @param past    positions already in the cache (P); keys span K = P + T
 * @param cache   the cache to read past keys and values from, and that will receive this pass's; null for none
 * @param keyMask padding mask [B][K], 1 = real token, 0 = padding; null when nothing is padded
 */
public record Pass(int batch, int length, int past, Interventions interventions, KvCache cache, long[][] keyMask) {

    public Pass {
        if (batch < 1 || length < 1 || past < 0) {
            throw new IllegalArgumentException("a pass needs batch >= 1, length >= 1, past >= 0; got "
                    + batch + ", " + length + ", " + past);
        }
        if (past > 0 && cache == null) {
            throw new IllegalArgumentException("a pass after " + past + " cached positions needs the cache");
        }
        if (keyMask != null && (keyMask.length != batch
                || java.util.Arrays.stream(keyMask).anyMatch(row -> row.length != past + length))) {
            throw new IllegalArgumentException("the padding mask must be [" + batch + "][" + (past + length) + "]");
        }
    }

    /** A pass over unpadded rows. */
    public Pass(int batch, int length, int past, Interventions interventions, KvCache cache) {
        this(batch, length, past, interventions, cache, null);
    }

    /** Key positions this pass attends over: K = P + T. */
    public int keys() {
        return past + length;
    }
}
