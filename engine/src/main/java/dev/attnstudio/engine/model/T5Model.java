package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.hooks.HookName.Stack;
import dev.attnstudio.engine.runtime.Tensors;
import dev.attnstudio.engine.step.Program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Model.*;
import static dev.attnstudio.engine.model.Parameters.take;

/**
 * A T5 encoder-decoder (Hugging Face {@code T5ForConditionalGeneration}): a shared token embedding; an encoder of
 * pre-norm blocks (RMS norm, bidirectional self-attention, RMS norm, feed-forward) over the source; a decoder of
 * pre-norm blocks (causal self-attention, cross-attention to the encoder's output, feed-forward) over the target; a
 * final RMS norm per stack; the unembedding (the shared embedding, after scaling by d_model^-0.5, when tied; else
 * {@code lm_head}). No biases anywhere, no position embeddings and no 1/sqrt(d_kv) scaling: positions enter as a
 * learned relative position bias per stack ({@link RelativePositionBias}), computed once per pass from the table in
 * block 0 and added to every self-attention layer's scores of that stack. Cross-attention has no position bias.
 *
 * <p>A pass with no past runs the encoder, then the decoder; a decode pass runs the decoder only, reading its
 * cross-attention keys and values from the cache (see {@link Pass}). Hook names carry the stack:
 * {@code encoder.blocks.0.attn.hook_pattern}, {@code decoder.blocks.0.cross_attn.hook_pattern}.
 *
 * <p>Interventions: an ablated head (layer, head) is zeroed in every attention sub-layer of block {@code layer}
 * (encoder self-attention, decoder self- and cross-attention); a mask override replaces both stacks' self-attention
 * rule (cross-attention keeps only the source's padding); disabling positions zeroes both position biases; the
 * scaling switch has nothing to switch off.
 *
 * <p>Weights stay in the checkpoint's layout ([out, in] projections), so {@link #parameters()} hands out the
 * checkpoint's own tensors under their own names. They live in the model's NDManager until {@link #close()}.
 */
public final class T5Model implements TransformerModel {

    private final ModelConfig config;
    private final ModelConfig.T5 t5;
    private final NDManager manager;
    private final NDArray shared;                 // [V, d]
    private final RelativePositionBias encoderBias;
    private final List<EncoderBlock> encoder;
    private final RmsNorm encoderNorm;
    private final RelativePositionBias decoderBias;
    private final List<DecoderBlock> decoder;
    private final RmsNorm decoderNorm;
    private final NDArray lmHead;                 // [V, d]; shared itself when tied
    private final Map<String, NDArray> parameters; // checkpoint name -> the array the forward uses

    private T5Model(ModelConfig config, NDManager manager, NDArray shared, RelativePositionBias encoderBias,
                    List<EncoderBlock> encoder, RmsNorm encoderNorm, RelativePositionBias decoderBias,
                    List<DecoderBlock> decoder, RmsNorm decoderNorm, NDArray lmHead, Map<String, NDArray> parameters) {
        this.config = config;
        this.t5 = (ModelConfig.T5) config.extra();
        this.manager = manager;
        this.shared = shared;
        this.encoderBias = encoderBias;
        this.encoder = encoder;
        this.encoderNorm = encoderNorm;
        this.decoderBias = decoderBias;
        this.decoder = decoder;
        this.decoderNorm = decoderNorm;
        this.lmHead = lmHead;
        this.parameters = parameters;
    }

    /** An encoder block: x + attn(norm1(x)) with the encoder's position bias, then x + ffn(norm2(x)). */
    private record EncoderBlock(RmsNorm ln1, Attention attn, RmsNorm ln2, Mlp mlp) {

        void addSteps(Program.Builder p, int i, Pass source, String bias) {
            Function<HookName.Block, String> at = b -> Stack.ENCODER.at(b, i);
            p.op(at.apply(LN1_NORMALIZED), ln1.math(), ln1::forward, at.apply(RESID_PRE));
            attn.addSteps(p, i, at, source, at.apply(LN1_NORMALIZED), false, bias, false);
            p.op(at.apply(RESID_MID), "resid_mid = resid_pre + attn_out", NDArray::add, at.apply(RESID_PRE), at.apply(ATTN_OUT));
            p.op(at.apply(LN2_NORMALIZED), ln2.math(), ln2::forward, at.apply(RESID_MID));
            addFeedForward(p, at, mlp, at.apply(LN2_NORMALIZED));
            p.op(at.apply(RESID_POST), "resid_post = resid_mid + mlp_out", NDArray::add, at.apply(RESID_MID), at.apply(MLP_OUT));
        }
    }

    /**
     * A decoder block: x + attn(norm1(x)) (causal, with the decoder's position bias), x + cross_attn(norm2(x)) over
     * the encoder's output, then x + ffn(norm3(x)).
     */
    private record DecoderBlock(RmsNorm ln1, Attention attn, RmsNorm ln2, Attention cross, RmsNorm ln3, Mlp mlp) {

        /** @param encoderOut the encoder's output hook, or null when cross-attention reads the cache */
        void addSteps(Program.Builder p, int i, Pass pass, String bias, String encoderOut) {
            Function<HookName.Block, String> at = b -> Stack.DECODER.at(b, i);
            p.op(at.apply(LN1_NORMALIZED), ln1.math(), ln1::forward, at.apply(RESID_PRE));
            attn.addSteps(p, i, at, pass, at.apply(LN1_NORMALIZED), true, bias, false);
            p.op(at.apply(RESID_MID), "resid_mid = resid_pre + attn_out", NDArray::add, at.apply(RESID_PRE), at.apply(ATTN_OUT));
            p.op(at.apply(LN2_NORMALIZED), ln2.math() + ": the queries of cross-attention", ln2::forward, at.apply(RESID_MID));
            cross.addCrossSteps(p, i, b -> Stack.DECODER.at(b.cross(), i), pass, at.apply(LN2_NORMALIZED), encoderOut);
            p.op(at.apply(RESID_MID_CROSS), "resid_mid_cross = resid_mid + cross_attn_out", NDArray::add,
                    at.apply(RESID_MID), at.apply(CROSS_ATTN_OUT));
            p.op(at.apply(LN3_NORMALIZED), ln3.math(), ln3::forward, at.apply(RESID_MID_CROSS));
            addFeedForward(p, at, mlp, at.apply(LN3_NORMALIZED));
            p.op(at.apply(RESID_POST), "resid_post = resid_mid_cross + mlp_out", NDArray::add,
                    at.apply(RESID_MID_CROSS), at.apply(MLP_OUT));
        }
    }

    /** The feed-forward steps: ReLU (wi, wo) or gated GELU (wi_0, wi_1, wo), no biases. */
    private static void addFeedForward(Program.Builder p, Function<HookName.Block, String> at, Mlp mlp, String x) {
        if (mlp.isGated()) {
            p.op(at.apply(MLP_PRE), "gate = x W_i0 (d_model -> d_ff, no bias)", mlp::pre, x);
            p.op(at.apply(MLP_PRE_LINEAR), "linear = x W_i1 (d_model -> d_ff, no bias): the gate's linear partner",
                    mlp::preLinear, x);
            p.op(at.apply(MLP_POST), mlp.postMath(), mlp::postGated, at.apply(MLP_PRE), at.apply(MLP_PRE_LINEAR));
        } else {
            p.op(at.apply(MLP_PRE), "x W_i (d_model -> d_ff, no bias)", mlp::pre, x);
            p.op(at.apply(MLP_POST), mlp.postMath(), mlp::post, at.apply(MLP_PRE));
        }
        p.op(at.apply(MLP_OUT), "post W_o (d_ff -> d_model, no bias)", mlp::out, at.apply(MLP_POST));
    }

    /**
     * Builds the model from Hugging Face T5 tensor names ({@code shared.weight},
     * {@code encoder.block.0.layer.0.SelfAttention.q.weight}, ...). Every tensor's shape is checked against the config;
     * an error names the tensor and the dimension that disagrees. With tied embeddings a stored {@code lm_head.weight}
     * (and the per-stack copies {@code encoder.embed_tokens.weight}, {@code decoder.embed_tokens.weight}) are ignored.
     */
    public static T5Model load(ModelConfig config, WeightSource source, NDManager parent) {
        if (!(config.extra() instanceof ModelConfig.T5 t5)) {
            throw new IllegalArgumentException("not a T5 config: " + config.architecture());
        }
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            long d = config.dModel();
            long inner = (long) config.nHead() * config.dHead(); // H d_kv
            double eps = config.layerNormEps();
            String sharedName = !source.names().contains("shared.weight") && source.names().contains("encoder.embed_tokens.weight")
                    ? "encoder.embed_tokens.weight" : "shared.weight";
            NDArray shared = take(source, params, sharedName, m, config.vocabSize(), d);

            List<EncoderBlock> encoder = new ArrayList<>();
            RelativePositionBias encoderBias = null;
            for (int i = 0; i < config.nLayer(); i++) {
                String l = "encoder.block." + i + ".layer.";
                Attention attn = attention(source, params, l + "0.SelfAttention.", m, config, inner);
                if (i == 0) {
                    encoderBias = positionBias(source, params, l, m, config, true);
                }
                RmsNorm ln1 = new RmsNorm(take(source, params, l + "0.layer_norm.weight", m, d), eps);
                Mlp mlp = feedForward(source, params, l + "1.DenseReluDense.", m, config, t5);
                RmsNorm ln2 = new RmsNorm(take(source, params, l + "1.layer_norm.weight", m, d), eps);
                encoder.add(new EncoderBlock(ln1, attn, ln2, mlp));
            }
            RmsNorm encoderNorm = new RmsNorm(take(source, params, "encoder.final_layer_norm.weight", m, d), eps);

            List<DecoderBlock> decoder = new ArrayList<>();
            RelativePositionBias decoderBias = null;
            for (int i = 0; i < t5.nDecoderLayers(); i++) {
                String l = "decoder.block." + i + ".layer.";
                Attention attn = attention(source, params, l + "0.SelfAttention.", m, config, inner);
                if (i == 0) {
                    decoderBias = positionBias(source, params, l, m, config, false);
                }
                RmsNorm ln1 = new RmsNorm(take(source, params, l + "0.layer_norm.weight", m, d), eps);
                Attention cross = attention(source, params, l + "1.EncDecAttention.", m, config, inner);
                RmsNorm ln2 = new RmsNorm(take(source, params, l + "1.layer_norm.weight", m, d), eps);
                Mlp mlp = feedForward(source, params, l + "2.DenseReluDense.", m, config, t5);
                RmsNorm ln3 = new RmsNorm(take(source, params, l + "2.layer_norm.weight", m, d), eps);
                decoder.add(new DecoderBlock(ln1, attn, ln2, cross, ln3, mlp));
            }
            RmsNorm decoderNorm = new RmsNorm(take(source, params, "decoder.final_layer_norm.weight", m, d), eps);
            NDArray lmHead = t5.tiedEmbeddings() ? shared : take(source, params, "lm_head.weight", m, config.vocabSize(), d);
            return new T5Model(config, m, shared, encoderBias, List.copyOf(encoder), encoderNorm, decoderBias,
                    List.copyOf(decoder), decoderNorm, lmHead, Collections.unmodifiableMap(params));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A stack's relative position bias, stored in its first block: the table [buckets, H]. */
    private static RelativePositionBias positionBias(WeightSource source, Map<String, NDArray> params, String block,
                                                     NDManager m, ModelConfig c, boolean bidirectional) {
        ModelConfig.T5 t5 = (ModelConfig.T5) c.extra();
        return new RelativePositionBias(take(source, params, block + "0.SelfAttention.relative_attention_bias.weight", m,
                t5.buckets(), c.nHead()), bidirectional, t5.maxDistance());
    }

    /** q, k, v [H d_kv, d] and o [d, H d_kv], torch Linear weights without biases. */
    private static Attention attention(WeightSource source, Map<String, NDArray> params, String prefix, NDManager m,
                                       ModelConfig c, long inner) {
        long d = c.dModel();
        return new Attention(
                Attention.Projection.linear(take(source, params, prefix + "q.weight", m, inner, d)),
                Attention.Projection.linear(take(source, params, prefix + "k.weight", m, inner, d)),
                Attention.Projection.linear(take(source, params, prefix + "v.weight", m, inner, d)),
                Attention.Projection.linear(take(source, params, prefix + "o.weight", m, d, inner)),
                c.nHead(), c.nHead(), null);
    }

    private static Mlp feedForward(WeightSource source, Map<String, NDArray> params, String prefix, NDManager m,
                                   ModelConfig c, ModelConfig.T5 t5) {
        long d = c.dModel();
        long ff = c.dMlp();
        if (t5.gatedGelu()) {
            return Mlp.gated(take(source, params, prefix + "wi_0.weight", m, ff, d),
                    take(source, params, prefix + "wi_1.weight", m, ff, d),
                    take(source, params, prefix + "wo.weight", m, d, ff), ModelConfig.Activation.GELU_NEW);
        }
        return Mlp.linear(take(source, params, prefix + "wi.weight", m, ff, d),
                take(source, params, prefix + "wo.weight", m, d, ff), ModelConfig.Activation.RELU);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** The logits over the decoder's positions, [B, T, V]. */
    @Override
    public String outputHook() {
        return LOGITS.id;
    }

    @Override
    public String cacheKeyHook(int layer) {
        return Stack.DECODER.at(K, layer);
    }

    @Override
    public String cacheValueHook(int layer) {
        return Stack.DECODER.at(V, layer);
    }

    @Override
    public int cacheLayers() {
        return t5.nDecoderLayers();
    }

    @Override
    public String crossKeyHook(int layer) {
        return Stack.DECODER.at(CROSS_K, layer);
    }

    @Override
    public String crossValueHook(int layer) {
        return Stack.DECODER.at(CROSS_V, layer);
    }

    /**
     * Every weight by its checkpoint name, in checkpoint order, with the stored shape ([out, in] projections): the
     * arrays the forward pass multiplies with, so updating one in place changes the model.
     */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The steps of one pass: the encoder over the source (unless the pass decodes over a cache), then the decoder.
     *
     * @throws IllegalArgumentException if the pass is not an encoder-decoder pass, or runs past the position limit
     */
    @Override
    public Program program(Pass pass) {
        if (!pass.encoderDecoder()) {
            throw new IllegalArgumentException("a T5 pass needs the source (encoder) length: use Pass.encoderDecoder");
        }
        int limit = config.nPositions();
        if (pass.keys() > limit || pass.sourceLength() > limit) {
            throw new IllegalArgumentException("the source is " + pass.sourceLength() + " and the target would be "
                    + pass.keys() + " tokens long; this engine reads at most " + limit + " (n_positions) for this model");
        }
        Program.Builder p = new Program.Builder();
        markDerivable(p, pass);
        String encoderOut = null;
        if (pass.runsEncoder()) {
            encoderOut = addEncoder(p, pass);
        }
        addDecoder(p, pass, encoderOut);

        p.group("unembed");
        String norm = Stack.DECODER.at(LN_FINAL_NORMALIZED);
        p.op(norm, decoderNorm.math(), decoderNorm::forward, Stack.DECODER.at(RESID_POST, decoder.size() - 1));
        if (t5.tiedEmbeddings()) {
            float scale = (float) (1 / Math.sqrt(config.dModel()));
            p.op(LOGITS.id, String.format(Locale.ROOT, "logits = (x * d_model^-0.5) W_U, with W_U = W_E^T (tied): x * %.4g", scale),
                    (in, m) -> in.get(0).mul(m.full(new Shape(), scale)).matMul(shared.transpose()), norm);
        } else {
            p.op(LOGITS.id, "logits = x W_U, with W_U = lm_head^T", x -> x.matMul(lmHead.transpose()), norm);
        }
        p.keep(LOGITS.id);
        if (pass.cache() != null) {
            for (int i = 0; i < decoder.size(); i++) {
                p.keep(cacheKeyHook(i)).keep(cacheValueHook(i));
                if (pass.runsEncoder()) {
                    p.keep(crossKeyHook(i)).keep(crossValueHook(i));
                }
            }
        }
        return p.build();
    }

    private void markDerivable(Program.Builder p, Pass pass) {
        List<HookName.Block> cheap = List.of(RESID_PRE, LN1_NORMALIZED, PAST_K, PAST_V, QK_RAW, ATTN_SCORES_UNMASKED,
                MASK, ATTN_SCORES, PATTERN, RESID_MID, LN2_NORMALIZED, MLP_PRE, MLP_PRE_LINEAR, MLP_POST);
        for (Stack stack : Stack.values()) {
            p.derivable(stack.at(EMBED), stack.at(POSITION_BIAS), stack.at(LN_FINAL_NORMALIZED));
            for (int i = 0; i < (stack == Stack.ENCODER ? encoder.size() : decoder.size()); i++) {
                for (HookName.Block b : cheap) {
                    p.derivable(stack.at(b, i));
                }
            }
        }
        for (int i = 0; i < decoder.size(); i++) {
            for (HookName.Block b : List.of(CROSS_QK_RAW, CROSS_ATTN_SCORES_UNMASKED, CROSS_MASK, CROSS_ATTN_SCORES,
                    CROSS_PATTERN, RESID_MID_CROSS, LN3_NORMALIZED)) {
                p.derivable(Stack.DECODER.at(b, i));
            }
            if (!pass.runsEncoder()) {
                p.derivable(crossKeyHook(i), crossValueHook(i)); // read back from the cache
            }
        }
    }

    /** The encoder's steps; returns the hook holding its output [B, S, d]. */
    private String addEncoder(Program.Builder p, Pass pass) {
        int s = pass.sourceLength();
        Pass source = new Pass(pass.batch(), s, 0, pass.interventions(), null, pass.sourceMask());
        p.group("encoder.embed");
        String embed = Stack.ENCODER.at(EMBED);
        p.op(embed, "W_E[token]: one row of the shared embedding per source token (no position embedding: "
                + "positions enter as a bias on the scores)", (in, m) -> shared.get(in.get(0)), Program.INPUT_IDS);
        String bias = Stack.ENCODER.at(POSITION_BIAS);
        addPositionBias(p, bias, encoderBias, pass.interventions(), 0, s, s);
        for (int i = 0; i < encoder.size(); i++) {
            p.group("encoder.blocks." + i);
            String prev = i == 0 ? embed : Stack.ENCODER.at(RESID_POST, i - 1);
            p.op(Stack.ENCODER.at(RESID_PRE, i), i == 0 ? "the source's token embeddings"
                    : "the residual stream leaving encoder block " + (i - 1), Tensors::copy, prev);
            encoder.get(i).addSteps(p, i, source, bias);
        }
        p.group("encoder.ln_final");
        String out = Stack.ENCODER.at(LN_FINAL_NORMALIZED);
        p.op(out, encoderNorm.math() + ": the encoder's output, read by every cross-attention", encoderNorm::forward,
                Stack.ENCODER.at(RESID_POST, encoder.size() - 1));
        return out;
    }

    private void addDecoder(Program.Builder p, Pass pass, String encoderOut) {
        p.group("decoder.embed");
        String embed = Stack.DECODER.at(EMBED);
        p.op(embed, "W_E[token]: one row of the shared embedding per decoder token",
                (in, m) -> shared.get(in.get(0)), Program.DECODER_INPUT_IDS);
        String bias = Stack.DECODER.at(POSITION_BIAS);
        addPositionBias(p, bias, decoderBias, pass.interventions(), pass.past(), pass.length(), pass.keys());
        for (int i = 0; i < decoder.size(); i++) {
            p.group("decoder.blocks." + i);
            String prev = i == 0 ? embed : Stack.DECODER.at(RESID_POST, i - 1);
            p.op(Stack.DECODER.at(RESID_PRE, i), i == 0 ? "the decoder's token embeddings"
                    : "the residual stream leaving decoder block " + (i - 1), Tensors::copy, prev);
            decoder.get(i).addSteps(p, i, pass, bias, encoderOut);
        }
    }

    private static void addPositionBias(Program.Builder p, String name, RelativePositionBias bias, Interventions iv,
                                        int past, int queries, int keys) {
        if (iv.positions()) {
            p.op(name, bias.math(past, queries, keys), (in, m) -> bias.forward(past, queries, keys, m));
        } else {
            p.op(name, "positions disabled (intervention): no position bias (zeros)",
                    (in, m) -> m.zeros(new Shape(1, bias.heads(), queries, keys)));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
