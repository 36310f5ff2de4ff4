package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.ROT_K;
import static dev.attnstudio.engine.hooks.HookName.Block.V;
import static dev.attnstudio.engine.hooks.HookName.Model.*;

/**
 * A LLaMA-family decoder (Hugging Face {@code LlamaForCausalLM} without rope scaling): token embedding, n
 * {@link PreNormBlock}s (RMSNorm, attention with rotary positions and grouped keys and values, RMSNorm, SwiGLU MLP),
 * final RMSNorm, unembedding (tied to the embedding or {@code lm_head}). No biases and no position embedding.
 *
 * <p>Weights stay in the layout the checkpoint stores ([out, in] for every projection), so {@link #parameters()}
 * hands out the checkpoint's own tensors under their own names. They live in the model's NDManager until
 * {@link #close()}.
 */
public final class LlamaModel implements TransformerModel {

    private final ModelConfig config;
    private final ModelConfig.Llama llama;
    private final NDManager manager;
    private final NDArray embedTokens;            // [V, d]
    private final List<PreNormBlock> blocks;
    private final Norm norm;
    private final NDArray lmHead;                 // [V, d]; embedTokens itself when tied
    private final Map<String, NDArray> parameters; // checkpoint name -> the array the forward uses

    private LlamaModel(ModelConfig config, NDManager manager, NDArray embedTokens, List<PreNormBlock> blocks, Norm norm,
                       NDArray lmHead, Map<String, NDArray> parameters) {
        this.config = config;
        this.llama = (ModelConfig.Llama) config.extra();
        this.manager = manager;
        this.embedTokens = embedTokens;
        this.blocks = blocks;
        this.norm = norm;
        this.lmHead = lmHead;
        this.parameters = parameters;
    }

    /**
     * The checkpoint's tensors ({@code model.layers.0.self_attn.q_proj.weight} ..., or without the {@code model.}
     * prefix for a bare {@code LlamaModel}), every projection a torch Linear [out, in] without bias. With tied
     * embeddings a stored {@code lm_head.weight} is ignored.
     */
    static WeightTable weights(ModelConfig c) {
        long d = c.dModel();
        long q = (long) c.nHead() * c.dHead();    // H h
        long kv = (long) c.nKvHeads() * c.dHead(); // Hkv h
        long mlp = c.dMlp();
        WeightTable t = new WeightTable(name -> List.of(name, name.startsWith("model.") ? name.substring(6) : name))
                .add("model.embed_tokens.weight", c.vocabSize(), d);
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "model.layers." + i + ".";
            t.add(l + "input_layernorm.weight", d)
                    .add(l + "self_attn.q_proj.weight", q, d).add(l + "self_attn.k_proj.weight", kv, d)
                    .add(l + "self_attn.v_proj.weight", kv, d).add(l + "self_attn.o_proj.weight", d, q)
                    .add(l + "post_attention_layernorm.weight", d)
                    .add(l + "mlp.gate_proj.weight", mlp, d).add(l + "mlp.up_proj.weight", mlp, d)
                    .add(l + "mlp.down_proj.weight", d, mlp);
        }
        t.add("model.norm.weight", d);
        if (!((ModelConfig.Llama) c.extra()).tiedEmbeddings()) {
            t.add("lm_head.weight", c.vocabSize(), d);
        }
        return t;
    }

    /** Builds the model from a checkpoint laid out as {@link #weights} says; every tensor's shape is checked. */
    public static LlamaModel load(ModelConfig config, WeightSource source, NDManager parent) {
        if (!(config.extra() instanceof ModelConfig.Llama llama)) {
            throw new IllegalArgumentException("not a LLaMA config: " + config.architecture());
        }
        NDManager m = parent.newSubManager();
        try {
            WeightTable.Weights w = weights(config).load(source, m);
            double eps = config.layerNormEps();
            Rotary rotary = new Rotary(config.dHead(), llama.ropeTheta());
            List<PreNormBlock> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = "model.layers." + i + ".";
                Attention attn = new Attention(linear(w, l + "self_attn.q_proj"), linear(w, l + "self_attn.k_proj"),
                        linear(w, l + "self_attn.v_proj"), linear(w, l + "self_attn.o_proj"),
                        config.nHead(), config.nKvHeads(), rotary, true);
                Mlp ffn = Mlp.gated(linear(w, l + "mlp.gate_proj"), linear(w, l + "mlp.up_proj"),
                        linear(w, l + "mlp.down_proj"), config.activation());
                blocks.add(new PreNormBlock(new RmsNorm(w.get(l + "input_layernorm.weight"), eps), attn,
                        new RmsNorm(w.get(l + "post_attention_layernorm.weight"), eps), ffn));
            }
            NDArray embed = w.get("model.embed_tokens.weight");
            NDArray lmHead = llama.tiedEmbeddings() ? embed : w.get("lm_head.weight");
            return new LlamaModel(config, m, embed, List.copyOf(blocks), new RmsNorm(w.get("model.norm.weight"), eps),
                    lmHead, w.arrays());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static Linear linear(WeightTable.Weights w, String name) {
        return Linear.outIn(w.get(name + ".weight"), null);
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
        return new Capabilities("llama", List.of(new Capabilities.Stack(null, config.nLayer(), true, false)), true,
                false, true, -1, config.nHead(), config.nKvHeads(), config.dHead(), config.nLayer(), true);
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
     * Every weight by its checkpoint name ({@code model.layers.0...}, {@code lm_head.weight}), in checkpoint order,
     * with the stored shape ([out, in] projections): the arrays the forward pass multiplies with, so updating one in
     * place changes the model.
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
        if (pass.keys() > config.nPositions()) {
            throw new IllegalArgumentException("the sequence would be " + pass.keys() + " tokens long; this model reads at most "
                    + config.nPositions() + " (max_position_embeddings)");
        }
        Program.Builder p = new Program.Builder(pass, config.nHead(), config.nKvHeads());
        p.derivable(EMBED.id, LN_FINAL_NORMALIZED.id);
        p.group("embed").site(null, -1, Op.SubLayer.EMBED);
        p.op(EMBED.id, Op.Kind.EMBED, "W_E[token]: one row of the token embedding per token (no position embedding: "
                + "positions rotate q and k)", (in, m) -> embedTokens.get(in.get(0)), Program.INPUT_IDS);
        String last = Block.addStack(p, null, blocks, new Block.Context(pass, MaskRule.CAUSAL, null, null),
                "the token embeddings", true, EMBED.id);

        p.group("unembed").site(null, -1, Op.SubLayer.UNEMBED);
        norm.addStep(p, LN_FINAL_NORMALIZED.id, last, null);
        p.op(LOGITS.id, Op.Kind.UNEMBED, llama.tiedEmbeddings() ? "logits = x W_U, with W_U = W_E^T (tied)"
                : "logits = x W_U, with W_U = lm_head^T", x -> x.matMul(lmHead.transpose()), LN_FINAL_NORMALIZED.id);
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
