package dev.attnstudio.app.diagnostics;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The last result of a diagnostic and what it was computed for. A view's feed is rebuilt after every command (each step
 * of the cursor), while a diagnostic depends only on the prompt, the model and the interventions: the feed asks the memo,
 * which computes again only when that key changed. Engine thread only (the feed's); safe to read from any thread.
 *
 * @param <V> the diagnostic's plain-data result
 */
public final class Memo<V> {

    private volatile Object key;
    private volatile V value;

    /** The value for {@code newKey}: the last one when the key is equal, else {@code compute}'s (kept for next time). */
    public V get(Object newKey, Supplier<V> compute) {
        if (value != null && Objects.equals(key, newKey)) {
            return value;
        }
        V v = compute.get();
        key = newKey;
        value = v;
        return v;
    }

    /** Forgets the last value (e.g. after an option of the view changed). */
    public void clear() {
        value = null;
        key = null;
    }
}
