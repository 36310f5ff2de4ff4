package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Keys and values of every position seen so far, per layer, so a decode step computes attention for one new
 * token without recomputing the prompt. Layout per layer: [B, P, H, h] (as {@code hook_k}). Owns its memory.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(int layers, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    public int layers() {
        return keys.length;
    }

    /** Number of positions held (P). */
    public int length() {
        return keys[0] == null ? 0 : (int) keys[0].getShape().get(1);
    }

    /** Appends a pass's keys and values [B, T, H, h] to a layer. */
    public void append(int layer, NDArray k, NDArray v) {
        keys[layer] = grow(keys[layer], k);
        values[layer] = grow(values[layer], v);
    }

    private NDArray grow(NDArray held, NDArray more) {
        NDArray next = held == null ? more.duplicate() : NDArrays.concat(new NDList(held, more), 1);
        next.attach(manager);
        if (held != null) {
            held.close();
        }
        return next;
    }

    /** The first {@code upTo} cached keys of a layer, [B, upTo, H, h] (a new array). */
    NDArray keys(int layer, int upTo) {
        return prefix(keys[layer], upTo);
    }

    /** The first {@code upTo} cached values of a layer, [B, upTo, H, h] (a new array). */
    NDArray values(int layer, int upTo) {
        return prefix(values[layer], upTo);
    }

    private NDArray prefix(NDArray held, int upTo) {
        if (held == null || held.getShape().get(1) < upTo) {
            throw new IllegalStateException("the KV cache holds " + length() + " positions, " + upTo + " were asked for");
        }
        return held.get(new NDIndex(":, :{}", upTo)).duplicate();
    }

    /** Bytes held for one layer (keys and values). */
    public long bytes(int layer) {
        return keys[layer] == null ? 0 : 2 * keys[layer].size() * keys[layer].getDataType().getNumOfBytes();
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
