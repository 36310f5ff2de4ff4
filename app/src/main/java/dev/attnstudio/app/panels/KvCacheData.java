package dev.attnstudio.app.panels;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.KvCache;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KV cache during generation: bytes per layer after every pass, each pass's compute time by kind (prefill,
 * decode, recompute), and the cached keys and values of one layer and key/value head as a matrix that grows by
 * one column per generated token.
 *
 * @param layers         blocks whose keys and values the cache holds; 0 for a model without a KV cache (an encoder),
 *                       whose {@code note} says so
 * @param layer          the block whose keys and values are shown
 * @param kvHead         the key/value head shown
 * @param heads          query heads per block (H)
 * @param kvHeads        key/value heads per block (Hkv; fewer than H under grouped-query attention)
 * @param dHead          values per key (h; T5: d_kv)
 * @param keyHook        the hook the cache stores as keys, e.g. {@code blocks.0.attn.hook_rot_k},
 *                       {@code decoder.blocks.0.attn.hook_k}
 * @param valueHook      the hook it stores as values
 * @param cached         whether generation decodes over a KV cache (false: every token recomputes the sequence)
 * @param passes         every pass (step group) so far, in order
 * @param positions      columns of the matrices (P): positions in the cache, or of the last pass without a cache
 * @param keys           the keys, [h, P] row-major (one column per position), or null when not kept
 * @param values         the values, [h, P] row-major, or null when not kept
 * @param positionLabels the token at every position, P
 * @param positionPass   the pass that wrote every position, P
 * @param note           why the matrices are missing, or empty
 * @param crossPositions encoder positions (S) whose cross-attention keys and values the cache holds; 0 for models
 *                       without cross-attention or before the prompt's pass completed
 * @param crossLayerBytes bytes those cross-attention keys and values take in each layer (included in each pass's
 *                       {@link Pass#cacheBytes}), one per layer; all 0 when none
 */
public record KvCacheData(int layers, int layer, int kvHead, int heads, int kvHeads, int dHead, String keyHook, String valueHook,
                          boolean cached, List<Pass> passes, int positions, float[] keys, float[] values,
                          List<String> positionLabels, int[] positionPass, String note, int crossPositions,
                          long[] crossLayerBytes) {

    /**
     * One pass.
     *
     * @param group         its index among the stepper's groups
     * @param kind          prefill, decode or recompute
     * @param past          positions before it
     * @param tokens        positions it computes (T)
     * @param computeMillis time spent computing its steps
     * @param cacheBytes    KV-cache bytes per layer once it completed (empty before, or without a cache)
     */
    public record Pass(int group, PassKind kind, int past, int tokens, double computeMillis, long[] cacheBytes) {

        /** Cache bytes of all layers once this pass completed. */
        public long totalBytes() {
            return Arrays.stream(cacheBytes).sum();
        }

        /** "2 decode". */
        public String label() {
            return group + " " + kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** For a model without a KV cache: nothing but why ({@code note}). */
    public static KvCacheData none(LoadedModel model) {
        Capabilities c = model.model().capabilities();
        String note = "No KV cache: " + model.name() + " (" + c.family() + ") is an encoder, which reads the whole prompt in "
                + "one pass and generates nothing.";
        return new KvCacheData(0, 0, 0, c.heads(), c.kvHeads(), c.dHead(), "", "", false, List.of(), 0, null, null, List.of(),
                new int[0], note, 0, new long[0]);
    }

    /** Whether the model keeps a KV cache at all (see {@link #none}). */
    public boolean applies() {
        return layers > 0;
    }

    /**
     * Reads the stepper's passes and the cached keys and values of one cached layer (an encoder-decoder: a decoder
     * block) and key/value head; {@link #none} for a model without a cache. Engine thread only.
     */
    public static KvCacheData from(Stepper stepper, LoadedModel model, int layer, int kvHead) {
        TransformerModel transformer = model.model();
        Capabilities capabilities = transformer.capabilities();
        int layers = capabilities.cacheLayers();
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " does not exist; the cache holds " + layers
                    + (capabilities.readsSource() ? " decoder layers" : " layers"));
        }
        if (kvHead < 0 || kvHead >= capabilities.kvHeads()) {
            throw new IllegalArgumentException("key/value head " + kvHead + " does not exist; layers have "
                    + capabilities.kvHeads());
        }
        String keyHook = transformer.cacheKeyHook(layer);
        String valueHook = transformer.cacheValueHook(layer);
        boolean twoStacks = capabilities.readsSource(); // the cache holds the decoder's positions
        List<Stepper.Group> groups = stepper.groups();
        List<Pass> passes = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Stepper.Group group = groups.get(g);
            passes.add(new Pass(g, group.kind(), group.past(), group.inputs().length(), group.computeMillis(),
                    group.cacheBytes()));
        }
        // the passes whose keys make up the matrix: every pass that went into the cache, or the last complete one
        boolean cached = stepper.cache() != null;
        List<Integer> sources = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            if (cached ? groups.get(g).cacheBytes().length > 0 : groups.get(g).trace().complete()) {
                sources.add(g);
            }
        }
        if (!cached && sources.size() > 1) {
            sources = List.of(sources.get(sources.size() - 1));
        }
        int positions = 0;
        for (int g : sources) {
            Stepper.Group group = groups.get(g);
            positions += twoStacks ? group.inputs().decoderLength() : group.inputs().length();
        }
        int h = capabilities.dHead();
        float[] keys = new float[h * positions];
        float[] values = new float[h * positions];
        int[] positionPass = new int[positions];
        String note = sources.isEmpty() ? "Nothing is cached yet: run the prompt's pass to its end." : "";
        int column = 0;
        for (int g : sources) {
            Stepper.Group group = groups.get(g);
            if (!group.trace().available(keyHook) || !group.trace().available(valueHook)) {
                note = "Pass " + g + " did not keep " + keyHook + " (capture " + group.trace().capture() + ")";
                break;
            }
            TensorData k = group.trace().read(keyHook, "0, :, {}", kvHead); // [T, h]
            TensorData v = group.trace().read(valueHook, "0, :, {}", kvHead);
            int t = (int) k.shape()[0];
            for (int p = 0; p < t; p++) {
                for (int i = 0; i < h; i++) {
                    keys[i * positions + column + p] = k.values()[p * h + i];
                    values[i * positions + column + p] = v.values()[p * h + i];
                }
                positionPass[column + p] = g;
            }
            column += t;
        }
        boolean complete = note.isEmpty();
        long[] tokens = groups.isEmpty() ? new long[0] : stepper.tokens();
        KvCache cache = stepper.cache();
        int crossPositions = cache != null && cache.hasCross() ? cache.crossLength() : 0;
        long[] crossBytes = new long[layers];
        for (int l = 0; cache != null && l < layers; l++) {
            crossBytes[l] = cache.crossBytes(l);
        }
        return new KvCacheData(layers, layer, kvHead, capabilities.heads(), capabilities.kvHeads(), h, keyHook, valueHook, cached,
                List.copyOf(passes), complete ? positions : 0, complete ? keys : null, complete ? values : null,
                TokenLabels.of(model.tokenizer(), tokens, 0, complete ? positions : 0),
                complete ? positionPass : new int[0], note, crossPositions, crossBytes);
    }

    /** Bytes the cross-attention keys and values take in all layers together; 0 when none. */
    public long crossBytes() {
        return Arrays.stream(crossLayerBytes).sum();
    }

    /** Bytes of one layer's self-attention keys and values after a pass: its cache bytes less that layer's cross. */
    public long selfBytes(Pass pass, int layer) {
        if (layer >= pass.cacheBytes().length) {
            return 0;
        }
        return pass.cacheBytes()[layer] - crossLayerBytes[layer];
    }

    /** The query heads that read this key/value head: H / Hkv consecutive heads. */
    public int[] sharedQueryHeads() {
        int group = heads / kvHeads;
        int[] out = new int[group];
        for (int i = 0; i < group; i++) {
            out[i] = kvHead * group + i;
        }
        return out;
    }

    /** A key (or value) entry: dimension i of position p. */
    public float key(int i, int p) {
        return keys[i * positions + p];
    }

    public float value(int i, int p) {
        return values[i * positions + p];
    }
}
