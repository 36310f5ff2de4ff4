package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.K;
import static dev.attnstudio.engine.hooks.HookName.Block.V;
import static dev.attnstudio.engine.hooks.HookName.Model.*;
import static dev.attnstudio.engine.model.WeightTable.Layout.SPLIT_QKV;

/**
 * A GPT-2-family decoder: token and learned position embeddings, n {@link PreNormBlock}s (LayerNorm, causal attention,
 * LayerNorm, gelu MLP), final LayerNorm, tied unembedding. The weights live in the model's own NDManager until
 * {@link #close()}.
 */
public final class Gpt2Model implements TransformerModel {

    private final ModelConfig config;
    private final NDManager manager;
    private final Embedding embedding;
    private final List<PreNormBlock> blocks;
    private final Norm lnFinal;
    private final Map<String, NDArray> parameters; // the arrays above, by name (see parameters())

    private Gpt2Model(ModelConfig config, NDManager manager, Embedding embedding, List<PreNormBlock> blocks,
                      Norm lnFinal, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.blocks = blocks;
        this.lnFinal = lnFinal;
        this.parameters = parameters;
    }

    /**
     * The checkpoint's tensors (Hugging Face GPT-2 names, with or without a {@code transformer.} prefix). Conv1D weights
     * are stored [in, out], the layout used here; {@code c_attn} is q | k | v along the output axis. A stored
     * {@code lm_head.weight} is ignored (tied to wte).
     */
    static WeightTable weights(ModelConfig c) {
        long d = c.dModel();
        long m = c.dMlp();
        WeightTable t = WeightTable.withOptionalPrefix("transformer.")
                .add("wte.weight", c.vocabSize(), d)
                .add("wpe.weight", c.nPositions(), d);
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "h." + i + ".";
            t.add(h + "ln_1.weight", d).add(h + "ln_1.bias", d)
                    .add(h + "attn.c_attn.weight", SPLIT_QKV, d, 3 * d).add(h + "attn.c_attn.bias", SPLIT_QKV, 3 * d)
                    .add(h + "attn.c_proj.weight", d, d).add(h + "attn.c_proj.bias", d)
                    .add(h + "ln_2.weight", d).add(h + "ln_2.bias", d)
                    .add(h + "mlp.c_fc.weight", d, m).add(h + "mlp.c_fc.bias", m)
                    .add(h + "mlp.c_proj.weight", m, d).add(h + "mlp.c_proj.bias", d);
        }
        return t.add("ln_f.weight", d).add("ln_f.bias", d);
    }

    /** Builds the model from a checkpoint laid out as {@link #weights} says; every tensor's shape is checked. */
    public static Gpt2Model load(ModelConfig config, WeightSource source, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            WeightTable.Weights w = weights(config).load(source, m);
            List<PreNormBlock> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String h = "h." + i + ".";
                Attention attention = new Attention(
                        Linear.inOut(w.get(h + "attn.c_attn.weight/q"), w.get(h + "attn.c_attn.bias/q")),
                        Linear.inOut(w.get(h + "attn.c_attn.weight/k"), w.get(h + "attn.c_attn.bias/k")),
                        Linear.inOut(w.get(h + "attn.c_attn.weight/v"), w.get(h + "attn.c_attn.bias/v")),
                        Linear.inOut(w.get(h + "attn.c_proj.weight"), w.get(h + "attn.c_proj.bias")),
                        config.nHead(), config.nHead(), null, true);
                Mlp mlp = Mlp.plain(Linear.inOut(w.get(h + "mlp.c_fc.weight"), w.get(h + "mlp.c_fc.bias")),
                        Linear.inOut(w.get(h + "mlp.c_proj.weight"), w.get(h + "mlp.c_proj.bias")), config.activation());
                blocks.add(new PreNormBlock(layerNorm(w, h + "ln_1", config), attention, layerNorm(w, h + "ln_2", config), mlp));
            }
            return new Gpt2Model(config, m, new Embedding(w.get("wte.weight"), w.get("wpe.weight")), List.copyOf(blocks),
                    layerNorm(w, "ln_f", config), w.arrays());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
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
        return new Capabilities("gpt2", List.of(new Capabilities.Stack(null, config.nLayer(), true, false)), true,
                false, true, -1, config.nHead(), config.nHead(), config.dHead(), config.nLayer(), false);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public String outputHook() {
        return LOGITS.id;
    }

    /**
     * The trainable weights, exactly the arrays the forward pass reads, in checkpoint order under Hugging Face's
     * unprefixed names ({@code wte.weight}, {@code h.0.ln_1.weight}, ...). The one exception is {@code c_attn},
     * which the model holds as three arrays: {@code h.N.attn.c_attn.weight/q}, {@code /k}, {@code /v} ([d, d] each)
     * and {@code h.N.attn.c_attn.bias/q}, {@code /k}, {@code /v} ([d] each). Updating them in place changes the model.
     */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The weights as a Hugging Face GPT-2 checkpoint stores them: unprefixed names, Conv1D weights [in, out], and
     * {@code c_attn} as q | k | v concatenated along the output axis ([d, 3d], bias [3d]). Values are copied to
     * the Java heap as float32 ({@code lm_head} is omitted: it is tied to {@code wte}).
     */
    public Map<String, SafeTensors.Tensor> toHuggingFace() {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            String name = e.getKey();
            int slash = name.indexOf('/');
            if (slash < 0) {
                out.put(name, tensor(e.getValue()));
            } else if (name.endsWith(WeightTable.QKV_PARTS.get(0))) {
                String base = name.substring(0, slash);
                out.put(base, concatOutputs(base));
            }
        }
        return out;
    }

    /** q | k | v of one c_attn tensor joined along the last axis: [d, d] x 3 -> [d, 3d], or [d] x 3 -> [3d]. */
    private SafeTensors.Tensor concatOutputs(String base) {
        float[][] parts = new float[3][];
        long[] shape = null;
        for (int j = 0; j < 3; j++) {
            NDArray a = parameters.get(base + WeightTable.QKV_PARTS.get(j));
            parts[j] = HalfWeights.floats(a);
            shape = a.getShape().getShape();
        }
        long cols = shape[shape.length - 1];
        int rows = Math.toIntExact(parts[0].length / cols);
        int width = Math.toIntExact(cols);
        float[] joined = new float[parts[0].length * 3];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 3; j++) {
                System.arraycopy(parts[j], r * width, joined, (r * 3 + j) * width, width);
            }
        }
        long[] joinedShape = shape.clone();
        joinedShape[shape.length - 1] = 3 * cols;
        return new SafeTensors.Tensor(joined, joinedShape, SafeTensors.DType.F32);
    }

    private static SafeTensors.Tensor tensor(NDArray a) {
        return new SafeTensors.Tensor(HalfWeights.floats(a), a.getShape().getShape(), SafeTensors.DType.F32);
    }

    /**
     * The steps of one forward pass, from token ids [B, T] to logits [B, T, V].
     *
     * @throws IllegalArgumentException if the pass runs past the learned positions
     */
    @Override
    public Program program(Pass pass) {
        pass.requireWithin(config.nPositions(), "n_positions");
        Program.Builder p = new Program.Builder(pass, config.nHead(), config.nHead());
        p.derivable(EMBED.id, POS_EMBED.id, LN_FINAL_NORMALIZED.id);
        p.group("embed").site(null, -1, Op.SubLayer.EMBED);
        p.op(EMBED.id, Op.Kind.EMBED, "W_E[token]: one row of the token embedding per token",
                (in, m) -> embedding.tokens(in.get(0)), Program.INPUT_IDS);
        p.op(POS_EMBED.id, Op.Kind.POS_EMBED, "W_pos[" + pass.past() + ".." + (pass.keys() - 1) + "]: one row per position",
                (in, m) -> embedding.positions(in.get(0), pass.past()), Program.INPUT_IDS);
        String last = Block.addStack(p, null, blocks, new Block.Context(pass, MaskRule.CAUSAL, null, null),
                "embed + pos_embed", false, EMBED.id, POS_EMBED.id);

        p.group("unembed").site(null, -1, Op.SubLayer.UNEMBED);
        lnFinal.addStep(p, LN_FINAL_NORMALIZED.id, last, null);
        p.op(LOGITS.id, Op.Kind.UNEMBED, "logits = x W_U, with W_U = W_E^T (tied)", embedding::unembed,
                LN_FINAL_NORMALIZED.id);
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
