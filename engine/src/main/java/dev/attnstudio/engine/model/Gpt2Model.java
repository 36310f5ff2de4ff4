package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.runtime.Tensors;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
    private final Map<String, NDArray> parameters; // the arrays above, by name (see parameters())

    private Gpt2Model(ModelConfig config, NDManager manager, Embedding embedding, List<Block> blocks, LayerNorm lnFinal,
                      Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.blocks = blocks;
        this.lnFinal = lnFinal;
        this.parameters = parameters;
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
            Map<String, NDArray> params = new LinkedHashMap<>();
            // Every tensor is read under its unprefixed name and remembered, so parameters() hands out the very arrays
            // the steps multiply by.
            Function<String, NDArray> read = name -> {
                long[] shape = expectedShape(config, name);
                NDArray a = source.require(prefix + name, m, shape);
                params.put(name, a);
                return a;
            };
            Embedding embedding = new Embedding(read.apply("wte.weight"), read.apply("wpe.weight"));
            long d = config.dModel();
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String h = "h." + i + ".";
                LayerNorm ln1 = layerNorm(read, h + "ln_1", config);
                // c_attn is q | k | v along the output axis; each third becomes its own array (copied, not a view)
                NDArray cAttn = source.require(prefix + h + "attn.c_attn.weight", m, d, 3 * d); // [d, 3d]
                NDArray cAttnBias = source.require(prefix + h + "attn.c_attn.bias", m, 3 * d);  // [3d]
                NDArray[] qkv = new NDArray[3];
                NDArray[] qkvBias = new NDArray[3];
                for (int j = 0; j < 3; j++) {
                    try (NDArray w = cAttn.get(new NDIndex(":, {}:{}", j * d, (j + 1) * d));
                         NDArray b = cAttnBias.get(new NDIndex("{}:{}", j * d, (j + 1) * d))) {
                        qkv[j] = w.duplicate();
                        qkvBias[j] = b.duplicate();
                    }
                }
                for (int j = 0; j < 3; j++) {
                    params.put(h + "attn.c_attn.weight" + QKV_PARTS.get(j), qkv[j]);
                }
                for (int j = 0; j < 3; j++) {
                    params.put(h + "attn.c_attn.bias" + QKV_PARTS.get(j), qkvBias[j]);
                }
                cAttn.close();
                cAttnBias.close();
                Attention attention = new Attention(qkv, qkvBias, read.apply(h + "attn.c_proj.weight"),
                        read.apply(h + "attn.c_proj.bias"), config.nHead());
                LayerNorm ln2 = layerNorm(read, h + "ln_2", config);
                Mlp mlp = new Mlp(read.apply(h + "mlp.c_fc.weight"), read.apply(h + "mlp.c_fc.bias"),
                        read.apply(h + "mlp.c_proj.weight"), read.apply(h + "mlp.c_proj.bias"), config.activation());
                blocks.add(new Block(ln1, attention, ln2, mlp));
            }
            LayerNorm lnFinal = layerNorm(read, "ln_f", config);
            return new Gpt2Model(config, m, embedding, List.copyOf(blocks), lnFinal, Collections.unmodifiableMap(params));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Suffixes of the three thirds of {@code c_attn} in {@link #parameters()}, in their order in the checkpoint. */
    private static final List<String> QKV_PARTS = List.of("/q", "/k", "/v");

    private static LayerNorm layerNorm(Function<String, NDArray> read, String name, ModelConfig config) {
        return new LayerNorm(read.apply(name + ".weight"), read.apply(name + ".bias"), config.layerNormEps());
    }

    /** The shape a GPT-2 checkpoint stores a tensor with (unprefixed name; c_attn excluded, it is split). */
    private static long[] expectedShape(ModelConfig c, String name) {
        long d = c.dModel();
        long mlp = c.dMlp();
        String local = name.startsWith("h.") ? name.substring(name.indexOf('.', 2) + 1) : name;
        return switch (local) {
            case "wte.weight" -> new long[] {c.vocabSize(), d};
            case "wpe.weight" -> new long[] {c.nPositions(), d};
            case "attn.c_proj.weight" -> new long[] {d, d};
            case "mlp.c_fc.weight" -> new long[] {d, mlp};
            case "mlp.c_fc.bias" -> new long[] {mlp};
            case "mlp.c_proj.weight" -> new long[] {mlp, d};
            case "ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "ln_f.weight", "ln_f.bias",
                    "attn.c_proj.bias", "mlp.c_proj.bias" -> new long[] {d};
            default -> throw new IllegalArgumentException("not a GPT-2 tensor: " + name);
        };
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
            } else if (name.endsWith(QKV_PARTS.get(0))) {
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
            NDArray a = parameters.get(base + QKV_PARTS.get(j));
            parts[j] = a.toFloatArray();
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
        return new SafeTensors.Tensor(a.toFloatArray(), a.getShape().getShape(), SafeTensors.DType.F32);
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
                p.op(RESID_PRE.at(i), "the residual stream leaving block " + (i - 1), Tensors::copy, RESID_POST.at(i - 1));
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
