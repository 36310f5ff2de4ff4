package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName.Stack;
import dev.attnstudio.engine.program.MaskRule;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static dev.attnstudio.engine.hooks.HookName.Model.*;

/**
 * A T5 encoder-decoder (Hugging Face {@code T5ForConditionalGeneration}): a shared token embedding; an encoder of
 * {@link PreNormBlock}s (RMS norm, bidirectional self-attention, RMS norm, feed-forward) over the source; a decoder of
 * {@link CrossAttentionBlock}s (causal self-attention, cross-attention to the encoder's output, feed-forward) over the
 * target; a final RMS norm per stack; the unembedding (the shared embedding, after scaling by d_model^-0.5, when
 * tied; else {@code lm_head}). No biases anywhere, no position embeddings and no 1/sqrt(d_kv) scaling: positions enter
 * as a learned relative position bias per stack ({@link RelativePositionBias}), computed once per pass from the table
 * in block 0 and added to every self-attention layer's scores of that stack. Cross-attention has no position bias.
 *
 * <p>A pass with no past runs the encoder, then the decoder; a decode pass runs the decoder only, reading its
 * cross-attention keys and values from the cache (see {@link Pass}). Hook names carry the stack:
 * {@code encoder.blocks.0.attn.hook_pattern}, {@code decoder.blocks.0.cross_attn.hook_pattern}.
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
    private final List<PreNormBlock> encoder;
    private final Norm encoderNorm;
    private final RelativePositionBias decoderBias;
    private final List<CrossAttentionBlock> decoder;
    private final Norm decoderNorm;
    private final NDArray lmHead;                 // [V, d]; shared itself when tied
    private final Map<String, NDArray> parameters; // checkpoint name -> the array the forward uses

    private T5Model(ModelConfig config, NDManager manager, NDArray shared, RelativePositionBias encoderBias,
                    List<PreNormBlock> encoder, Norm encoderNorm, RelativePositionBias decoderBias,
                    List<CrossAttentionBlock> decoder, Norm decoderNorm, NDArray lmHead, Map<String, NDArray> parameters) {
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

    /**
     * The checkpoint's tensors ({@code shared.weight}, {@code encoder.block.0.layer.0.SelfAttention.q.weight}, ...):
     * torch Linear weights [out, in] without biases; each stack's relative position table in its block 0. With tied
     * embeddings a stored {@code lm_head.weight} (and the per-stack copies {@code encoder.embed_tokens.weight},
     * {@code decoder.embed_tokens.weight}) are ignored; a checkpoint without {@code shared.weight} may hold it as
     * {@code encoder.embed_tokens.weight}.
     */
    static WeightTable weights(ModelConfig c) {
        ModelConfig.T5 t5 = (ModelConfig.T5) c.extra();
        long d = c.dModel();
        WeightTable t = new WeightTable(name -> name.equals("shared.weight")
                ? List.of(name, "encoder.embed_tokens.weight") : List.of(name))
                .add("shared.weight", c.vocabSize(), d);
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "encoder.block." + i + ".layer.";
            addAttention(t, l + "0.SelfAttention.", c, i == 0);
            t.add(l + "0.layer_norm.weight", d);
            addFeedForward(t, l + "1.DenseReluDense.", c, t5);
            t.add(l + "1.layer_norm.weight", d);
        }
        t.add("encoder.final_layer_norm.weight", d);
        for (int i = 0; i < t5.nDecoderLayers(); i++) {
            String l = "decoder.block." + i + ".layer.";
            addAttention(t, l + "0.SelfAttention.", c, i == 0);
            t.add(l + "0.layer_norm.weight", d);
            addAttention(t, l + "1.EncDecAttention.", c, false);
            t.add(l + "1.layer_norm.weight", d);
            addFeedForward(t, l + "2.DenseReluDense.", c, t5);
            t.add(l + "2.layer_norm.weight", d);
        }
        t.add("decoder.final_layer_norm.weight", d);
        if (!t5.tiedEmbeddings()) {
            t.add("lm_head.weight", c.vocabSize(), d);
        }
        return t;
    }

    /** q, k, v [H d_kv, d] and o [d, H d_kv]; the stack's relative position table [buckets, H] in its first block. */
    private static void addAttention(WeightTable t, String prefix, ModelConfig c, boolean withBias) {
        long d = c.dModel();
        long inner = (long) c.nHead() * c.dHead(); // H d_kv
        t.add(prefix + "q.weight", inner, d).add(prefix + "k.weight", inner, d).add(prefix + "v.weight", inner, d)
                .add(prefix + "o.weight", d, inner);
        if (withBias) {
            t.add(prefix + "relative_attention_bias.weight", ((ModelConfig.T5) c.extra()).buckets(), c.nHead());
        }
    }

    /** ReLU (wi [d_ff, d], wo [d, d_ff]) or gated GELU (wi_0, wi_1, wo). */
    private static void addFeedForward(WeightTable t, String prefix, ModelConfig c, ModelConfig.T5 t5) {
        long d = c.dModel();
        long ff = c.dMlp();
        if (t5.gatedGelu()) {
            t.add(prefix + "wi_0.weight", ff, d).add(prefix + "wi_1.weight", ff, d);
        } else {
            t.add(prefix + "wi.weight", ff, d);
        }
        t.add(prefix + "wo.weight", d, ff);
    }

    /** Builds the model from a checkpoint laid out as {@link #weights} says; every tensor's shape is checked. */
    public static T5Model load(ModelConfig config, WeightSource source, NDManager parent) {
        if (!(config.extra() instanceof ModelConfig.T5 t5)) {
            throw new IllegalArgumentException("not a T5 config: " + config.architecture());
        }
        NDManager m = parent.newSubManager();
        try {
            WeightTable.Weights w = weights(config).load(source, m);
            double eps = config.layerNormEps();
            List<PreNormBlock> encoder = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String l = "encoder.block." + i + ".layer.";
                encoder.add(new PreNormBlock(new RmsNorm(w.get(l + "0.layer_norm.weight"), eps),
                        attention(w, l + "0.SelfAttention.", config), new RmsNorm(w.get(l + "1.layer_norm.weight"), eps),
                        feedForward(w, l + "1.DenseReluDense.", t5)));
            }
            List<CrossAttentionBlock> decoder = new ArrayList<>();
            for (int i = 0; i < t5.nDecoderLayers(); i++) {
                String l = "decoder.block." + i + ".layer.";
                decoder.add(new CrossAttentionBlock(new RmsNorm(w.get(l + "0.layer_norm.weight"), eps),
                        attention(w, l + "0.SelfAttention.", config), new RmsNorm(w.get(l + "1.layer_norm.weight"), eps),
                        attention(w, l + "1.EncDecAttention.", config), new RmsNorm(w.get(l + "2.layer_norm.weight"), eps),
                        feedForward(w, l + "2.DenseReluDense.", t5)));
            }
            NDArray shared = w.get("shared.weight");
            return new T5Model(config, m, shared, positionBias(w, "encoder", t5, true), List.copyOf(encoder),
                    new RmsNorm(w.get("encoder.final_layer_norm.weight"), eps), positionBias(w, "decoder", t5, false),
                    List.copyOf(decoder), new RmsNorm(w.get("decoder.final_layer_norm.weight"), eps),
                    t5.tiedEmbeddings() ? shared : w.get("lm_head.weight"), w.arrays());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static RelativePositionBias positionBias(WeightTable.Weights w, String stack, ModelConfig.T5 t5,
                                                     boolean bidirectional) {
        return new RelativePositionBias(w.get(stack + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight"),
                bidirectional, t5.maxDistance());
    }

    private static Attention attention(WeightTable.Weights w, String prefix, ModelConfig c) {
        return new Attention(Linear.outIn(w.get(prefix + "q.weight"), null), Linear.outIn(w.get(prefix + "k.weight"), null),
                Linear.outIn(w.get(prefix + "v.weight"), null), Linear.outIn(w.get(prefix + "o.weight"), null),
                c.nHead(), c.nHead(), null, false);
    }

    private static Mlp feedForward(WeightTable.Weights w, String prefix, ModelConfig.T5 t5) {
        Linear out = Linear.outIn(w.get(prefix + "wo.weight"), null);
        if (t5.gatedGelu()) {
            return Mlp.gated(Linear.outIn(w.get(prefix + "wi_0.weight"), null),
                    Linear.outIn(w.get(prefix + "wi_1.weight"), null), out, ModelConfig.Activation.GELU_NEW);
        }
        return Mlp.plain(Linear.outIn(w.get(prefix + "wi.weight"), null), out, ModelConfig.Activation.RELU);
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
        ModelConfig.T5 t5 = (ModelConfig.T5) config.extra();
        return new Capabilities("t5", List.of(new Capabilities.Stack(Stack.ENCODER, config.nLayer(), false, false),
                new Capabilities.Stack(Stack.DECODER, t5.nDecoderLayers(), true, true)), true, false, true,
                t5.decoderStartTokenId(), config.nHead(), config.nHead(), config.dHead(), t5.nDecoderLayers(), false);
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
     * The steps of one pass: the encoder over the source [B, S] (unless the pass decodes over a cache), then the
     * decoder over its tokens [B, T], to logits [B, T, V].
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
        Program.Builder p = new Program.Builder(pass, config.nHead(), config.nHead());
        for (Stack stack : Stack.values()) {
            p.derivable(stack.at(EMBED), stack.at(POSITION_BIAS), stack.at(LN_FINAL_NORMALIZED));
        }
        String encoderOut = pass.runsEncoder() ? addEncoder(p, pass) : null;

        p.group("decoder.embed").site(Stack.DECODER, -1, Op.SubLayer.EMBED);
        String embed = Stack.DECODER.at(EMBED);
        p.op(embed, Op.Kind.EMBED, "W_E[token]: one row of the shared embedding per decoder token",
                (in, m) -> HalfWeights.rows(shared, in.get(0)), Program.DECODER_INPUT_IDS);
        String bias = Stack.DECODER.at(POSITION_BIAS);
        addPositionBias(p, bias, decoderBias, pass.past(), pass.length(), pass.keys());
        String last = Block.addStack(p, Stack.DECODER, decoder, new Block.Context(pass, MaskRule.CAUSAL, bias, encoderOut),
                "the decoder's token embeddings", true, embed);

        p.group("unembed").site(Stack.DECODER, -1, Op.SubLayer.UNEMBED);
        String norm = Stack.DECODER.at(LN_FINAL_NORMALIZED);
        decoderNorm.addStep(p, norm, last, null);
        if (t5.tiedEmbeddings()) {
            float scale = (float) (1 / Math.sqrt(config.dModel()));
            p.op(LOGITS.id, Op.Kind.UNEMBED, String.format(Locale.ROOT,
                            "logits = (x * d_model^-0.5) W_U, with W_U = W_E^T (tied): x * %.4g", scale),
                    (in, m) -> HalfWeights.times(in.get(0).mul(m.full(new Shape(), scale)), shared, true), norm);
        } else {
            p.op(LOGITS.id, Op.Kind.UNEMBED, "logits = x W_U, with W_U = lm_head^T", x -> HalfWeights.times(x, lmHead, true), norm);
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

    /** The encoder's steps over the source [B, S]; returns the hook holding its output [B, S, d]. */
    private String addEncoder(Program.Builder p, Pass pass) {
        int s = pass.sourceLength();
        Pass source = new Pass(pass.batch(), s, 0, null, pass.sourceMask());
        p.group("encoder.embed").site(Stack.ENCODER, -1, Op.SubLayer.EMBED);
        String embed = Stack.ENCODER.at(EMBED);
        p.op(embed, Op.Kind.EMBED, "W_E[token]: one row of the shared embedding per source token (no position "
                + "embedding: positions enter as a bias on the scores)", (in, m) -> HalfWeights.rows(shared, in.get(0)), Program.INPUT_IDS);
        String bias = Stack.ENCODER.at(POSITION_BIAS);
        addPositionBias(p, bias, encoderBias, 0, s, s);
        String last = Block.addStack(p, Stack.ENCODER, encoder, new Block.Context(source, null, bias, null),
                "the source's token embeddings", true, embed);
        p.group("encoder.ln_final").site(Stack.ENCODER, -1, Op.SubLayer.UNEMBED);
        String out = Stack.ENCODER.at(LN_FINAL_NORMALIZED);
        encoderNorm.addStep(p, out, last, ": the encoder's output, read by every cross-attention");
        return out;
    }

    private static void addPositionBias(Program.Builder p, String name, RelativePositionBias bias, int past, int queries,
                                        int keys) {
        p.op(name, Op.Kind.POSITION_BIAS, bias.math(past, queries, keys), (in, m) -> bias.forward(past, queries, keys, m));
    }

    @Override
    public void close() {
        manager.close();
    }
}
