package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every position seen so far, per layer, so a decode step computes attention for one new
 * token without recomputing the prompt. Each layer holds a buffer [B, capacity, H, h] (the layout of
 * {@code hook_k}) allocated at the first append and written in place, so a step costs O(new tokens), not
 * O(sequence). Owns its memory.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final int capacity;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int[] length;

    /** @param capacity the most positions it will hold (the model's n_positions) */
    public KvCache(int layers, int capacity, NDManager parent) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.length = new int[layers];
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
        long t = k.getShape().get(1);
        if (length[layer] + t > capacity) {
            throw new IllegalStateException("the KV cache is full: " + length[layer] + " + " + t + " positions > " + capacity);
        }
        if (keys[layer] == null) {
            Shape s = k.getShape();
            Shape buffer = new Shape(s.get(0), capacity, s.get(2), s.get(3));
            keys[layer] = manager.zeros(buffer, k.getDataType());
            values[layer] = manager.zeros(buffer, v.getDataType());
            // the buffers belong to the cache, not to whatever scope the caller has open
            NDScope.unregister(keys[layer], values[layer]);
        }
        NDIndex slot = new NDIndex(":, {}:{}", length[layer], length[layer] + t);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        length[layer] += (int) t;
    }

    /** A view of the first {@code upTo} cached keys of a layer, [B, upTo, H, h]. */
    NDArray keys(int layer, int upTo) {
        return prefix(keys[layer], layer, upTo);
    }

    /** A view of the first {@code upTo} cached values of a layer, [B, upTo, H, h]. */
    NDArray values(int layer, int upTo) {
        return prefix(values[layer], layer, upTo);
    }

    private NDArray prefix(NDArray buffer, int layer, int upTo) {
        if (buffer == null || length[layer] < upTo) {
            throw new IllegalStateException("the KV cache holds " + length[layer] + " positions, " + upTo + " were asked for");
        }
        return buffer.get(new NDIndex(":, :{}", upTo));
    }

    /** Bytes of keys and values held for one layer (positions in use, not the buffer's capacity). */
    public long bytes(int layer) {
        if (keys[layer] == null) {
            return 0;
        }
        Shape s = keys[layer].getShape();
        return 2L * s.get(0) * length[layer] * s.get(2) * s.get(3) * keys[layer].getDataType().getNumOfBytes();
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
