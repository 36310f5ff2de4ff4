package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.ROT_K;
import static dev.attnstudio.engine.hooks.HookName.Block.V;
import static dev.attnstudio.engine.hooks.HookName.Model.*;

/**
 * A GPT-NeoX decoder (Hugging Face {@code GPTNeoXForCausalLM}: Pythia, GPT-NeoX-20B): token embedding
 * {@code embed_in}, n blocks, final LayerNorm, unembedding {@code embed_out} (or {@code embed_in} when tied). Each block
 * has LayerNorms with biases, attention with biases whose queries and keys rotate by position in their first
 * {@code int(d_head rotary_pct)} coordinates only ({@link Rotary}), and a plain GELU MLP; it is a
 * {@link ParallelBlock} (x + attn(ln1(x)) + mlp(ln2(x))) when {@code use_parallel_residual}, else a
 * {@link PreNormBlock} (GPT-2's order). No position embedding: positions enter only through the rotation.
 *
 * <p>The checkpoint fuses q, k and v into one {@code attention.query_key_value} Linear [3d, d] whose output axis is
 * laid out per head: Hugging Face views its output [B, T, H, 3h] and chunks the last axis into q | k | v, so output
 * row {@code head * 3h + j * h + e} is coordinate e of head {@code head} of part j (0 q, 1 k, 2 v). The loader splits
 * it once into three [d, d] Linears (rows {@code head * h + e}), the layout {@link Attention} reads.
 */
public final class NeoXModel implements TransformerModel {

    /** The prefix of the base model's tensors in a {@code GPTNeoXForCausalLM} checkpoint. */
    static final String PREFIX = "gpt_neox.";

    private final ModelConfig config;
    private final NeoX neox;
    private final NDManager manager;
    private final NDArray embedIn;                 // [V, d]
    private final List<Block> blocks;
    private final Norm finalNorm;
    private final NDArray embedOut;                // [V, d]; embedIn itself when tied
    private final Map<String, NDArray> parameters; // checkpoint name -> the array the forward uses

    private NeoXModel(ModelConfig config, NDManager manager, NDArray embedIn, List<Block> blocks, Norm finalNorm,
                      NDArray embedOut, Map<String, NDArray> parameters) {
        this.config = config;
        this.neox = (NeoX) config.extra();
        this.manager = manager;
        this.embedIn = embedIn;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.embedOut = embedOut;
        this.parameters = parameters;
    }

    /**
     * The checkpoint's tensors under {@code GPTNeoXForCausalLM} names ({@code gpt_neox.layers.0.attention.query_key_value.weight},
     * ..., {@code embed_out.weight}), or without the {@code gpt_neox.} prefix for a bare {@code GPTNeoXModel}; every
     * Linear a torch [out, in]. Biases on {@code query_key_value} and {@code dense} only with {@code attention_bias};
     * no {@code embed_out.weight} when tied. Other tensors old checkpoints carry ({@code attention.bias},
     * {@code attention.masked_bias}, {@code attention.rotary_emb.inv_freq}: buffers, not weights) are not read.
     */
    static WeightTable weights(ModelConfig c) {
        NeoX neox = (NeoX) c.extra();
        long d = c.dModel();
        long m = c.dMlp();
        WeightTable t = new WeightTable(name -> List.of(name, name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name))
                .add(PREFIX + "embed_in.weight", c.vocabSize(), d);
        for (int i = 0; i < c.nLayer(); i++) {
            String l = PREFIX + "layers." + i + ".";
            t.add(l + "input_layernorm.weight", d).add(l + "input_layernorm.bias", d)
                    .add(l + "post_attention_layernorm.weight", d).add(l + "post_attention_layernorm.bias", d)
                    .add(l + "attention.query_key_value.weight", 3 * d, d);
            if (neox.attentionBias()) {
                t.add(l + "attention.query_key_value.bias", 3 * d);
            }
            t.add(l + "attention.dense.weight", d, d);
            if (neox.attentionBias()) {
                t.add(l + "attention.dense.bias", d);
            }
            t.add(l + "mlp.dense_h_to_4h.weight", m, d).add(l + "mlp.dense_h_to_4h.bias", m)
                    .add(l + "mlp.dense_4h_to_h.weight", d, m).add(l + "mlp.dense_4h_to_h.bias", d);
        }
        t.add(PREFIX + "final_layer_norm.weight", d).add(PREFIX + "final_layer_norm.bias", d);
        if (!neox.tiedEmbeddings()) {
            t.add("embed_out.weight", c.vocabSize(), d);
        }
        return t;
    }

    /**
     * Builds the model from a checkpoint laid out as {@link #weights} says; every tensor's shape is checked and each fused
     * {@code query_key_value} tensor is split into its q, k and v parts.
     */
    public static NeoXModel load(ModelConfig config, WeightSource source, NDManager parent) {
        if (!(config.extra() instanceof NeoX neox)) {
            throw new IllegalArgumentException("not a GPT-NeoX config: " + config.architecture());
        }
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> w = splitFusedQkv(weights(config).load(source, m).arrays(), config);
            double eps = config.layerNormEps();
            int dHead = config.dHead();
            Rotary rotary = new Rotary(dHead, neox.rotaryDims(dHead), neox.ropeTheta());
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = PREFIX + "layers." + i + ".";
                String qkv = l + "attention.query_key_value.";
                Attention attn = new Attention(part(w, qkv, "/q"), part(w, qkv, "/k"), part(w, qkv, "/v"),
                        linear(w, l + "attention.dense"), config.nHead(), config.nHead(), rotary, true);
                Mlp mlp = Mlp.plain(linear(w, l + "mlp.dense_h_to_4h"), linear(w, l + "mlp.dense_4h_to_h"),
                        config.activation());
                Norm ln1 = layerNorm(w, l + "input_layernorm", eps);
                Norm ln2 = layerNorm(w, l + "post_attention_layernorm", eps);
                blocks.add(neox.parallelResidual() ? new ParallelBlock(ln1, attn, ln2, mlp) : new PreNormBlock(ln1, attn, ln2, mlp));
            }
            NDArray embed = w.get(PREFIX + "embed_in.weight");
            NDArray embedOut = neox.tiedEmbeddings() ? embed : w.get("embed_out.weight");
            return new NeoXModel(config, m, embed, List.copyOf(blocks),
                    layerNorm(w, PREFIX + "final_layer_norm", eps), embedOut, Collections.unmodifiableMap(w));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Replaces every fused {@code query_key_value} weight [3d, d] and bias [3d] by its parts {@code <name>/q},
     * {@code /k}, {@code /v} ([d, d] and [d]), in place in the checkpoint order: [3d, ...] -> [H, 3, h, ...] -> part j
     * [H, h, ...] -> [d, ...]. The parts are copies; the fused arrays are freed.
     */
    private static Map<String, NDArray> splitFusedQkv(Map<String, NDArray> loaded, ModelConfig c) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        long heads = c.nHead();
        long h = c.dHead();
        for (Map.Entry<String, NDArray> e : loaded.entrySet()) {
            if (!e.getKey().contains(".attention.query_key_value.")) {
                out.put(e.getKey(), e.getValue());
                continue;
            }
            NDArray fused = e.getValue();                        // [3d, d] or [3d]
            boolean weight = fused.getShape().dimension() == 2;
            NDArray perHead = weight ? fused.reshape(heads, 3, h, fused.getShape().get(1)) // [H, 3, h, d]
                    : fused.reshape(heads, 3, h);                                          // [H, 3, h]
            for (int j = 0; j < 3; j++) {
                NDArray part = perHead.get(new NDIndex(":, {}", j));                      // [H, h, d] or [H, h]
                NDArray flat = weight ? part.reshape(heads * h, fused.getShape().get(1)) : part.reshape(heads * h);
                out.put(e.getKey() + WeightTable.QKV_PARTS.get(j), HalfWeights.sameKind(fused, flat.duplicate())); // a copy
                flat.close();
                part.close();
            }
            perHead.close();
            fused.close();
        }
        return out;
    }

    private static Linear part(Map<String, NDArray> w, String fused, String part) {
        return Linear.outIn(w.get(fused + "weight" + part), w.get(fused + "bias" + part));
    }

    /** A torch Linear [out, in] with its bias, or none when the checkpoint has none. */
    private static Linear linear(Map<String, NDArray> w, String name) {
        return Linear.outIn(w.get(name + ".weight"), w.get(name + ".bias"));
    }

    private static LayerNorm layerNorm(Map<String, NDArray> w, String name, double eps) {
        return new LayerNorm(w.get(name + ".weight"), w.get(name + ".bias"), eps);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities(config);
    }

    /** What a model of this family and config can do, known before its weights load. */
    public static Capabilities capabilities(ModelConfig config) {
        return new Capabilities("gpt_neox", List.of(new Capabilities.Stack(null, config.nLayer(), true, false)), true,
                false, true, -1, config.nHead(), config.nHead(), config.dHead(), config.nLayer(), true);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public String outputHook() {
        return LOGITS.id;
    }

    /** The cache holds rotated keys (what the scores read), so a decode pass never re-rotates the past. */
    @Override
    public String cacheKeyHook(int layer) {
        return ROT_K.at(layer);
    }

    /**
     * Every weight by its {@code GPTNeoXForCausalLM} name, in checkpoint order, with the stored shape ([out, in]): the
     * arrays the forward pass multiplies with, so updating one in place changes the model. The one exception is
     * {@code query_key_value}, held as three arrays {@code gpt_neox.layers.N.attention.query_key_value.weight/q},
     * {@code /k}, {@code /v} ([d, d] each, rows head * h + e) and {@code .bias/q}, {@code /k}, {@code /v} ([d] each).
     */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The steps of one forward pass, from token ids [B, T] to logits [B, T, V].
     *
     * @throws IllegalArgumentException if the pass runs past max_position_embeddings
     */
    @Override
    public Program program(Pass pass) {
        pass.requireWithin(config.nPositions(), "max_position_embeddings");
        Program.Builder p = new Program.Builder(pass, config.nHead(), config.nHead());
        p.derivable(EMBED.id, LN_FINAL_NORMALIZED.id);
        p.group("embed").site(null, -1, Op.SubLayer.EMBED);
        p.op(EMBED.id, Op.Kind.EMBED, "W_E[token]: one row of embed_in per token (no position embedding: positions "
                + "rotate part of q and k)", (in, m) -> HalfWeights.rows(embedIn, in.get(0)), Program.INPUT_IDS);
        String last = Block.addStack(p, null, blocks, new Block.Context(pass, MaskRule.CAUSAL, null, null),
                "the token embeddings", true, EMBED.id);

        p.group("unembed").site(null, -1, Op.SubLayer.UNEMBED);
        finalNorm.addStep(p, LN_FINAL_NORMALIZED.id, last, null);
        p.op(LOGITS.id, Op.Kind.UNEMBED, neox.tiedEmbeddings() ? "logits = x W_U, with W_U = W_E^T (tied)"
                : "logits = x W_U, with W_U = embed_out^T", x -> HalfWeights.times(x, embedOut, true), LN_FINAL_NORMALIZED.id);
        p.keep(LOGITS.id);
        if (pass.cache() != null) {
            for (int i = 0; i < blocks.size(); i++) {
                p.keep(cacheKeyHook(i)).keep(V.at(i));
            }
        }
        return p.build();
    }

    @Override
    public void close() {
        manager.close();
    }
}
