package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.attnstudio.engine.hooks.HookName.Block.ROT_K;
import static dev.attnstudio.engine.hooks.HookName.Block.V;
import static dev.attnstudio.engine.hooks.HookName.Model.*;

/**
 * A LLaMA-family decoder (Hugging Face {@code LlamaForCausalLM} without rope scaling): token embedding, n
 * {@link PreNormBlock}s (RMSNorm, attention with rotary positions and grouped keys and values, RMSNorm, SwiGLU MLP),
 * final RMSNorm, unembedding (tied to the embedding or {@code lm_head}). No biases and no position embedding.
 *
 * <p>The same class runs the LLaMA variants, as their {@link ModelConfig.Variant} says (Hugging Face's
 * {@code modeling_qwen2.py}, {@code modeling_qwen3.py}, {@code modeling_mistral.py}, {@code modeling_gemma2.py}):
 * <ul>
 *   <li>Qwen2: biases on q, k and v;</li>
 *   <li>Qwen3: an RMSNorm over each head of q and k before the rotation, an explicit head width, optional biases;</li>
 *   <li>Mistral: a sliding window of keys, part of each layer's mask;</li>
 *   <li>Gemma 2: embeddings times sqrt(d_model), RMSNorm gains (1 + w), {@link SandwichBlock}s (norms before and after
 *       attention and MLP), GeGLU, scores times query_pre_attn_scalar^-0.5 and soft-capped, a sliding window on the
 *       even layers, soft-capped logits.</li>
 * </ul>
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
    private final List<? extends Block> blocks;
    private final Norm norm;
    private final NDArray lmHead;                 // [V, d]; embedTokens itself when tied
    private final Map<String, NDArray> parameters; // checkpoint name -> the array the forward uses

    private LlamaModel(ModelConfig config, NDManager manager, NDArray embedTokens, List<? extends Block> blocks, Norm norm,
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
     * embeddings a stored {@code lm_head.weight} is ignored. The variants add biases [out] (Qwen2's q, k, v; Qwen3's and
     * Gemma 2's with attention_bias), Qwen3's {@code q_norm}, {@code k_norm} [h], and Gemma 2's
     * {@code pre_feedforward_layernorm}, {@code post_feedforward_layernorm} [d].
     */
    static WeightTable weights(ModelConfig c) {
        ModelConfig.Variant variant = ((ModelConfig.Llama) c.extra()).variant();
        boolean gemma = c.architecture() == ModelConfig.Architecture.GEMMA2;
        long h = c.dHead();
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
                    .add(l + "self_attn.v_proj.weight", kv, d).add(l + "self_attn.o_proj.weight", d, q);
            if (variant.qkvBias()) {
                t.add(l + "self_attn.q_proj.bias", q).add(l + "self_attn.k_proj.bias", kv).add(l + "self_attn.v_proj.bias", kv);
            }
            if (variant.outBias()) {
                t.add(l + "self_attn.o_proj.bias", d);
            }
            if (variant.qkNorm()) {
                t.add(l + "self_attn.q_norm.weight", h).add(l + "self_attn.k_norm.weight", h);
            }
            t.add(l + "post_attention_layernorm.weight", d);
            if (gemma) {
                t.add(l + "pre_feedforward_layernorm.weight", d).add(l + "post_feedforward_layernorm.weight", d);
            }
            t.add(l + "mlp.gate_proj.weight", mlp, d).add(l + "mlp.up_proj.weight", mlp, d)
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
            ModelConfig.Variant variant = llama.variant();
            boolean gemma = config.architecture() == ModelConfig.Architecture.GEMMA2;
            Rotary rotary = new Rotary(config.dHead(), llama.ropeTheta());
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = "model.layers." + i + ".";
                Attention.Tweaks tweaks = new Attention.Tweaks(
                        variant.qkNorm() ? headNorm(w.get(l + "self_attn.q_norm.weight"), eps) : null,
                        variant.qkNorm() ? headNorm(w.get(l + "self_attn.k_norm.weight"), eps) : null,
                        variant.queryPreAttnScalar(), variant.attnSoftcap(), variant.window(i));
                Attention attn = new Attention(linear(w, l + "self_attn.q_proj", variant.qkvBias()),
                        linear(w, l + "self_attn.k_proj", variant.qkvBias()), linear(w, l + "self_attn.v_proj", variant.qkvBias()),
                        linear(w, l + "self_attn.o_proj", variant.outBias()), config.nHead(), config.nKvHeads(), rotary,
                        true, tweaks);
                Mlp ffn = Mlp.gated(linear(w, l + "mlp.gate_proj", false), linear(w, l + "mlp.up_proj", false),
                        linear(w, l + "mlp.down_proj", false), config.activation());
                if (gemma) {
                    blocks.add(new SandwichBlock(gemmaNorm(w.get(l + "input_layernorm.weight"), eps), attn,
                            gemmaNorm(w.get(l + "post_attention_layernorm.weight"), eps),
                            gemmaNorm(w.get(l + "pre_feedforward_layernorm.weight"), eps), ffn,
                            gemmaNorm(w.get(l + "post_feedforward_layernorm.weight"), eps)));
                } else {
                    blocks.add(new PreNormBlock(new RmsNorm(w.get(l + "input_layernorm.weight"), eps), attn,
                            new RmsNorm(w.get(l + "post_attention_layernorm.weight"), eps), ffn));
                }
            }
            NDArray embed = w.get("model.embed_tokens.weight");
            NDArray lmHead = llama.tiedEmbeddings() ? embed : w.get("lm_head.weight");
            NDArray finalGain = w.get("model.norm.weight");
            return new LlamaModel(config, m, embed, List.copyOf(blocks),
                    gemma ? gemmaNorm(finalGain, eps) : new RmsNorm(finalGain, eps), lmHead, w.arrays());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static Linear linear(WeightTable.Weights w, String name, boolean bias) {
        return Linear.outIn(w.get(name + ".weight"), bias ? w.get(name + ".bias") : null);
    }

    /** Gemma's RMSNorm over d_model, gains (1 + w). */
    private static Norm gemmaNorm(NDArray weight, double eps) {
        return new RmsNorm(weight, eps, true, "d_model");
    }

    /** Qwen3's q_norm / k_norm: an RMSNorm over the h values of each head. */
    private static Norm headNorm(NDArray weight, double eps) {
        return new RmsNorm(weight, eps, false, "each head's h values");
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
        ModelConfig.Variant v = ((ModelConfig.Llama) config.extra()).variant();
        List<Integer> windows = v.slidingLayers().isEmpty() ? List.of()
                : IntStream.range(0, config.nLayer()).map(v::window).boxed().toList();
        return new Capabilities(config.architecture().modelType, List.of(new Capabilities.Stack(null, config.nLayer(), true,
                false)), true, false, true, -1, config.nHead(), config.nKvHeads(), config.dHead(), config.nLayer(), true,
                windows);
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
        pass.requireWithin(config.nPositions(), "max_position_embeddings");
        Program.Builder p = new Program.Builder(pass, config.nHead(), config.nKvHeads());
        p.derivable(EMBED.id, LN_FINAL_NORMALIZED.id);
        p.group("embed").site(null, -1, Op.SubLayer.EMBED);
        if (config.architecture() == ModelConfig.Architecture.GEMMA2) {
            // Gemma2Model: inputs_embeds * torch.tensor(hidden_size ** 0.5, dtype): the normalizer rounded to the dtype
            float normalizer = (float) Math.sqrt(config.dModel());
            p.op(EMBED.id, Op.Kind.EMBED, String.format(Locale.ROOT, "W_E[token] * sqrt(d_model) = W_E[token] * %.6g: one "
                    + "scaled row of the token embedding per token (no position embedding: positions rotate q and k)",
                    normalizer), (in, m) -> HalfWeights.rows(embedTokens, in.get(0)).mul(m.full(new Shape(), normalizer)), Program.INPUT_IDS);
        } else {
            p.op(EMBED.id, Op.Kind.EMBED, "W_E[token]: one row of the token embedding per token (no position embedding: "
                    + "positions rotate q and k)", (in, m) -> HalfWeights.rows(embedTokens, in.get(0)), Program.INPUT_IDS);
        }
        String last = Block.addStack(p, null, blocks, new Block.Context(pass, MaskRule.CAUSAL, null, null),
                "the token embeddings", true, EMBED.id);

        p.group("unembed").site(null, -1, Op.SubLayer.UNEMBED);
        norm.addStep(p, LN_FINAL_NORMALIZED.id, last, null);
        String unembed = llama.tiedEmbeddings() ? "logits = x W_U, with W_U = W_E^T (tied)" : "logits = x W_U, with W_U = lm_head^T";
        float cap = (float) llama.variant().finalSoftcap();
        if (cap > 0) {
            p.op(LOGITS_UNCAPPED.id, Op.Kind.UNEMBED, unembed + ", before the final soft-capping",
                    x -> HalfWeights.times(x, lmHead, true), LN_FINAL_NORMALIZED.id);
            p.op(LOGITS.id, Op.Kind.SOFTCAP, String.format(Locale.ROOT, "logits = %s tanh(logits_uncapped / %s): every logit "
                    + "within (-%s, %s) (final_logit_softcapping)", Attention.trim(cap), Attention.trim(cap),
                    Attention.trim(cap), Attention.trim(cap)), x -> Attention.softcap(x, cap), LOGITS_UNCAPPED.id);
        } else {
            p.op(LOGITS.id, Op.Kind.UNEMBED, unembed, x -> HalfWeights.times(x, lmHead, true), LN_FINAL_NORMALIZED.id);
        }
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
