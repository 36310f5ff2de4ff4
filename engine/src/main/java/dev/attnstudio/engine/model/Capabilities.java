package dev.attnstudio.engine.model;

import dev.attnstudio.engine.hooks.HookName;

import java.util.ArrayList;
import java.util.List;

/**
 * What a model can do and how its attention is laid out: what code outside the engine's model, config and load
 * packages asks instead of switching on the family.
 *
 * @param family            the Hugging Face {@code model_type} (gpt2, bert, llama, qwen2, qwen3, mistral, gemma2, t5),
 *                          for labels and {@code HookName.Parsed.meaningIn}
 * @param stacks            the model's stacks, input side first: one for a decoder or an encoder, the encoder then the
 *                          decoder for an encoder-decoder
 * @param generates         whether it predicts next tokens (decoders and encoder-decoders)
 * @param sentencePairs     whether it reads a second segment through token types (BERT)
 * @param paddedBatches     whether it reads padded batches (encoders; an encoder-decoder's source; a decoder's rows
 *                          padded on the right)
 * @param decoderStartToken the token an encoder-decoder's decoder starts from; -1 for single-stack models
 * @param heads             query heads per attention sub-layer (H)
 * @param kvHeads           key/value heads (Hkv; fewer than H under grouped-query attention)
 * @param dHead             width of one head (h)
 * @param cacheLayers       layers a KV cache holds (the decoder's); 0 for models that do not generate
 * @param rotatedKeys       whether the cache holds keys rotated by position (rotary models)
 * @param windows           per cached layer, the sliding window W its queries see (q - W &lt; k &lt;= q; Mistral, Gemma 2's
 *                          even layers), 0 where a query sees every earlier position; empty when no layer slides. The
 *                          KV cache keeps every position all the same (a window layer's mask hides the older ones)
 */
public record Capabilities(String family, List<Stack> stacks, boolean generates, boolean sentencePairs,
                           boolean paddedBatches, long decoderStartToken, int heads, int kvHeads, int dHead,
                           int cacheLayers, boolean rotatedKeys, List<Integer> windows) {

    /** A model whose layers have no sliding window. */
    public Capabilities(String family, List<Stack> stacks, boolean generates, boolean sentencePairs, boolean paddedBatches,
                        long decoderStartToken, int heads, int kvHeads, int dHead, int cacheLayers, boolean rotatedKeys) {
        this(family, stacks, generates, sentencePairs, paddedBatches, decoderStartToken, heads, kvHeads, dHead, cacheLayers,
                rotatedKeys, List.of());
    }

    /**
     * One stack of blocks.
     *
     * @param id     the hook-name prefix of an encoder-decoder's stack; null for a single-stack model
     * @param layers its blocks
     * @param causal whether its self-attention is causal
     * @param cross  whether its blocks also attend to the encoder's output (cross-attention)
     */
    public record Stack(HookName.Stack id, int layers, boolean causal, boolean cross) {
    }

    /**
     * One attention sub-layer kind of a stack: self-attention, or a decoder's cross-attention.
     *
     * @param stack the stack it belongs to
     * @param cross whether it is cross-attention (its queries are the decoder's, its keys the source's)
     */
    public record Site(Stack stack, boolean cross) {

        /** The full name of a block hook of this site in a layer: {@code blocks.0.attn.hook_pattern}, ... */
        public String hook(HookName.Block block, int layer) {
            HookName.Block b = cross ? block.cross() : block;
            return stack.id() == null ? b.at(layer) : stack.id().at(b, layer);
        }

        /** Whether queries see only earlier keys. */
        public boolean causal() {
            return !cross && stack.causal();
        }

        /** Whether its keys are the source (an encoder's positions, or cross-attention's). */
        public boolean sourceKeys() {
            return cross || stack.id() == HookName.Stack.ENCODER;
        }
    }

    public Capabilities {
        stacks = List.copyOf(stacks);
        windows = windows == null ? List.of() : List.copyOf(windows); // absent in bundles recorded before windows
    }

    /** The sliding window of a cached layer's queries, or 0 when they see every earlier position. */
    public int window(int layer) {
        return layer < windows.size() ? windows.get(layer) : 0;
    }

    /** Whether the prompt is a source read by an encoder while a decoder writes its own sequence. */
    public boolean readsSource() {
        return stacks.size() > 1;
    }

    /** The stack that produces the output (a decoder's logits, an encoder's last hidden state). */
    public Stack outputStack() {
        return stacks.get(stacks.size() - 1);
    }

    /** Every attention sub-layer kind, in the order of the stacks (self-attention before cross-attention). */
    public List<Site> sites() {
        List<Site> sites = new ArrayList<>();
        for (Stack s : stacks) {
            sites.add(new Site(s, false));
            if (s.cross()) {
                sites.add(new Site(s, true));
            }
        }
        return sites;
    }

    /** Most layers of any stack. */
    public int maxLayers() {
        return stacks.stream().mapToInt(Stack::layers).max().orElse(0);
    }
}
