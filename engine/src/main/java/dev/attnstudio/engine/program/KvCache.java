package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every position seen so far, per layer, so a decode step computes attention for one new
 * token without recomputing the prompt. Each layer holds a buffer [B, capacity, Hkv, h] (the layout of
 * {@code hook_k}; Hkv = H except under grouped-query attention) written in place, so a step costs O(new tokens), not O(sequence); when it fills up it is
 * copied into one twice as large (up to the model's limit). Owns its memory.
 *
 * <p>Encoder-decoders also keep each decoder layer's cross-attention keys and values [B, S, H, h]: they depend on
 * the encoder's output only, so they are stored once after the prompt ({@link #putCross}) and every decode pass reads
 * them back.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final int limit;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int[] length;
    private final NDArray[] crossKeys;
    private final NDArray[] crossValues;

    /** @param limit the most positions it will ever hold (the model's n_positions) */
    public KvCache(int layers, int limit, NDManager parent) {
        this.manager = parent.newSubManager();
        this.limit = limit;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.length = new int[layers];
        this.crossKeys = new NDArray[layers];
        this.crossValues = new NDArray[layers];
    }

    public int layers() {
        return keys.length;
    }

    /** Number of positions held (P), as of layer 0. */
    public int length() {
        return length[0];
    }

    /** Appends a pass's keys and values [B, T, H, h] to a layer. */
    public void append(int layer, NDArray k, NDArray v) {
        int upTo = write(keys, layer, k);
        write(values, layer, v);
        length[layer] = upTo;
    }

    /** Makes a layer's buffers hold at least {@code needed} positions, doubling them as they fill. */
    private void reserve(int layer, int needed, NDArray like) {
        if (keys[layer] == null || keys[layer].getShape().get(1) < needed) {
            int capacity = Math.min(limit, Math.max(needed, keys[layer] == null ? 64 : 2 * (int) keys[layer].getShape().get(1)));
            keys[layer] = regrow(keys[layer], like, capacity, length[layer]);
            values[layer] = regrow(values[layer], like, capacity, length[layer]);
        }
    }

    /**
     * The past keys and a decode pass's own, side by side without copying the past: writes {@code k} [B, T, Hkv, h]
     * into the buffer after the {@link #length} cached positions and returns a view of positions 0 .. length + T,
     * [B, length + T, Hkv, h], equal to concatenating the cached keys and {@code k}. The cached length does not change:
     * {@link #append} at the end of the pass writes the same slots again and counts them. For a fused run (the
     * {@code hook_past_k} read is not replaced by a hook).
     */
    public NDArray keysWith(int layer, NDArray k) {
        return with(keys, layer, k);
    }

    /** As {@link #keysWith} for values [B, T, Hkv, h]. */
    public NDArray valuesWith(int layer, NDArray v) {
        return with(values, layer, v);
    }

    private NDArray with(NDArray[] buffers, int layer, NDArray present) {
        int upTo = write(buffers, layer, present);
        return buffers[layer].get(new NDIndex(":, :{}", upTo));
    }

    /**
     * Writes {@code present} [B, T, Hkv, h] into a layer's key or value buffer after its cached positions, growing the
     * buffers if they are too short, and returns length + T; the cached length does not change.
     */
    private int write(NDArray[] buffers, int layer, NDArray present) {
        int past = length[layer];
        long t = present.getShape().get(1);
        int upTo = past + (int) t;
        if (upTo > limit) {
            throw new IllegalStateException("the KV cache is full: " + past + " + " + t + " positions > " + limit);
        }
        reserve(layer, upTo, present);
        buffers[layer].set(new NDIndex(":, {}:{}", past, upTo), present);
        return upTo;
    }

    /** A buffer of {@code capacity} positions holding the first {@code used} of {@code old} (if any). */
    private NDArray regrow(NDArray old, NDArray like, int capacity, int used) {
        Shape s = like.getShape();
        NDArray buffer = manager.zeros(new Shape(s.get(0), capacity, s.get(2), s.get(3)), like.getDataType());
        // the buffer belongs to the cache, not to whatever scope the caller has open
        NDScope.unregister(buffer);
        if (old != null) {
            try (NDArray kept = old.get(new NDIndex(":, :{}", used))) {
                buffer.set(new NDIndex(":, :{}", used), kept);
            }
            old.close();
        }
        return buffer;
    }

    /** A view of the first {@code upTo} cached keys of a layer, [B, upTo, H, h]. */
    public NDArray keys(int layer, int upTo) {
        return prefix(keys[layer], layer, upTo);
    }

    /** A view of the first {@code upTo} cached values of a layer, [B, upTo, H, h]. */
    public NDArray values(int layer, int upTo) {
        return prefix(values[layer], layer, upTo);
    }

    private NDArray prefix(NDArray buffer, int layer, int upTo) {
        if (buffer == null || length[layer] < upTo) {
            throw new IllegalStateException("the KV cache holds " + length[layer] + " positions, " + upTo + " were asked for");
        }
        return buffer.get(new NDIndex(":, :{}", upTo));
    }

    /**
     * Stores a decoder layer's cross-attention keys and values [B, S, H, h] (copies: the pass that computed them
     * keeps its own). They are written once; a second call replaces them.
     */
    public void putCross(int layer, NDArray k, NDArray v) {
        if (crossKeys[layer] != null) {
            crossKeys[layer].close();
            crossValues[layer].close();
        }
        crossKeys[layer] = owned(k);
        crossValues[layer] = owned(v);
    }

    private NDArray owned(NDArray a) {
        NDArray copy = a.duplicate();
        NDScope.unregister(copy);
        copy.attach(manager);
        return copy;
    }

    /** Whether cross-attention keys and values are held (an encoder-decoder's cache after its prompt). */
    public boolean hasCross() {
        return crossKeys[0] != null;
    }

    /** Encoder positions (S) the cross-attention keys span; 0 when none are held. */
    public int crossLength() {
        return crossKeys[0] == null ? 0 : (int) crossKeys[0].getShape().get(1);
    }

    /** A view of a layer's cross-attention keys, [B, S, H, h]. */
    public NDArray crossKeys(int layer) {
        return whole(crossKeys[layer], layer);
    }

    /** A view of a layer's cross-attention values, [B, S, H, h]. */
    public NDArray crossValues(int layer) {
        return whole(crossValues[layer], layer);
    }

    private static NDArray whole(NDArray stored, int layer) {
        if (stored == null) {
            throw new IllegalStateException("the KV cache holds no cross-attention keys and values for layer " + layer);
        }
        return stored.get(new NDIndex(":"));
    }

    /**
     * Bytes of keys and values held for one layer (positions in use, not the buffer's capacity), cross-attention's
     * included.
     */
    public long bytes(int layer) {
        long bytes = 0;
        if (keys[layer] != null) {
            Shape s = keys[layer].getShape();
            bytes += 2L * s.get(0) * length[layer] * s.get(2) * s.get(3) * keys[layer].getDataType().getNumOfBytes();
        }
        return bytes + crossBytes(layer);
    }

    /**
     * Bytes of one layer's cross-attention keys and values, [B, S, H, h] each (an encoder-decoder's decoder layer);
     * 0 when none are held.
     */
    public long crossBytes(int layer) {
        if (crossKeys[layer] == null) {
            return 0;
        }
        return crossKeys[layer].size() * crossKeys[layer].getDataType().getNumOfBytes()
                + crossValues[layer].size() * crossValues[layer].getDataType().getNumOfBytes();
    }

    /** Bytes held for all layers. */
    public long bytes() {
        long total = 0;
        for (int i = 0; i < keys.length; i++) {
            total += bytes(i);
        }
        return total;
    }

    @Override
    public void close() {
        manager.close();
    }
}
