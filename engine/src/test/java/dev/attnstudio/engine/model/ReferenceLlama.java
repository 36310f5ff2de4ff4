package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.Map;

import static dev.attnstudio.engine.model.ReferenceMath.add;

/**
 * An independent LLaMA forward pass in plain Java doubles, with loops and no DJL, from Hugging Face tensor names:
 * RMSNorm, rotary embeddings in the rotate_half layout, grouped-query attention (query head j reads kv head
 * j / (H / Hkv)), causal softmax, SwiGLU. The engine is checked against it.
 */
final class ReferenceLlama {

    private final ModelConfig c;
    private final ModelConfig.Llama llama;
    private final Map<String, SafeTensors.Tensor> w;

    ReferenceLlama(ModelConfig c, Map<String, SafeTensors.Tensor> w) {
        this.c = c;
        this.llama = (ModelConfig.Llama) c.extra();
        this.w = w;
    }

    /** Logits [T][V] for one sequence, and the attention pattern of every layer [L][H][T][T]. */
    record Result(double[][] logits, double[][][][] patterns) {
    }

    Result forward(long[] ids) {
        int t = ids.length, d = c.dModel(), nh = c.nHead(), nkv = c.nKvHeads(), dh = c.dHead();
        int group = nh / nkv;
        double[][] x = new double[t][d];
        SafeTensors.Tensor embed = w.get("model.embed_tokens.weight");
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = embed.values()[(int) (ids[i] * d + j)];
            }
        }
        double[][][][] patterns = new double[c.nLayer()][nh][t][t];
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "model.layers." + l + ".";
            double[][] a = rmsNorm(x, p + "input_layernorm.weight");
            double[][] q = linear(a, p + "self_attn.q_proj.weight");
            double[][] k = linear(a, p + "self_attn.k_proj.weight");
            double[][] v = linear(a, p + "self_attn.v_proj.weight");
            for (int i = 0; i < t; i++) {
                rotate(q[i], nh, dh, i, llama.ropeTheta());
                rotate(k[i], nkv, dh, i, llama.ropeTheta());
            }
            double[][] z = new double[t][nh * dh];
            for (int head = 0; head < nh; head++) {
                int kvHead = head / group;
                for (int qi = 0; qi < t; qi++) {
                    double[] s = new double[qi + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki <= qi; ki++) {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += q[qi][head * dh + e] * k[ki][kvHead * dh + e];
                        }
                        s[ki] = dot / Math.sqrt(dh);
                        max = Math.max(max, s[ki]);
                    }
                    double sum = 0;
                    for (int ki = 0; ki <= qi; ki++) {
                        s[ki] = Math.exp(s[ki] - max);
                        sum += s[ki];
                    }
                    for (int ki = 0; ki <= qi; ki++) {
                        double weight = s[ki] / sum;
                        patterns[l][head][qi][ki] = weight;
                        for (int e = 0; e < dh; e++) {
                            z[qi][head * dh + e] += weight * v[ki][kvHead * dh + e];
                        }
                    }
                }
            }
            add(x, linear(z, p + "self_attn.o_proj.weight"));
            double[][] b = rmsNorm(x, p + "post_attention_layernorm.weight");
            double[][] gate = linear(b, p + "mlp.gate_proj.weight");
            double[][] up = linear(b, p + "mlp.up_proj.weight");
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < gate[i].length; j++) {
                    double g = gate[i][j];
                    gate[i][j] = g / (1 + Math.exp(-g)) * up[i][j];
                }
            }
            add(x, linear(gate, p + "mlp.down_proj.weight"));
        }
        double[][] f = rmsNorm(x, "model.norm.weight");
        double[][] logits = linear(f, llama.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
        return new Result(logits, patterns);
    }

    /**
     * Rotates the heads of one position in place: coordinates i and i + h/2 of each head turn by the angle
     * position * theta^(-2i/h) (Hugging Face's rotate_half layout).
     */
    static void rotate(double[] row, int heads, int dh, int position, double theta) {
        int half = dh / 2;
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                double angle = position * Math.pow(theta, -2.0 * i / dh);
                int a = head * dh + i, b = a + half;
                double x1 = row[a], x2 = row[b];
                row[a] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                row[b] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
            }
        }
    }

    private double[][] rmsNorm(double[][] x, String name) {
        return ReferenceMath.rmsNorm(x, w.get(name).values(), c.layerNormEps());
    }

    private double[][] linear(double[][] x, String name) {
        return ReferenceMath.linear(x, w.get(name));
    }
}
