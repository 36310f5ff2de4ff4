package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.Map;

import static dev.attnstudio.engine.model.ReferenceMath.add;

/**
 * An independent forward pass of the LLaMA variants in plain Java doubles, with loops and no DJL, written from the
 * equations of Hugging Face's modeling_qwen2/qwen3/mistral/gemma2 and from tensor names:
 * <ul>
 *   <li>Qwen2: q, k, v biases;</li>
 *   <li>Qwen3: q_norm / k_norm, an RMSNorm over each head's h values before the rotation; head_dim x H != d_model;
 *       o_proj bias with attention_bias;</li>
 *   <li>Mistral: query q sees key k iff q - W &lt; k &lt;= q;</li>
 *   <li>Gemma 2: x = E[token] * sqrt(d) (the factor rounded to float), RMSNorm gains (1 + w), scores times
 *       query_pre_attn_scalar^-0.5 then cap tanh(s / cap) before the mask, the window on even layers, norms after
 *       attention and after the MLP, gelu_tanh(gate) * up, logits cap tanh(l / cap).</li>
 * </ul>
 * The engine is checked against it.
 */
final class ReferenceLlamaVariants {

    private final ModelConfig c;
    private final ModelConfig.Llama llama;
    private final ModelConfig.Variant v;
    private final boolean gemma;
    private final Map<String, SafeTensors.Tensor> w;

    ReferenceLlamaVariants(ModelConfig c, Map<String, SafeTensors.Tensor> w) {
        this.c = c;
        this.llama = (ModelConfig.Llama) c.extra();
        this.v = llama.variant();
        this.gemma = c.architecture() == ModelConfig.Architecture.GEMMA2;
        this.w = w;
    }

    /** Logits [T][V] for one sequence and the attention pattern of every layer [L][H][T][T]. */
    record Result(double[][] logits, double[][][][] patterns) {
    }

    Result forward(long[] ids) {
        int t = ids.length, d = c.dModel(), nh = c.nHead(), nkv = c.nKvHeads(), dh = c.dHead();
        int group = nh / nkv;
        double scale = v.queryPreAttnScalar() > 0 ? Math.pow(v.queryPreAttnScalar(), -0.5) : 1 / Math.sqrt(dh);
        double normalizer = gemma ? (float) Math.sqrt(d) : 1;
        double[][] x = new double[t][d];
        float[] embed = w.get("model.embed_tokens.weight").values();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = embed[(int) (ids[i] * d + j)] * normalizer;
            }
        }
        double[][][][] patterns = new double[c.nLayer()][nh][t][t];
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "model.layers." + l + ".";
            int window = v.slidingLayers().isEmpty() || !v.slidingLayers().get(l) ? 0 : v.slidingWindow();
            double[][] a = norm(x, p + "input_layernorm.weight");
            double[][] q = linear(a, p + "self_attn.q_proj", v.qkvBias());
            double[][] k = linear(a, p + "self_attn.k_proj", v.qkvBias());
            double[][] val = linear(a, p + "self_attn.v_proj", v.qkvBias());
            for (int i = 0; i < t; i++) {
                if (v.qkNorm()) {
                    headNorm(q[i], nh, dh, w.get(p + "self_attn.q_norm.weight").values());
                    headNorm(k[i], nkv, dh, w.get(p + "self_attn.k_norm.weight").values());
                }
                ReferenceLlama.rotate(q[i], nh, dh, i, llama.ropeTheta());
                ReferenceLlama.rotate(k[i], nkv, dh, i, llama.ropeTheta());
            }
            double[][] z = new double[t][nh * dh];
            for (int head = 0; head < nh; head++) {
                int kvHead = head / group;
                for (int qi = 0; qi < t; qi++) {
                    double[] s = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki < t; ki++) {
                        if (ki > qi || window > 0 && ki <= qi - window) {
                            s[ki] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += q[qi][head * dh + e] * k[ki][kvHead * dh + e];
                        }
                        s[ki] = cap(dot * scale, v.attnSoftcap());
                        max = Math.max(max, s[ki]);
                    }
                    double sum = 0;
                    for (int ki = 0; ki < t; ki++) {
                        s[ki] = Math.exp(s[ki] - max);
                        sum += s[ki];
                    }
                    for (int ki = 0; ki < t; ki++) {
                        double weight = s[ki] / sum;
                        patterns[l][head][qi][ki] = weight;
                        for (int e = 0; e < dh; e++) {
                            z[qi][head * dh + e] += weight * val[ki][kvHead * dh + e];
                        }
                    }
                }
            }
            double[][] attnOut = linear(z, p + "self_attn.o_proj", v.outBias());
            if (gemma) {
                add(x, norm(attnOut, p + "post_attention_layernorm.weight"));
                double[][] mlp = mlp(norm(x, p + "pre_feedforward_layernorm.weight"), p);
                add(x, norm(mlp, p + "post_feedforward_layernorm.weight"));
            } else {
                add(x, attnOut);
                add(x, mlp(norm(x, p + "post_attention_layernorm.weight"), p));
            }
        }
        double[][] f = norm(x, "model.norm.weight");
        double[][] logits = ReferenceMath.linear(f, w.get(llama.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight"));
        for (double[] row : logits) {
            for (int j = 0; j < row.length; j++) {
                row[j] = cap(row[j], v.finalSoftcap());
            }
        }
        return new Result(logits, patterns);
    }

    /** cap tanh(s / cap); s itself when there is no cap. */
    static double cap(double s, double cap) {
        return cap > 0 ? cap * Math.tanh(s / cap) : s;
    }

    /** act(b W_gate) * (b W_up), then W_down: SiLU for Qwen and Mistral, the tanh form of GELU for Gemma. */
    private double[][] mlp(double[][] b, String p) {
        double[][] gate = ReferenceMath.linear(b, w.get(p + "mlp.gate_proj.weight"));
        double[][] up = ReferenceMath.linear(b, w.get(p + "mlp.up_proj.weight"));
        for (int i = 0; i < gate.length; i++) {
            for (int j = 0; j < gate[i].length; j++) {
                double g = gate[i][j];
                double act = c.activation() == ModelConfig.Activation.SILU ? g / (1 + Math.exp(-g))
                        : 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)));
                gate[i][j] = act * up[i][j];
            }
        }
        return ReferenceMath.linear(gate, w.get(p + "mlp.down_proj.weight"));
    }

    /** RMSNorm over d_model: gains w, or (1 + w) for Gemma. */
    private double[][] norm(double[][] x, String name) {
        float[] stored = w.get(name).values();
        float[] gain = new float[stored.length];
        for (int i = 0; i < gain.length; i++) {
            gain[i] = gemma ? 1 + stored[i] : stored[i];
        }
        return ReferenceMath.rmsNorm(x, gain, c.layerNormEps());
    }

    /** Qwen3's q_norm / k_norm, in place: each head's h values RMS-normalized and scaled by the gain [h]. */
    private void headNorm(double[] row, int heads, int dh, float[] gain) {
        for (int head = 0; head < heads; head++) {
            double ms = 0;
            for (int e = 0; e < dh; e++) {
                ms += row[head * dh + e] * row[head * dh + e];
            }
            double inv = 1 / Math.sqrt(ms / dh + c.layerNormEps());
            for (int e = 0; e < dh; e++) {
                row[head * dh + e] *= inv * gain[e];
            }
        }
    }

    /** x W^T (+ b) for a torch Linear [out, in]. */
    private double[][] linear(double[][] x, String name, boolean bias) {
        double[][] y = ReferenceMath.linear(x, w.get(name + ".weight"));
        if (bias) {
            float[] b = w.get(name + ".bias").values();
            for (double[] row : y) {
                for (int o = 0; o < row.length; o++) {
                    row[o] += b[o];
                }
            }
        }
        return y;
    }
}
