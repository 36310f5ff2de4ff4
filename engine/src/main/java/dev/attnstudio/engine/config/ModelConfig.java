package dev.attnstudio.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.attnstudio.engine.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The geometry of a transformer, read from a Hugging Face {@code config.json} (or derived from an ONNX graph).
 *
 * @param architecture  which model family the weights belong to
 * @param nLayer        number of blocks
 * @param nHead         attention heads per block
 * @param dModel        residual stream width
 * @param dMlp          hidden width of the MLP (4 d_model for GPT-2, intermediate_size for BERT)
 * @param nPositions    longest sequence the learned position table covers
 * @param vocabSize     rows of the token embedding
 * @param typeVocabSize rows of the token-type (segment) embedding; 0 where there is none
 * @param layerNormEps  epsilon inside every LayerNorm
 * @param activation    the MLP non-linearity the checkpoint was trained with
 * @param extra         what only one family has (LLaMA: grouped keys and values, rotary base; T5: ...)
 */
public record ModelConfig(Architecture architecture, int nLayer, int nHead, int dModel, int dMlp, int nPositions,
                          int vocabSize, int typeVocabSize, double layerNormEps, Activation activation, Extra extra) {

    /** Settings that belong to one family; {@link None} for GPT-2 and BERT. */
    public sealed interface Extra permits None, Llama, T5, NeoX {
    }

    /** Nothing beyond the common geometry. */
    public record None() implements Extra {
    }

    /**
     * LLaMA family.
     *
     * @param nKvHeads        key/value heads (grouped-query attention when fewer than the query heads)
     * @param ropeTheta       base of the rotary position frequencies
     * @param tiedEmbeddings  whether the unembedding is the token embedding (else {@code lm_head.weight})
     */
    public record Llama(int nKvHeads, double ropeTheta, boolean tiedEmbeddings, Variant variant) implements Extra {

        /** Plain LLaMA: no biases, d_model / n_head per head, causal attention in every layer. */
        public Llama(int nKvHeads, double ropeTheta, boolean tiedEmbeddings) {
            this(nKvHeads, ropeTheta, tiedEmbeddings, Variant.NONE);
        }

        public Llama {
            if (variant == null) {
                throw new IllegalArgumentException("variant is required (use Variant.NONE)");
            }
        }
    }

    /**
     * What the LLaMA variants (Qwen2, Qwen3, Mistral, Gemma 2) change, each a Hugging Face config.json setting; the
     * neutral values give plain LLaMA.
     *
     * @param headDim            {@code head_dim}: width of one head, or 0 for d_model / n_head (Qwen3 and Gemma 2 set
     *                           it, and H x head_dim may differ from d_model)
     * @param qkvBias            whether q_proj, k_proj and v_proj have biases (Qwen2 always; Qwen3, Gemma 2 with
     *                           {@code attention_bias})
     * @param outBias            whether o_proj has a bias (Qwen3, Gemma 2 with {@code attention_bias}; never Qwen2)
     * @param qkNorm             Qwen3: an RMSNorm over each head's h values of q and of k, before the rotation
     * @param slidingWindow      {@code sliding_window} W: a query sees the W positions up to itself (0: no window)
     * @param slidingLayers      per layer, whether the window applies there ({@code layer_types}); empty when none does
     * @param queryPreAttnScalar Gemma 2's {@code query_pre_attn_scalar}: scores times its ^-0.5 (0: 1/sqrt(h))
     * @param attnSoftcap        Gemma 2's {@code attn_logit_softcapping}: scores = cap tanh(scores / cap) (0: none)
     * @param finalSoftcap       Gemma 2's {@code final_logit_softcapping}: logits = cap tanh(logits / cap) (0: none)
     */
    public record Variant(int headDim, boolean qkvBias, boolean outBias, boolean qkNorm, int slidingWindow,
                          List<Boolean> slidingLayers, double queryPreAttnScalar, double attnSoftcap, double finalSoftcap) {

        /** Plain LLaMA. */
        public static final Variant NONE = new Variant(0, false, false, false, 0, List.of(), 0, 0, 0);

        public Variant {
            slidingLayers = List.copyOf(slidingLayers);
            require(headDim >= 0, "head_dim must be positive, was " + headDim);
            require(slidingWindow >= 0, "sliding_window must be positive, was " + slidingWindow);
            require(slidingLayers.isEmpty() || slidingWindow > 0, "layers with a sliding window need sliding_window");
            require(queryPreAttnScalar >= 0 && attnSoftcap >= 0 && finalSoftcap >= 0,
                    "query_pre_attn_scalar and the soft-capping values must be positive");
        }

        /** The sliding window of a layer, or 0 where the layer attends to every earlier position. */
        public int window(int layer) {
            return layer < slidingLayers.size() && slidingLayers.get(layer) ? slidingWindow : 0;
        }
    }

    /**
     * T5 encoder-decoder.
     *
     * @param dKv                 width of one head (T5 does not require heads x d_kv = d_model)
     * @param nDecoderLayers      blocks in the decoder stack ({@code nLayer} counts the encoder's)
     * @param buckets             relative position buckets
     * @param maxDistance         distance beyond which all relative positions share the last bucket
     * @param gatedGelu           gated-GELU feed-forward (v1.1, flan) instead of ReLU (original T5)
     * @param tiedEmbeddings      whether the unembedding is the shared embedding, scaled by d_model^-0.5
     * @param decoderStartTokenId the token the decoder starts from
     */
    public record T5(int dKv, int nDecoderLayers, int buckets, int maxDistance, boolean gatedGelu,
                     boolean tiedEmbeddings, int decoderStartTokenId) implements Extra {
    }

    /** Model families the engine runs: the one list the loaders, the app and the command line read. */
    public enum Architecture {
        /** Decoder, pre-norm, learned positions, causal attention, tied unembedding. */
        GPT2("gpt2", "GPT-2 decoder"),
        /** Decoder (Pythia), LayerNorm, partial rotary positions, fused per-head q/k/v, parallel or sequential residual. */
        GPT_NEOX("gpt_neox", "GPT-NeoX decoder (Pythia: partial RoPE, parallel residual)"),
        /** Encoder, post-norm, learned positions and segments, bidirectional attention with padding. */
        BERT("bert", "BERT encoder"),
        /** Decoder, pre-RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention, no biases. */
        LLAMA("llama", "LLaMA decoder (RoPE, SwiGLU, grouped-query attention)"),
        /** LLaMA with biases on q, k and v; a sliding window only when use_sliding_window. */
        QWEN2("qwen2", "Qwen2 decoder (LLaMA with q/k/v biases)"),
        /** LLaMA with an RMSNorm over each head of q and k before the rotation, and an explicit head width. */
        QWEN3("qwen3", "Qwen3 decoder (LLaMA with per-head q/k RMSNorm)"),
        /** LLaMA with sliding-window attention. */
        MISTRAL("mistral", "Mistral decoder (LLaMA with sliding-window attention)"),
        /**
         * Gemma 2: norms before and after attention and MLP, RMSNorm gains (1 + w), embeddings times sqrt(d_model),
         * GeGLU, soft-capped scores and logits, a sliding window on every other layer.
         */
        GEMMA2("gemma2", "Gemma 2 decoder (sandwich norms, soft-capping, alternating sliding window)"),
        /** Encoder-decoder with relative position buckets, RMS-style norm and cross-attention. */
        T5("t5", "T5 encoder-decoder");

        /** The {@code model_type} of a Hugging Face {@code config.json}. */
        public final String modelType;
        /** A few words for people. */
        public final String description;

        Architecture(String modelType, String description) {
            this.modelType = modelType;
            this.description = description;
        }

        /** "gpt2 (GPT-2 decoder), bert (BERT encoder), ...": what a folder's model_type may be. */
        public static String supported() {
            return String.join(", ", Arrays.stream(values())
                    .map(a -> a.modelType + " (" + a.description + ")").toList());
        }
    }

    /** A GPT-2 or BERT geometry (no family extras). */
    public ModelConfig(Architecture architecture, int nLayer, int nHead, int dModel, int dMlp, int nPositions,
                       int vocabSize, int typeVocabSize, double layerNormEps, Activation activation) {
        this(architecture, nLayer, nHead, dModel, dMlp, nPositions, vocabSize, typeVocabSize, layerNormEps, activation,
                new None());
    }

    /** A GPT-2 geometry (d_mlp = 4 d_model, no segments). */
    public ModelConfig(int nLayer, int nHead, int dModel, int nPositions, int vocabSize, double layerNormEps,
                       Activation activation) {
        this(Architecture.GPT2, nLayer, nHead, dModel, 4 * dModel, nPositions, vocabSize, 0, layerNormEps, activation);
    }

    /** MLP non-linearities, by their Hugging Face {@code activation_function} names. */
    public enum Activation {
        /** GPT-2's tanh approximation of GELU ({@code gelu_new}); differs from the erf form by up to ~5e-4. */
        GELU_NEW,
        /** The exact erf form of GELU ({@code gelu}). */
        GELU,
        RELU,
        /** x sigmoid(x), LLaMA's gate activation ({@code silu}). */
        SILU;

        static Activation fromHuggingFace(String name) {
            return switch (name) {
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_NEW;
                case "gelu" -> GELU;
                case "relu" -> RELU;
                case "silu", "swish" -> SILU;
                default -> throw new IllegalArgumentException(
                        "unsupported activation_function '" + name + "' (supported: gelu_new, gelu, relu, silu)");
            };
        }
    }

    public ModelConfig {
        require(architecture != null, "architecture is required");
        require(extra != null, "extra is required (use new ModelConfig.None())");
        require(dMlp > 0, "the MLP width must be positive, was " + dMlp);
        require(typeVocabSize >= 0, "type_vocab_size must not be negative, was " + typeVocabSize);
        require(nLayer > 0, "n_layer must be positive, was " + nLayer);
        require(nHead > 0, "n_head must be positive, was " + nHead);
        require(dModel > 0 && (architecture == Architecture.T5 || dModel % nHead == 0
                        || extra instanceof Llama l && l.variant().headDim() > 0),
                "n_embd (" + dModel + ") must be a positive multiple of n_head (" + nHead + ")");
        if (extra instanceof NeoX n) {
            n.check(dModel / nHead);
        }
        if (extra instanceof Llama l) {
            require(l.ropeTheta() > 1, "rope_theta must be greater than 1, was " + l.ropeTheta());
            require(l.nKvHeads() > 0 && nHead % l.nKvHeads() == 0,
                    "num_key_value_heads (" + l.nKvHeads() + ") must divide num_attention_heads (" + nHead + ")");
            require(l.variant().slidingLayers().isEmpty() || l.variant().slidingLayers().size() == nLayer,
                    "layer_types names " + l.variant().slidingLayers().size() + " layers, the model has " + nLayer);
        }
        if (extra instanceof T5 t) {
            require(t.dKv() > 0, "d_kv must be positive, was " + t.dKv());
            require(t.nDecoderLayers() > 0, "num_decoder_layers must be positive, was " + t.nDecoderLayers());
            require(t.buckets() >= 4 && t.maxDistance() > 0, "relative_attention_num_buckets must be >= 4 and "
                    + "relative_attention_max_distance positive, were " + t.buckets() + ", " + t.maxDistance());
        }
        require(nPositions > 0, "n_positions must be positive, was " + nPositions);
        require(vocabSize > 0, "vocab_size must be positive, was " + vocabSize);
        require(layerNormEps > 0, "layer_norm_epsilon must be positive, was " + layerNormEps);
    }

    /** Width of one head: d_model / n_head (T5: d_kv; LLaMA variants: head_dim when config.json states it). */
    public int dHead() {
        if (extra instanceof Llama l && l.variant().headDim() > 0) {
            return l.variant().headDim();
        }
        return extra instanceof T5 t ? t.dKv() : dModel / nHead;
    }

    /** Key/value heads: fewer than the query heads under grouped-query attention. */
    public int nKvHeads() {
        return extra instanceof Llama l ? l.nKvHeads() : nHead;
    }

    /**
     * The settings only this model's family has, under their Hugging Face {@code config.json} names, for records such as
     * a trace's manifest: LLaMA's {@code rope_theta} and {@code tie_word_embeddings}; T5's {@code tie_word_embeddings}
     * and a {@code t5} map (d_kv, num_decoder_layers, relative_attention_num_buckets, relative_attention_max_distance,
     * feed_forward, decoder_start_token_id). Empty for GPT-2 and BERT.
     */
    public Map<String, Object> familySettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        if (extra instanceof NeoX n) {
            settings.putAll(n.settings());
        }
        if (extra instanceof Llama l) {
            settings.put("rope_theta", l.ropeTheta());
            settings.put("tie_word_embeddings", l.tiedEmbeddings());
            Variant v = l.variant();
            if (!v.equals(Variant.NONE)) {
                settings.put("head_dim", dHead());
                settings.put("qkv_bias", v.qkvBias());
                settings.put("attention_bias", v.outBias());
                settings.put("qk_norm", v.qkNorm());
                settings.put("sliding_window", v.slidingWindow() > 0 ? v.slidingWindow() : null);
                settings.put("layer_types", v.slidingLayers().stream()
                        .map(s -> s ? "sliding_attention" : "full_attention").toList());
                if (architecture == Architecture.GEMMA2) {
                    settings.put("query_pre_attn_scalar", v.queryPreAttnScalar());
                    settings.put("attn_logit_softcapping", v.attnSoftcap() > 0 ? v.attnSoftcap() : null);
                    settings.put("final_logit_softcapping", v.finalSoftcap() > 0 ? v.finalSoftcap() : null);
                }
            }
        } else if (extra instanceof T5 t) {
            settings.put("tie_word_embeddings", t.tiedEmbeddings());
            Map<String, Object> t5 = new LinkedHashMap<>();
            t5.put("d_kv", t.dKv());
            t5.put("num_decoder_layers", t.nDecoderLayers());
            t5.put("relative_attention_num_buckets", t.buckets());
            t5.put("relative_attention_max_distance", t.maxDistance());
            t5.put("feed_forward", t.gatedGelu() ? "gated-gelu" : "relu");
            t5.put("decoder_start_token_id", t.decoderStartTokenId());
            settings.put("t5", t5);
        }
        return settings;
    }

    /** A copy with another number of layers (for small test and benchmark models). */
    public ModelConfig withLayers(int layers) {
        return new ModelConfig(architecture, layers, nHead, dModel, dMlp, nPositions, vocabSize, typeVocabSize,
                layerNormEps, activation, extra);
    }

    /** Whether the model is a decoder-only stack whose queries attend only to earlier positions. */
    public boolean causal() {
        return architecture == Architecture.GPT2 || architecture == Architecture.GPT_NEOX
                || architecture == Architecture.LLAMA
                || extra instanceof Llama; // the LLaMA variants: Qwen2, Qwen3, Mistral, Gemma 2
    }

    /** Whether the model is an encoder-decoder (T5): a source read by an encoder, a target generated by a decoder. */
    public boolean encoderDecoder() {
        return architecture == Architecture.T5;
    }

    /** Whether the model generates tokens (decoders and encoder-decoders; not encoders). */
    public boolean generates() {
        return causal() || encoderDecoder();
    }

    /**
     * T5 has no learned position table, so no length limit of its own; the engine caps a sequence (source and
     * target alike) at this many positions unless config.json states {@code n_positions}: long enough for the
     * sequences T5 was trained on (512), short enough that a KV cache and a trace stay small.
     */
    public static final int T5_DEFAULT_POSITIONS = 512;

    /** GPT-2 small's geometry: 12 layers, 12 heads, d_model 768, 1024 positions, 50257 tokens. */
    public static ModelConfig gpt2Small() {
        return new ModelConfig(12, 12, 768, 1024, 50257, 1e-5, Activation.GELU_NEW);
    }

    /**
     * The reader of config.json, bounded: a config is a few kilobytes of flat keys, so deeper nesting, longer strings or
     * a larger file than these are not a config, and refusing them early keeps a hostile file from costing memory or
     * time (and from being quoted whole in a message).
     */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)             // configs nest two or three levels (rope_parameters, t5 maps)
                    .maxStringLength(64 * 1024)      // the longest values are names and architectures lists
                    .maxDocumentLength(16L << 20)    // 16 MiB: a thousand times a real config
                    .build())
            .build()).build();

    /**
     * Reads a Hugging Face {@code config.json} of a supported family ({@code model_type} gpt2, bert, llama, qwen2,
     * qwen3, mistral, gemma2, t5). Every
     * missing or malformed key is reported at once, with the file's path, so a user can fix the file in one go.
     */
    public static ModelConfig read(Path configJson) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configJson, "config is not a JSON object");
        }
        String type = root.path("model_type").asText("gpt2");
        List<String> problems = new ArrayList<>();
        try {
            return switch (type) {
                case "gpt2" -> {
                    rejectUnless(root, configJson, "scale_attn_weights", true);
                    rejectUnless(root, configJson, "scale_attn_by_inverse_layer_idx", false);
                    rejectUnless(root, configJson, "tie_word_embeddings", true);
                    int nEmbd = intKey(root, "n_embd", problems);
                    int nInner = root.path("n_inner").isIntegralNumber() ? root.get("n_inner").asInt() : 4 * nEmbd;
                    yield new ModelConfig(Architecture.GPT2, intKey(root, "n_layer", problems),
                            intKey(root, "n_head", problems), nEmbd, nInner, intKey(root, "n_positions", problems),
                            intKey(root, "vocab_size", problems), 0, doubleKey(root, "layer_norm_epsilon", 1e-5),
                            Activation.fromHuggingFace(root.path("activation_function").asText("gelu_new")));
                }
                case "gpt_neox" -> NeoXConfig.read(root, configJson, problems);
                case "bert" -> {
                    if (!root.path("position_embedding_type").asText("absolute").equals("absolute")) {
                        throw new ModelFormatException(configJson, "position_embedding_type '"
                                + root.get("position_embedding_type").asText() + "' is not supported (only absolute)");
                    }
                    yield new ModelConfig(Architecture.BERT, intKey(root, "num_hidden_layers", problems),
                        intKey(root, "num_attention_heads", problems), intKey(root, "hidden_size", problems),
                        intKey(root, "intermediate_size", problems), intKey(root, "max_position_embeddings", problems),
                        intKey(root, "vocab_size", problems), root.path("type_vocab_size").asInt(2),
                        doubleKey(root, "layer_norm_eps", 1e-12),
                        Activation.fromHuggingFace(root.path("hidden_act").asText("gelu")));
                }
                case "llama" -> {
                    rejectUnless(root, configJson, "attention_bias", false);
                    rejectUnless(root, configJson, "mlp_bias", false);
                    if (root.hasNonNull("rope_scaling")) {
                        throw new ModelFormatException(configJson, "rope_scaling is not supported yet (plain RoPE only)");
                    }
                    int hidden = intKey(root, "hidden_size", problems);
                    int heads = intKey(root, "num_attention_heads", problems);
                    if (root.has("head_dim") && heads > 0 && root.get("head_dim").asInt() * heads != hidden) {
                        throw new ModelFormatException(configJson, "head_dim " + root.get("head_dim").asInt()
                                + " x " + heads + " heads != hidden_size " + hidden + ": not supported");
                    }
                    yield new ModelConfig(Architecture.LLAMA, intKey(root, "num_hidden_layers", problems), heads, hidden,
                            intKey(root, "intermediate_size", problems), intKey(root, "max_position_embeddings", problems),
                            intKey(root, "vocab_size", problems), 0, doubleKey(root, "rms_norm_eps", 1e-6),
                            Activation.fromHuggingFace(root.path("hidden_act").asText("silu")),
                            new Llama(root.path("num_key_value_heads").asInt(heads), LlamaVariants.ropeTheta(root, configJson),
                                    root.path("tie_word_embeddings").asBoolean(false)));
                }
                case "qwen2", "qwen3", "mistral", "gemma2" -> LlamaVariants.read(root, configJson, type, problems);
                case "t5" -> {
                    String proj = root.path("feed_forward_proj").asText("relu");
                    if (!proj.equals("relu") && !proj.equals("gated-gelu")) {
                        throw new ModelFormatException(configJson, "feed_forward_proj '" + proj
                                + "' is not supported yet (supported: relu, gated-gelu)");
                    }
                    boolean gated = proj.equals("gated-gelu");
                    int layers = intKey(root, "num_layers", problems);
                    yield new ModelConfig(Architecture.T5, layers, intKey(root, "num_heads", problems),
                            intKey(root, "d_model", problems), intKey(root, "d_ff", problems),
                            root.path("n_positions").isIntegralNumber() ? root.get("n_positions").asInt() : T5_DEFAULT_POSITIONS,
                            intKey(root, "vocab_size", problems), 0, doubleKey(root, "layer_norm_epsilon", 1e-6),
                            gated ? Activation.GELU_NEW : Activation.RELU,
                            new T5(intKey(root, "d_kv", problems),
                                    root.path("num_decoder_layers").isIntegralNumber() ? root.get("num_decoder_layers").asInt() : layers,
                                    root.path("relative_attention_num_buckets").asInt(32),
                                    root.path("relative_attention_max_distance").asInt(128), gated,
                                    root.path("tie_word_embeddings").asBoolean(true),
                                    root.path("decoder_start_token_id").asInt(root.path("pad_token_id").asInt(0))));
                }
                default -> throw new ModelFormatException(configJson,
                        "model_type '" + ModelFormatException.cut(type, 80) + "' is not supported yet (supported: " + Architecture.supported() + ")");
            };
        } catch (IllegalArgumentException e) {
            if (!problems.isEmpty()) {
                throw new ModelFormatException(configJson, String.join("; ", problems));
            }
            throw new ModelFormatException(configJson, e.getMessage());
        }
    }

    /** Refuses a flag set to the value whose math the engine does not implement, rather than ignoring it. */
    static void rejectUnless(JsonNode root, Path configJson, String key, boolean supported) {
        JsonNode v = root.get(key);
        if (v != null && v.isBoolean() && v.asBoolean() != supported) {
            throw new ModelFormatException(configJson, key + " = " + v.asBoolean() + " is not supported yet (only "
                    + supported + ")");
        }
    }

    static double doubleKey(JsonNode root, String key, double fallback) {
        return root.path(key).isNumber() ? root.get(key).asDouble() : fallback;
    }

    static int intKey(JsonNode root, String key, List<String> problems) {
        JsonNode n = root.get(key);
        if (n == null) {
            problems.add("missing key '" + key + "'");
            return 0;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            problems.add("key '" + key + "' must be an integer, was " + n);
            return 0;
        }
        return n.asInt();
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
