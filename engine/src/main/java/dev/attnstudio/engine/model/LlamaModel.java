package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.runtime.Tensors;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Model.*;
import static dev.attnstudio.engine.model.Parameters.take;

/**
 * A LLaMA-family decoder (Hugging Face {@code LlamaForCausalLM} without rope scaling): token embedding, n pre-norm
 * blocks (RMSNorm, attention with rotary positions and grouped keys and values, RMSNorm, SwiGLU MLP), final
 * RMSNorm, unembedding (tied to the embedding or {@code lm_head}). No biases and no position embedding.
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
    private final List<LlamaBlock> blocks;
    private final RmsNorm norm;
    private final NDArray lmHead;                 // [V, d]; embedTokens itself when tied
    private final Map<String, NDArray> parameters; // checkpoint name -> the array the forward uses

    private LlamaModel(ModelConfig config, NDManager manager, NDArray embedTokens, List<LlamaBlock> blocks,
                       RmsNorm norm, NDArray lmHead, Map<String, NDArray> parameters) {
        this.config = config;
        this.llama = (ModelConfig.Llama) config.extra();
        this.manager = manager;
        this.embedTokens = embedTokens;
        this.blocks = blocks;
        this.norm = norm;
        this.lmHead = lmHead;
        this.parameters = parameters;
    }

    /** One pre-norm block: x + attn(rmsnorm1(x)), then x + swiglu(rmsnorm2(x)). */
    private record LlamaBlock(RmsNorm ln1, Attention attn, RmsNorm ln2, Mlp mlp) {

        void addSteps(Program.Builder p, int i, Pass pass) {
            p.op(LN1_NORMALIZED.at(i), ln1.math(), ln1::forward, RESID_PRE.at(i));
            attn.addSteps(p, i, pass, LN1_NORMALIZED.at(i), true);
            p.op(RESID_MID.at(i), "resid_mid = resid_pre + attn_out", NDArray::add, RESID_PRE.at(i), ATTN_OUT.at(i));

            p.op(LN2_NORMALIZED.at(i), ln2.math(), ln2::forward, RESID_MID.at(i));
            p.op(MLP_PRE.at(i), "gate = x W_gate (d_model -> d_mlp, no bias)", mlp::pre, LN2_NORMALIZED.at(i));
            p.op(MLP_PRE_LINEAR.at(i), "up = x W_up (d_model -> d_mlp, no bias): the gate's linear partner",
                    mlp::preLinear, LN2_NORMALIZED.at(i));
            p.op(MLP_POST.at(i), mlp.postMath(), mlp::postGated, MLP_PRE.at(i), MLP_PRE_LINEAR.at(i));
            p.op(MLP_OUT.at(i), "post W_down (d_mlp -> d_model, no bias)", mlp::out, MLP_POST.at(i));
            p.op(RESID_POST.at(i), "resid_post = resid_mid + mlp_out", NDArray::add, RESID_MID.at(i), MLP_OUT.at(i));
        }
    }

    /**
     * Builds the model from Hugging Face LLaMA tensor names ({@code model.layers.0.self_attn.q_proj.weight} ...,
     * or without the {@code model.} prefix for a bare {@code LlamaModel}). Every tensor's shape is checked against
     * the config; an error names the tensor and the dimension that disagrees. With tied embeddings a stored
     * {@code lm_head.weight} is ignored.
     */
    public static LlamaModel load(ModelConfig config, WeightSource source, NDManager parent) {
        if (!(config.extra() instanceof ModelConfig.Llama llama)) {
            throw new IllegalArgumentException("not a LLaMA config: " + config.architecture());
        }
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            String prefix = source.names().contains("model.embed_tokens.weight") ? "model." : "";
            long d = config.dModel();
            long q = (long) config.nHead() * config.dHead();   // H h
            long kv = (long) config.nKvHeads() * config.dHead(); // Hkv h
            long mlp = config.dMlp();
            double eps = config.layerNormEps();
            NDArray embed = take(source, params, prefix + "embed_tokens.weight", m, config.vocabSize(), d);
            Rotary rotary = new Rotary(config.dHead(), llama.ropeTheta());
            List<LlamaBlock> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = prefix + "layers." + i + ".";
                RmsNorm ln1 = new RmsNorm(take(source, params, l + "input_layernorm.weight", m, d), eps);
                Attention attn = new Attention(
                        Attention.Projection.linear(take(source, params, l + "self_attn.q_proj.weight", m, q, d)),
                        Attention.Projection.linear(take(source, params, l + "self_attn.k_proj.weight", m, kv, d)),
                        Attention.Projection.linear(take(source, params, l + "self_attn.v_proj.weight", m, kv, d)),
                        Attention.Projection.linear(take(source, params, l + "self_attn.o_proj.weight", m, d, q)),
                        config.nHead(), config.nKvHeads(), rotary);
                RmsNorm ln2 = new RmsNorm(take(source, params, l + "post_attention_layernorm.weight", m, d), eps);
                Mlp ffn = Mlp.gated(take(source, params, l + "mlp.gate_proj.weight", m, mlp, d),
                        take(source, params, l + "mlp.up_proj.weight", m, mlp, d),
                        take(source, params, l + "mlp.down_proj.weight", m, d, mlp), config.activation());
                blocks.add(new LlamaBlock(ln1, attn, ln2, ffn));
            }
            RmsNorm norm = new RmsNorm(take(source, params, prefix + "norm.weight", m, d), eps);
            NDArray lmHead = llama.tiedEmbeddings() ? embed
                    : take(source, params, "lm_head.weight", m, config.vocabSize(), d);
            return new LlamaModel(config, m, embed, List.copyOf(blocks), norm, lmHead,
                    Collections.unmodifiableMap(params));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public ModelConfig config() {
        return config;
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
     * Every weight by its checkpoint name, in checkpoint order, with the stored shape ([out, in] projections):
     * the arrays the forward pass multiplies with, so updating one in place changes the model.
     */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The steps of one forward pass, from token ids to logits.
     *
     * @throws IllegalArgumentException if the pass runs past max_position_embeddings
     */
    @Override
    public Program program(Pass pass) {
        if (pass.keys() > config.nPositions()) {
            throw new IllegalArgumentException("the sequence would be " + pass.keys() + " tokens long; this model reads at most "
                    + config.nPositions() + " (max_position_embeddings)");
        }
        Program.Builder p = new Program.Builder();
        p.derivable(EMBED.id, LN_FINAL_NORMALIZED.id);
        for (int i = 0; i < config.nLayer(); i++) {
            for (HookName.Block b : List.of(RESID_PRE, LN1_NORMALIZED, ROT_Q, ROT_K, PAST_K, PAST_V, QK_RAW,
                    ATTN_SCORES_UNMASKED, MASK, ATTN_SCORES, PATTERN, RESID_MID, LN2_NORMALIZED, MLP_PRE,
                    MLP_PRE_LINEAR, MLP_POST)) {
                p.derivable(b.at(i));
            }
        }

        p.group("embed");
        p.op(EMBED.id, "W_E[token]: one row of the token embedding per token (no position embedding: positions rotate q and k)",
                (in, m) -> embedTokens.get(in.get(0)), Program.INPUT_IDS);
        for (int i = 0; i < blocks.size(); i++) {
            p.group("blocks." + i);
            if (i == 0) {
                p.op(RESID_PRE.at(0), "the token embeddings", Tensors::copy, EMBED.id);
            } else {
                p.op(RESID_PRE.at(i), "the residual stream leaving block " + (i - 1), Tensors::copy, RESID_POST.at(i - 1));
            }
            blocks.get(i).addSteps(p, i, pass);
        }

        p.group("unembed");
        p.op(LN_FINAL_NORMALIZED.id, norm.math(), norm::forward, RESID_POST.at(blocks.size() - 1));
        p.op(LOGITS.id, llama.tiedEmbeddings() ? "logits = x W_U, with W_U = W_E^T (tied)" : "logits = x W_U, with W_U = lm_head^T",
                x -> x.matMul(lmHead.transpose()), LN_FINAL_NORMALIZED.id);
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
