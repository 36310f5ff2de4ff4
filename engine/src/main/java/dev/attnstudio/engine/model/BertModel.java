package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.ArrayList;
import java.util.List;

import static dev.attnstudio.engine.hooks.HookName.Block.LN2_NORMALIZED;
import static dev.attnstudio.engine.hooks.HookName.Model.*;
import static dev.attnstudio.engine.model.WeightTable.Layout.TRANSPOSED;

/**
 * A BERT-family encoder: word + position + segment embeddings and their LayerNorm, then n {@link PostNormBlock}s
 * (attention, add, LayerNorm; MLP, add, LayerNorm), bidirectional attention over the real (unpadded) tokens.
 * Its output is the last block's {@code ln2.hook_normalized} [B, T, d] (Hugging Face's last_hidden_state).
 */
public final class BertModel implements TransformerModel {

    private final ModelConfig config;
    private final NDManager manager;
    private final Embedding embedding;
    private final NDArray tokenTypes; // [types, d]
    private final Norm embedLn;
    private final List<PostNormBlock> blocks;

    private BertModel(ModelConfig config, NDManager manager, Embedding embedding, NDArray tokenTypes, Norm embedLn,
                      List<PostNormBlock> blocks) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.tokenTypes = tokenTypes;
        this.embedLn = embedLn;
        this.blocks = blocks;
    }

    /**
     * The checkpoint's tensors (Hugging Face BERT names, with or without a {@code bert.} prefix). Linear weights are
     * stored [out, in] and transposed to [in, out] when loaded.
     */
    static WeightTable weights(ModelConfig c) {
        long d = c.dModel();
        long mlp = c.dMlp();
        WeightTable t = WeightTable.withOptionalPrefix("bert.")
                .add("embeddings.word_embeddings.weight", c.vocabSize(), d)
                .add("embeddings.position_embeddings.weight", c.nPositions(), d)
                .add("embeddings.token_type_embeddings.weight", c.typeVocabSize(), d)
                .add("embeddings.LayerNorm.weight", d).add("embeddings.LayerNorm.bias", d);
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "encoder.layer." + i + ".";
            for (String part : List.of("query", "key", "value")) {
                t.add(l + "attention.self." + part + ".weight", TRANSPOSED, d, d).add(l + "attention.self." + part + ".bias", d);
            }
            t.add(l + "attention.output.dense.weight", TRANSPOSED, d, d).add(l + "attention.output.dense.bias", d)
                    .add(l + "attention.output.LayerNorm.weight", d).add(l + "attention.output.LayerNorm.bias", d)
                    .add(l + "intermediate.dense.weight", TRANSPOSED, mlp, d).add(l + "intermediate.dense.bias", mlp)
                    .add(l + "output.dense.weight", TRANSPOSED, d, mlp).add(l + "output.dense.bias", d)
                    .add(l + "output.LayerNorm.weight", d).add(l + "output.LayerNorm.bias", d);
        }
        return t;
    }

    /** Builds the model from a checkpoint laid out as {@link #weights} says; every tensor's shape is checked. */
    public static BertModel load(ModelConfig config, WeightSource source, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            WeightTable.Weights w = weights(config).load(source, m);
            List<PostNormBlock> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = "encoder.layer." + i + ".";
                Attention attention = new Attention(linear(w, l + "attention.self.query"), linear(w, l + "attention.self.key"),
                        linear(w, l + "attention.self.value"), linear(w, l + "attention.output.dense"),
                        config.nHead(), config.nHead(), null, true);
                Mlp ffn = Mlp.plain(linear(w, l + "intermediate.dense"), linear(w, l + "output.dense"), config.activation());
                blocks.add(new PostNormBlock(attention, layerNorm(w, l + "attention.output.LayerNorm", config), ffn,
                        layerNorm(w, l + "output.LayerNorm", config)));
            }
            return new BertModel(config, m, new Embedding(w.get("embeddings.word_embeddings.weight"),
                    w.get("embeddings.position_embeddings.weight")), w.get("embeddings.token_type_embeddings.weight"),
                    layerNorm(w, "embeddings.LayerNorm", config), List.copyOf(blocks));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A Linear, its weight transposed to [in, out] at load (one held in half precision stays [out, in]). */
    private static Linear linear(WeightTable.Weights w, String name) {
        NDArray weight = w.get(name + ".weight");
        return HalfWeights.isHalf(weight) ? Linear.outIn(weight, w.get(name + ".bias"))
                : Linear.inOut(weight, w.get(name + ".bias"));
    }

    private static LayerNorm layerNorm(WeightTable.Weights w, String name, ModelConfig config) {
        return new LayerNorm(w.get(name + ".weight"), w.get(name + ".bias"), config.layerNormEps());
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
        return new Capabilities("bert", List.of(new Capabilities.Stack(null, config.nLayer(), false, false)), false,
                true, true, -1, config.nHead(), config.nHead(), config.dHead(), 0, false);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public String outputHook() {
        return LN2_NORMALIZED.at(blocks.size() - 1);
    }

    /** The steps of the pass over the whole input: ids and token types [B, T] to the last hidden state [B, T, d]. */
    @Override
    public Program program(Pass pass) {
        pass.requireWithin(config.nPositions(), "max_position_embeddings");
        if (pass.past() > 0) {
            throw new IllegalArgumentException("an encoder reads its whole input in one pass");
        }
        Program.Builder p = new Program.Builder(pass, config.nHead(), config.nHead());
        p.derivable(EMBED.id, POS_EMBED.id, TOKEN_TYPE_EMBED.id);
        p.group("embed").site(null, -1, Op.SubLayer.EMBED);
        p.op(EMBED.id, Op.Kind.EMBED, "W_E[token]: one row of the word embedding per token",
                (in, m) -> embedding.tokens(in.get(0)), Program.INPUT_IDS);
        p.op(POS_EMBED.id, Op.Kind.POS_EMBED, "W_pos[0.." + (pass.length() - 1) + "]: one row per position",
                (in, m) -> embedding.positions(in.get(0), 0), Program.INPUT_IDS);
        p.op(TOKEN_TYPE_EMBED.id, Op.Kind.EMBED, "W_type[segment]: 0 for sentence A, 1 for sentence B",
                (in, m) -> HalfWeights.rows(tokenTypes, in.get(0)), Program.TOKEN_TYPE_IDS);
        p.norm(EMBED_LN_NORMALIZED.id, embedLn.type(), "LayerNorm(embed + pos_embed + token_type_embed)",
                (in, m) -> embedLn.forward(in.get(0).add(in.get(1)).add(in.get(2))),
                EMBED.id, POS_EMBED.id, TOKEN_TYPE_EMBED.id);
        Block.addStack(p, null, blocks, new Block.Context(pass, null, null, null), "the normalized embeddings", false,
                EMBED_LN_NORMALIZED.id);
        p.keep(outputHook());
        return p.build();
    }

    @Override
    public void close() {
        manager.close();
    }
}
