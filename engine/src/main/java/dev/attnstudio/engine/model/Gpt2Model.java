package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.List;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Model.*;

/**
 * A GPT-2-family decoder: embeddings, n pre-norm blocks, final LayerNorm, tied unembedding.
 * The weights live in the model's own NDManager until {@link #close()}.
 */
public final class Gpt2Model implements TransformerModel {

    private final ModelConfig config;
    private final NDManager manager;
    private final Embedding embedding;
    private final List<Block> blocks;
    private final LayerNorm lnFinal;

    private Gpt2Model(ModelConfig config, NDManager manager, Embedding embedding, List<Block> blocks, LayerNorm lnFinal) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.blocks = blocks;
        this.lnFinal = lnFinal;
    }

    @Override
    public String outputHook() {
        return LOGITS.id;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /**
     * Builds the model from Hugging Face GPT-2 tensor names ({@code h.0.attn.c_attn.weight} ..., with or without
     * a {@code transformer.} prefix). Conv1D weights are stored [in, out], which is the layout used here.
     * Every tensor's shape is checked against the config; {@code lm_head.weight} is ignored (tied to wte).
     */
    public static Gpt2Model load(ModelConfig config, WeightSource source, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            String prefix = source.names().contains("wte.weight") ? "" : "transformer.";
            long d = config.dModel();
            long mlp = config.dMlp();
            Embedding embedding = new Embedding(
                    source.require(prefix + "wte.weight", m, config.vocabSize(), d),
                    source.require(prefix + "wpe.weight", m, config.nPositions(), d));
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String h = prefix + "h." + i + ".";
                NDArray cAttn = source.require(h + "attn.c_attn.weight", m, d, 3 * d);
                NDArray cAttnBias = source.require(h + "attn.c_attn.bias", m, 3 * d);
                NDArray[] qkv = new NDArray[3];
                NDArray[] qkvBias = new NDArray[3];
                for (int j = 0; j < 3; j++) {
                    try (NDArray w = cAttn.get(new NDIndex(":, {}:{}", j * d, (j + 1) * d));
                         NDArray b = cAttnBias.get(new NDIndex("{}:{}", j * d, (j + 1) * d))) {
                        qkv[j] = w.duplicate();
                        qkvBias[j] = b.duplicate();
                    }
                }
                cAttn.close();
                cAttnBias.close();
                blocks.add(new Block(
                        LayerNorm.load(source, h + "ln_1", m, config),
                        new Attention(qkv, qkvBias,
                                source.require(h + "attn.c_proj.weight", m, d, d),
                                source.require(h + "attn.c_proj.bias", m, d), config.nHead()),
                        LayerNorm.load(source, h + "ln_2", m, config),
                        new Mlp(source.require(h + "mlp.c_fc.weight", m, d, mlp),
                                source.require(h + "mlp.c_fc.bias", m, mlp),
                                source.require(h + "mlp.c_proj.weight", m, mlp, d),
                                source.require(h + "mlp.c_proj.bias", m, d),
                                config.activation())));
            }
            return new Gpt2Model(config, m, embedding, List.copyOf(blocks), LayerNorm.load(source, prefix + "ln_f", m, config));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }


    /**
     * The steps of one forward pass, from token ids to logits.
     *
     * @throws IllegalArgumentException if the pass runs past the learned positions
     */
    @Override
    public Program program(Pass pass) {
        if (pass.keys() > config.nPositions()) {
            throw new IllegalArgumentException("the sequence would be " + pass.keys() + " tokens long; this model reads at most "
                    + config.nPositions() + " (n_positions)");
        }
        Program.Builder p = new Program.Builder();
        p.derivable(EMBED.id, POS_EMBED.id, LN_FINAL_NORMALIZED.id);
        for (int i = 0; i < config.nLayer(); i++) {
            for (HookName.Block b : List.of(LN1_NORMALIZED, PAST_K, PAST_V, QK_RAW, ATTN_SCORES_UNMASKED, MASK,
                    ATTN_SCORES, PATTERN, RESID_MID, LN2_NORMALIZED, MLP_PRE, MLP_POST)) {
                p.derivable(b.at(i));
            }
            if (i > 0) {
                p.derivable(RESID_PRE.at(i));
            }
        }

        boolean positions = pass.interventions().positions();
        p.group("embed");
        p.op(EMBED.id, "W_E[token]: one row of the token embedding per token",
                (in, m) -> embedding.tokens(in.get(0)), Program.INPUT_IDS);
        p.op(POS_EMBED.id, positions
                        ? "W_pos[" + pass.past() + ".." + (pass.keys() - 1) + "]: one row per position"
                        : "positions disabled (intervention): zeros",
                (in, m) -> embedding.positions(in.get(0), pass.past(), positions, m), Program.INPUT_IDS);
        for (int i = 0; i < blocks.size(); i++) {
            p.group("blocks." + i);
            if (i == 0) {
                p.op(RESID_PRE.at(0), "embed + pos_embed", NDArray::add, EMBED.id, POS_EMBED.id);
            } else {
                p.op(RESID_PRE.at(i), "the residual stream leaving block " + (i - 1), NDArray::duplicate, RESID_POST.at(i - 1));
            }
            blocks.get(i).addSteps(p, i, pass);
        }

        p.group("unembed");
        p.op(LN_FINAL_NORMALIZED.id, LayerNorm.MATH, lnFinal::forward, RESID_POST.at(blocks.size() - 1));
        p.op(LOGITS.id, "logits = x W_U, with W_U = W_E^T (tied)", embedding::unembed, LN_FINAL_NORMALIZED.id);
        p.keep(LOGITS.id);
        if (pass.cache() != null) {
            for (int i = 0; i < blocks.size(); i++) {
                p.keep(K.at(i)).keep(V.at(i));
            }
        }
        return p.build();
    }

    @Override
    public void close() {
        manager.close();
    }
}
