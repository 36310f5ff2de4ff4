package dev.attnstudio.engine.model;

/**
 * What one forward pass computes: {@code length} new positions after {@code past} cached ones.
 *
 * @param batch  rows in the batch (B)
 * @param length positions computed now (T)
 * @param past   positions already in the cache (P); keys span K = P + T
 * @param cache  the cache to read past keys and values from, and that will receive this pass's; null for none
 */
public record Pass(int batch, int length, int past, Interventions interventions, KvCache cache) {

    public Pass {
        if (batch < 1 || length < 1 || past < 0) {
            throw new IllegalArgumentException("a pass needs batch >= 1, length >= 1, past >= 0; got "
                    + batch + ", " + length + ", " + past);
        }
        if (past > 0 && cache == null) {
            throw new IllegalArgumentException("a pass after " + past + " cached positions needs the cache");
        }
    }

    /** Key positions this pass attends over: K = P + T. */
    public int keys() {
        return past + length;
    }
}
