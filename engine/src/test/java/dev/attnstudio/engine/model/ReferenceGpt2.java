package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.Map;

import static dev.attnstudio.engine.model.ReferenceMath.add;

/**
 * An independent GPT-2 forward pass in plain Java doubles, written from the paper's equations with loops, no
 * DJL. The engine is checked against it.
 */
final class ReferenceGpt2 {

    private final ModelConfig c;
    private final Map<String, SafeTensors.Tensor> w;

    ReferenceGpt2(ModelConfig c, Map<String, SafeTensors.Tensor> w) {
        this.c = c;
        this.w = w;
    }

    /** Logits [T][V] for one sequence, and the attention pattern of every layer [L][H][T][T]. */
    record Result(double[][] logits, double[][][][] patterns) {
    }

    Result forward(long[] ids) {
        int t = ids.length, d = c.dModel(), nh = c.nHead(), dh = c.dHead();
        double[][] x = new double[t][d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = at("wte.weight", ids[i], j) + at("wpe.weight", i, j);
            }
        }
        double[][][][] patterns = new double[c.nLayer()][nh][t][t];
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "h." + l + ".";
            double[][] a = layerNorm(x, h + "ln_1");
            double[][] qkv = linear(a, h + "attn.c_attn");
            double[][] z = new double[t][d];
            for (int head = 0; head < nh; head++) {
                for (int q = 0; q < t; q++) {
                    double[] s = new double[q + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k <= q; k++) {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += qkv[q][head * dh + e] * qkv[k][d + head * dh + e];
                        }
                        s[k] = dot / Math.sqrt(dh);
                        max = Math.max(max, s[k]);
                    }
                    double sum = 0;
                    for (int k = 0; k <= q; k++) {
                        s[k] = Math.exp(s[k] - max);
                        sum += s[k];
                    }
                    for (int k = 0; k <= q; k++) {
                        double p = s[k] / sum;
                        patterns[l][head][q][k] = p;
                        for (int e = 0; e < dh; e++) {
                            z[q][head * dh + e] += p * qkv[k][2 * d + head * dh + e];
                        }
                    }
                }
            }
            add(x, linear(z, h + "attn.c_proj"));
            double[][] m = linear(layerNorm(x, h + "ln_2"), h + "mlp.c_fc");
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    double v = row[j];
                    row[j] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                }
            }
            add(x, linear(m, h + "mlp.c_proj"));
        }
        double[][] f = layerNorm(x, "ln_f");
        double[][] logits = new double[t][c.vocabSize()];
        for (int i = 0; i < t; i++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += f[i][j] * at("wte.weight", v, j);
                }
                logits[i][v] = dot;
            }
        }
        return new Result(logits, patterns);
    }

    private double at(String name, long row, int col) {
        SafeTensors.Tensor t = w.get(name);
        return t.values()[(int) (row * t.shape()[1] + col)];
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] g = w.get(name + ".weight").values();
        float[] b = w.get(name + ".bias").values();
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            double mean = 0, var = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = (x[i][j] - mean) / Math.sqrt(var + c.layerNormEps()) * g[j] + b[j];
            }
        }
        return out;
    }

    /** x [T, in] . W [in, out] + b (Conv1D layout). */
    private double[][] linear(double[][] x, String name) {
        SafeTensors.Tensor wt = w.get(name + ".weight");
        float[] b = w.get(name + ".bias").values();
        int in = (int) wt.shape()[0], out = (int) wt.shape()[1];
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * wt.values()[k * out + o];
                }
                y[i][o] = s;
            }
        }
        return y;
    }
}
