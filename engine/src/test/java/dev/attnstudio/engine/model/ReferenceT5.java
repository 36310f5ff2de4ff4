package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.Map;

import static dev.attnstudio.engine.model.ReferenceMath.add;

/**
 * An independent T5 forward pass in plain Java doubles, with loops and no DJL, from Hugging Face tensor names and the
 * equations of the T5 paper and {@code modeling_t5}: RMS norm without mean or bias, unscaled q . k plus the relative
 * position bias of the stack (bucketed here in double precision), padded source keys excluded, causal decoder
 * self-attention, cross-attention without bias, ReLU or gated gelu_new feed-forward, the d_model^-0.5 factor before a
 * tied unembedding. The engine is checked against it.
 */
final class ReferenceT5 {

    private final ModelConfig c;
    private final ModelConfig.T5 t5;
    private final Map<String, SafeTensors.Tensor> w;

    ReferenceT5(ModelConfig c, Map<String, SafeTensors.Tensor> w) {
        this.c = c;
        this.t5 = (ModelConfig.T5) c.extra();
        this.w = w;
    }

    /**
     * For one row: logits [T][V]; patterns [layer][head][query][key] of the encoder [S][S], the decoder's
     * self-attention [T][T] and its cross-attention [T][S] (0 on keys a query may not see).
     */
    record Result(double[][] logits, double[][][][] encoder, double[][][][] decoder, double[][][][] cross) {
    }

    /** @param sourceMask 1 = a real source token, 0 = padding */
    Result forward(long[] source, long[] sourceMask, long[] target) {
        int s = source.length, t = target.length;
        double[][][][] encPatterns = new double[c.nLayer()][][][];
        double[][] x = embed(source);
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "encoder.block." + l + ".layer.";
            double[][] a = rmsNorm(x, p + "0.layer_norm.weight");
            double[][][] bias = bias("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", true, s, s);
            double[][][] pattern = new double[c.nHead()][][];
            add(x, attention(a, a, p + "0.SelfAttention.", bias, (q, k) -> sourceMask[k] != 0, pattern));
            encPatterns[l] = pattern;
            add(x, feedForward(rmsNorm(x, p + "1.layer_norm.weight"), p + "1.DenseReluDense."));
        }
        double[][] encoded = rmsNorm(x, "encoder.final_layer_norm.weight");

        double[][][][] decPatterns = new double[t5.nDecoderLayers()][][][];
        double[][][][] crossPatterns = new double[t5.nDecoderLayers()][][][];
        double[][] y = embed(target);
        for (int l = 0; l < t5.nDecoderLayers(); l++) {
            String p = "decoder.block." + l + ".layer.";
            double[][] a = rmsNorm(y, p + "0.layer_norm.weight");
            double[][][] bias = bias("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", false, t, t);
            decPatterns[l] = new double[c.nHead()][][];
            add(y, attention(a, a, p + "0.SelfAttention.", bias, (q, k) -> k <= q, decPatterns[l]));
            crossPatterns[l] = new double[c.nHead()][][];
            double[][] b = rmsNorm(y, p + "1.layer_norm.weight");
            add(y, attention(b, encoded, p + "1.EncDecAttention.", null, (q, k) -> sourceMask[k] != 0, crossPatterns[l]));
            add(y, feedForward(rmsNorm(y, p + "2.layer_norm.weight"), p + "2.DenseReluDense."));
        }
        double[][] out = rmsNorm(y, "decoder.final_layer_norm.weight");
        if (t5.tiedEmbeddings()) {
            double factor = 1 / Math.sqrt(c.dModel());
            for (double[] row : out) {
                for (int j = 0; j < row.length; j++) {
                    row[j] *= factor;
                }
            }
        }
        double[][] logits = linear(out, t5.tiedEmbeddings() ? "shared.weight" : "lm_head.weight");
        return new Result(logits, encPatterns, decPatterns, crossPatterns);
    }

    interface Visible {
        boolean test(int query, int key);
    }

    /** Multi-head attention of queries from x to keys and values from kv; fills pattern[head][q][k]. */
    private double[][] attention(double[][] x, double[][] kv, String prefix, double[][][] bias, Visible visible,
                                 double[][][] pattern) {
        int nh = c.nHead(), dk = c.dHead();
        double[][] q = linear(x, prefix + "q.weight");
        double[][] k = linear(kv, prefix + "k.weight");
        double[][] v = linear(kv, prefix + "v.weight");
        double[][] z = new double[x.length][nh * dk];
        for (int h = 0; h < nh; h++) {
            pattern[h] = new double[x.length][kv.length];
            for (int i = 0; i < x.length; i++) {
                double[] score = new double[kv.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < kv.length; j++) {
                    if (!visible.test(i, j)) {
                        continue;
                    }
                    double dot = 0;
                    for (int e = 0; e < dk; e++) {
                        dot += q[i][h * dk + e] * k[j][h * dk + e];
                    }
                    score[j] = dot + (bias == null ? 0 : bias[h][i][j]); // T5: no 1/sqrt(d_kv)
                    max = Math.max(max, score[j]);
                }
                double sum = 0;
                for (int j = 0; j < kv.length; j++) {
                    if (visible.test(i, j)) {
                        score[j] = Math.exp(score[j] - max);
                        sum += score[j];
                    }
                }
                for (int j = 0; j < kv.length; j++) {
                    double p = visible.test(i, j) ? score[j] / sum : 0;
                    pattern[h][i][j] = p;
                    for (int e = 0; e < dk; e++) {
                        z[i][h * dk + e] += p * v[j][h * dk + e];
                    }
                }
            }
        }
        return linear(z, prefix + "o.weight");
    }

    /** bias[h][q][k] = table[bucket(k - q)][h]. */
    private double[][][] bias(String table, boolean bidirectional, int queries, int keys) {
        float[] tab = w.get(table).values(); // [buckets, H]
        int nh = c.nHead();
        double[][][] b = new double[nh][queries][keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                int bucket = bucket(k - q, bidirectional, t5.buckets(), t5.maxDistance());
                for (int h = 0; h < nh; h++) {
                    b[h][q][k] = tab[bucket * nh + h];
                }
            }
        }
        return b;
    }

    /** T5's bucketing, written from the paper's description in double precision. */
    static int bucket(int relative, boolean bidirectional, int buckets, int maxDistance) {
        int half = bidirectional ? buckets / 2 : buckets;
        int base = bidirectional && relative > 0 ? half : 0;
        int n = bidirectional ? Math.abs(relative) : Math.max(0, -relative);
        int exact = half / 2;
        if (n < exact) {
            return base + n;
        }
        double fraction = Math.log(n / (double) exact) / Math.log(maxDistance / (double) exact);
        return base + Math.min(half - 1, exact + (int) Math.floor(fraction * (half - exact)));
    }

    private double[][] feedForward(double[][] x, String prefix) {
        double[][] h;
        if (t5.gatedGelu()) {
            double[][] gate = linear(x, prefix + "wi_0.weight");
            double[][] lin = linear(x, prefix + "wi_1.weight");
            h = new double[x.length][gate[0].length];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < gate[i].length; j++) {
                    double g = gate[i][j];
                    double gelu = 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)));
                    h[i][j] = gelu * lin[i][j];
                }
            }
        } else {
            h = linear(x, prefix + "wi.weight");
            for (double[] row : h) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.max(0, row[j]);
                }
            }
        }
        return linear(h, prefix + "wo.weight");
    }

    private double[][] embed(long[] ids) {
        int d = c.dModel();
        float[] e = w.get("shared.weight").values();
        double[][] x = new double[ids.length][d];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = e[(int) ids[i] * d + j];
            }
        }
        return x;
    }

    private double[][] rmsNorm(double[][] x, String name) {
        return ReferenceMath.rmsNorm(x, w.get(name).values(), c.layerNormEps());
    }

    private double[][] linear(double[][] x, String name) {
        return ReferenceMath.linear(x, w.get(name));
    }
}
