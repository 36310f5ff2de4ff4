package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.runtime.Tensors;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.List;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Model.*;

/**
 * A BERT-family encoder: word + position + segment embeddings and their LayerNorm, then post-norm blocks
 * (attention, add, LayerNorm; MLP, add, LayerNorm), bidirectional attention over the real (unpadded) tokens.
 * Its output is the last block's {@code ln2.hook_normalized} (Hugging Face's last_hidden_state).
 */
public final class BertModel implements TransformerModel {

    private final ModelConfig config;
    private final NDManager manager;
    private final Embedding embedding;
    private final NDArray tokenTypes; // [types, d]
    private final LayerNorm embedLn;
    private final List<PostNormBlock> blocks;

    private BertModel(ModelConfig config, NDManager manager, Embedding embedding, NDArray tokenTypes,
                      LayerNorm embedLn, List<PostNormBlock> blocks) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.tokenTypes = tokenTypes;
        this.embedLn = embedLn;
        this.blocks = blocks;
    }

    /**
     * Builds the model from Hugging Face BERT names ({@code encoder.layer.0.attention.self.query.weight} ...,
     * with or without a {@code bert.} prefix). Linear weights are stored [out, in] and transposed here.
     */
    public static BertModel load(ModelConfig config, WeightSource source, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            String p = source.names().contains("embeddings.word_embeddings.weight") ? "" : "bert.";
            long d = config.dModel();
            long mlp = config.dMlp();
            Embedding embedding = new Embedding(
                    source.require(p + "embeddings.word_embeddings.weight", m, config.vocabSize(), d),
                    source.require(p + "embeddings.position_embeddings.weight", m, config.nPositions(), d));
            NDArray types = source.require(p + "embeddings.token_type_embeddings.weight", m, config.typeVocabSize(), d);
            LayerNorm embedLn = LayerNorm.load(source, p + "embeddings.LayerNorm", m, config);
            List<PostNormBlock> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = p + "encoder.layer." + i + ".";
                NDArray[] qkv = new NDArray[3];
                NDArray[] qkvBias = new NDArray[3];
                String[] parts = {"query", "key", "value"};
                for (int j = 0; j < 3; j++) {
                    qkv[j] = linear(source, l + "attention.self." + parts[j] + ".weight", m, d, d);
                    qkvBias[j] = source.require(l + "attention.self." + parts[j] + ".bias", m, d);
                }
                Attention attention = new Attention(qkv, qkvBias,
                        linear(source, l + "attention.output.dense.weight", m, d, d),
                        source.require(l + "attention.output.dense.bias", m, d), config.nHead());
                Mlp ffn = new Mlp(linear(source, l + "intermediate.dense.weight", m, mlp, d),
                        source.require(l + "intermediate.dense.bias", m, mlp),
                        linear(source, l + "output.dense.weight", m, d, mlp),
                        source.require(l + "output.dense.bias", m, d), config.activation());
                blocks.add(new PostNormBlock(attention, LayerNorm.load(source, l + "attention.output.LayerNorm", m, config),
                        ffn, LayerNorm.load(source, l + "output.LayerNorm", m, config)));
            }
            return new BertModel(config, m, embedding, types, embedLn, List.copyOf(blocks));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A Linear weight stored [out, in], returned [in, out] (the layout the components multiply with). */
    private static NDArray linear(WeightSource source, String name, NDManager m, long out, long in) {
        try (NDArray stored = source.require(name, m, out, in); NDArray view = stored.transpose()) {
            return view.duplicate();
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
        return LN2_NORMALIZED.at(blocks.size() - 1);
    }

    @Override
    public Program program(Pass pass) {
        if (pass.keys() > config.nPositions()) {
            throw new IllegalArgumentException("the sequence would be " + pass.keys() + " tokens long; this model reads at most "
                    + config.nPositions() + " (max_position_embeddings)");
        }
        if (pass.past() > 0) {
            throw new IllegalArgumentException("an encoder reads its whole input in one pass");
        }
        Program.Builder p = new Program.Builder();
        p.derivable(EMBED.id, POS_EMBED.id, TOKEN_TYPE_EMBED.id);
        for (int i = 0; i < config.nLayer(); i++) {
            for (HookName.Block b : List.of(RESID_PRE, QK_RAW, ATTN_SCORES_UNMASKED, MASK, ATTN_SCORES, PATTERN,
                    RESID_MID, LN1_NORMALIZED, MLP_PRE, MLP_POST, RESID_POST)) {
                if (b != RESID_PRE || i > 0) {
                    p.derivable(b.at(i));
                }
            }
        }
        boolean positions = pass.interventions().positions();
        p.group("embed");
        p.op(EMBED.id, "W_E[token]: one row of the word embedding per token",
                (in, m) -> embedding.tokens(in.get(0)), Program.INPUT_IDS);
        p.op(POS_EMBED.id, positions ? "W_pos[0.." + (pass.length() - 1) + "]: one row per position"
                        : "positions disabled (intervention): zeros",
                (in, m) -> embedding.positions(in.get(0), 0, positions, m), Program.INPUT_IDS);
        p.op(TOKEN_TYPE_EMBED.id, "W_type[segment]: 0 for sentence A, 1 for sentence B",
                (in, m) -> tokenTypes.get(in.get(0)), Program.TOKEN_TYPE_IDS);
        p.op(EMBED_LN_NORMALIZED.id, "LayerNorm(embed + pos_embed + token_type_embed)",
                (in, m) -> embedLn.forward(in.get(0).add(in.get(1)).add(in.get(2))),
                EMBED.id, POS_EMBED.id, TOKEN_TYPE_EMBED.id);
        for (int i = 0; i < blocks.size(); i++) {
            p.group("blocks." + i);
            String input = i == 0 ? EMBED_LN_NORMALIZED.id : LN2_NORMALIZED.at(i - 1);
            p.op(RESID_PRE.at(i), i == 0 ? "the normalized embeddings" : "the output of block " + (i - 1),
                    Tensors::copy, input);
            blocks.get(i).addSteps(p, i, pass);
        }
        p.keep(outputHook());
        return p.build();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** A post-norm block: x1 = LN1(x + attn(x)); out = LN2(x1 + mlp(x1)). */
    private record PostNormBlock(Attention attn, LayerNorm ln1, Mlp mlp, LayerNorm ln2) {

        void addSteps(Program.Builder p, int i, Pass pass) {
            attn.addSteps(p, i, pass, RESID_PRE.at(i), false);
            p.op(RESID_MID.at(i), "resid_mid = resid_pre + attn_out", NDArray::add, RESID_PRE.at(i), ATTN_OUT.at(i));
            p.op(LN1_NORMALIZED.at(i), LayerNorm.MATH + " (post-norm: after the residual add)", ln1::forward, RESID_MID.at(i));

            p.op(MLP_PRE.at(i), "x W_in + b_in (d_model -> d_mlp)", mlp::pre, LN1_NORMALIZED.at(i));
            p.op(MLP_POST.at(i), mlp.postMath(), mlp::post, MLP_PRE.at(i));
            p.op(MLP_OUT.at(i), "post W_out + b_out (d_mlp -> d_model)", mlp::out, MLP_POST.at(i));
            p.op(RESID_POST.at(i), "resid_post = ln1 output + mlp_out", NDArray::add, LN1_NORMALIZED.at(i), MLP_OUT.at(i));
            p.op(LN2_NORMALIZED.at(i), LayerNorm.MATH + " (post-norm): the block's output", ln2::forward, RESID_POST.at(i));
        }
    }
}
