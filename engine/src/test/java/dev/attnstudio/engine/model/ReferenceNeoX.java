package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.Map;

import static dev.attnstudio.engine.model.ReferenceMath.add;

/**
 * An independent GPT-NeoX forward pass in plain Java doubles, with loops and no DJL, from the checkpoint's own tensors
 * ({@code GPTNeoXForCausalLM} names), written from the equations of Hugging Face's {@code modeling_gpt_neox.py}:
 * <ul>
 *   <li>the fused {@code query_key_value} output viewed as [T, H, 3h] and chunked into q | k | v per head, so q of head
 *       n is output n 3h + e, k is n 3h + h + e, v is n 3h + 2h + e;</li>
 *   <li>partial rotary: the first r = int(h rotary_pct) coordinates of each head, i paired with i + r/2, turn by
 *       position theta^(-2i/r); coordinates r..h-1 are left alone;</li>
 *   <li>causal softmax of q.k / sqrt(h), dense with bias;</li>
 *   <li>parallel residual x + attn(ln1(x)) + mlp(ln2(x)), or sequential x' = x + attn(ln1(x)), x' + mlp(ln2(x'));</li>
 *   <li>exact GELU x Phi(x); final LayerNorm; logits = x embed_out^T.</li>
 * </ul>
 */
final class ReferenceNeoX {

    private static final String P = "gpt_neox.";

    private final ModelConfig c;
    private final NeoX neox;
    private final Map<String, SafeTensors.Tensor> w;

    ReferenceNeoX(ModelConfig c, Map<String, SafeTensors.Tensor> w) {
        this.c = c;
        this.neox = (NeoX) c.extra();
        this.w = w;
    }

    /** Logits [T][V] for one sequence, and the attention pattern of every layer [L][H][T][T]. */
    record Result(double[][] logits, double[][][][] patterns) {
    }

    Result forward(long[] ids) {
        int t = ids.length, d = c.dModel(), nh = c.nHead(), dh = c.dHead();
        int r = (int) (dh * neox.rotaryPct());
        double[][] x = new double[t][d];
        float[] embed = w.get(P + "embed_in.weight").values();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = embed[(int) (ids[i] * d + j)];
            }
        }
        double[][][][] patterns = new double[c.nLayer()][nh][t][t];
        for (int l = 0; l < c.nLayer(); l++) {
            String p = P + "layers." + l + ".";
            double[][] a = layerNorm(x, p + "input_layernorm");
            double[][] qkv = linear(a, p + "attention.query_key_value");   // [T, 3d], per head [q | k | v]
            double[][] q = new double[t][d];
            double[][] k = new double[t][d];
            double[][] v = new double[t][d];
            for (int i = 0; i < t; i++) {
                for (int head = 0; head < nh; head++) {
                    for (int e = 0; e < dh; e++) {
                        q[i][head * dh + e] = qkv[i][head * 3 * dh + e];
                        k[i][head * dh + e] = qkv[i][head * 3 * dh + dh + e];
                        v[i][head * dh + e] = qkv[i][head * 3 * dh + 2 * dh + e];
                    }
                }
                rotate(q[i], nh, dh, r, i, neox.ropeTheta());
                rotate(k[i], nh, dh, r, i, neox.ropeTheta());
            }
            double[][] z = new double[t][d];
            for (int head = 0; head < nh; head++) {
                for (int qi = 0; qi < t; qi++) {
                    double[] s = new double[qi + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki <= qi; ki++) {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += q[qi][head * dh + e] * k[ki][head * dh + e];
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
                            z[qi][head * dh + e] += weight * v[ki][head * dh + e];
                        }
                    }
                }
            }
            double[][] attnOut = linear(z, p + "attention.dense");
            if (neox.parallelResidual()) {
                double[][] mlpOut = mlp(layerNorm(x, p + "post_attention_layernorm"), p);
                add(x, attnOut);
                add(x, mlpOut);
            } else {
                add(x, attnOut);
                add(x, mlp(layerNorm(x, p + "post_attention_layernorm"), p));
            }
        }
        double[][] f = layerNorm(x, P + "final_layer_norm");
        SafeTensors.Tensor unembed = neox.tiedEmbeddings() ? w.get(P + "embed_in.weight") : w.get("embed_out.weight");
        return new Result(ReferenceMath.linear(f, unembed), patterns);
    }

    /**
     * Rotates the first {@code r} coordinates of each head of one position in place: i and i + r/2 turn by the angle
     * position * theta^(-2i/r); coordinates r..h-1 stay.
     */
    static void rotate(double[] row, int heads, int dh, int r, int position, double theta) {
        int half = r / 2;
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                double angle = position * Math.pow(theta, -2.0 * i / r);
                int a = head * dh + i, b = a + half;
                double x1 = row[a], x2 = row[b];
                row[a] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                row[b] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
            }
        }
    }

    /** dense_4h_to_h(gelu(dense_h_to_4h(x))), with the exact GELU x Phi(x) = x (1 + erf(x / sqrt 2)) / 2. */
    private double[][] mlp(double[][] x, String p) {
        double[][] h = linear(x, p + "mlp.dense_h_to_4h");
        for (double[] row : h) {
            for (int j = 0; j < row.length; j++) {
                row[j] = 0.5 * row[j] * (1 + erf(row[j] / Math.sqrt(2)));
            }
        }
        return linear(h, p + "mlp.dense_4h_to_h");
    }

    /**
     * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)): every term positive, so no cancellation;
     * converged to double precision for |x| <= 6, beyond which erf is +-1 to 1e-16.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 6) {
            return Math.signum(x);
        }
        double term = ax;
        double sum = ax;
        for (int n = 1; n < 500 && term > 1e-17 * sum; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
    }

    /** (x - mean) / sqrt(var + eps) * gamma + beta over each row (biased variance, as torch's LayerNorm). */
    private double[][] layerNorm(double[][] x, String name) {
        float[] gamma = w.get(name + ".weight").values();
        float[] beta = w.get(name + ".bias").values();
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            double inv = 1 / Math.sqrt(var + c.layerNormEps());
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = (x[i][j] - mean) * inv * gamma[j] + beta[j];
            }
        }
        return out;
    }

    /** x W^T + b for a torch Linear [out, in] (no b when the checkpoint has none). */
    private double[][] linear(double[][] x, String name) {
        double[][] y = ReferenceMath.linear(x, w.get(name + ".weight"));
        SafeTensors.Tensor bias = w.get(name + ".bias");
        if (bias != null) {
            for (double[] row : y) {
                for (int o = 0; o < row.length; o++) {
                    row[o] += bias.values()[o];
                }
            }
        }
        return y;
    }
}
