package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each cross-attention head of a reversing encoder-decoder looks, measured from
 * {@code decoder.blocks.{l}.cross_attn.hook_pattern} [B, H, T, S] (read through the engine's stepper) with the decoder
 * teacher-forced on the held-out strings of {@link ReverseTask#evalSet()}. Decoder position j (j = 0..N-1) reads the
 * start token and the first j reversed letters and predicts output letter j, which is input letter N-1-j. All scores
 * are means over those queries of every held-out string, [decoder layer][head], in [0, 1].
 *
 * @param mirror         weight on source position N-1-j: the letter being written (the alignment of a reversal)
 * @param mirrorArgmax   share of queries whose most-weighted source position is N-1-j
 * @param previous       weight on source position N-j, where the letter just read came from (j >= 1 only): what a
 *                       head that finds the previous output by its content and reads its neighbour would look at
 * @param end            weight on the {@code </s>} at source position N
 * @param chance         what uniform attention over the N+1 source positions scores on {@code mirror}
 */
public record CrossAlignment(double[][] mirror, double[][] mirrorArgmax, double[][] previous, double[][] end,
                             double chance) {

    /** A head whose mirror score is above this is named an alignment head. */
    public static final double ALIGNED_THRESHOLD = 0.5;

    /** The cross-attention pattern of decoder layer {@code layer}. */
    static String patternHook(int layer) {
        return HookName.Stack.DECODER.at(HookName.Block.CROSS_PATTERN, layer);
    }

    /** Measures every decoder head on the held-out set. */
    public static CrossAlignment measure(TransformerModel model) {
        ModelConfig.T5 t5 = (ModelConfig.T5) model.config().extra();
        int layers = t5.nDecoderLayers();
        int heads = model.config().nHead();
        double[][] mirror = new double[layers][heads];
        double[][] argmax = new double[layers][heads];
        double[][] previous = new double[layers][heads];
        double[][] end = new double[layers][heads];
        long queries = 0;
        long previousQueries = 0;
        double chance = 0;
        try (Stepper stepper = new Stepper(model, new Stepper.Options(Capture.COMPACT, Interventions.NONE, false))) {
            for (ReverseTask.Examples e : ReverseTask.evalSet()) {
                int n = e.letters();
                stepper.reset(Batch.of(e.encoder()).withDecoder(teacherForced(e)));
                stepper.runToEnd();
                for (int l = 0; l < layers; l++) {
                    TensorData p = stepper.read(patternHook(l)); // [B, H, N+1, N+1]
                    for (int b = 0; b < e.size(); b++) {
                        for (int h = 0; h < heads; h++) {
                            for (int j = 0; j < n; j++) {
                                float w = p.get(b, h, j, n - 1 - j);
                                mirror[l][h] += w;
                                end[l][h] += p.get(b, h, j, n);
                                if (j > 0) {
                                    previous[l][h] += p.get(b, h, j, n - j);
                                }
                                int best = 0;
                                for (int i = 1; i <= n; i++) {
                                    if (p.get(b, h, j, i) > p.get(b, h, j, best)) {
                                        best = i;
                                    }
                                }
                                if (best == n - 1 - j) {
                                    argmax[l][h]++;
                                }
                            }
                        }
                    }
                }
                queries += (long) e.size() * n;
                previousQueries += (long) e.size() * (n - 1);
                chance += (double) e.size() * n / (n + 1);
            }
        }
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                mirror[l][h] /= queries;
                argmax[l][h] /= queries;
                end[l][h] /= queries;
                previous[l][h] /= previousQueries;
            }
        }
        return new CrossAlignment(mirror, argmax, previous, end, chance / queries);
    }

    /** The decoder's teacher-forced input [B][N+1]: the start token and the reversed letters (not the final {@code </s>}). */
    static long[][] teacherForced(ReverseTask.Examples e) {
        long[][] in = new long[e.size()][];
        for (int b = 0; b < e.size(); b++) {
            in[b] = Arrays.copyOf(e.decoder()[b], e.letters() + 1);
        }
        return in;
    }

    /**
     * Every decoder head's cross-attention on one string, teacher-forced: [layer][head][decoder position j][source
     * position], j = 0..N (the last predicts {@code </s>}).
     */
    public static float[][][][] patterns(TransformerModel model, ReverseTask.Examples one) {
        int layers = ((ModelConfig.T5) model.config().extra()).nDecoderLayers();
        int heads = model.config().nHead();
        int n = one.letters();
        float[][][][] out = new float[layers][heads][n + 1][n + 1];
        try (Stepper stepper = new Stepper(model, new Stepper.Options(Capture.COMPACT, Interventions.NONE, false))) {
            stepper.reset(Batch.of(one.encoder()).withDecoder(teacherForced(one)));
            stepper.runToEnd();
            for (int l = 0; l < layers; l++) {
                TensorData p = stepper.read(patternHook(l));
                for (int h = 0; h < heads; h++) {
                    for (int j = 0; j <= n; j++) {
                        for (int i = 0; i <= n; i++) {
                            out[l][h][j][i] = p.get(0, h, j, i);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Heads whose mirror score is above {@link #ALIGNED_THRESHOLD}, as {@code "layer.head"} (decoder layers). */
    public List<String> alignedHeads() {
        List<String> out = new ArrayList<>();
        for (int l = 0; l < mirror.length; l++) {
            for (int h = 0; h < mirror[l].length; h++) {
                if (mirror[l][h] > ALIGNED_THRESHOLD) {
                    out.add(l + "." + h);
                }
            }
        }
        return out;
    }

    /** The head with the highest mirror score, as {layer, head}. */
    public int[] bestHead() {
        int[] best = {0, 0};
        for (int l = 0; l < mirror.length; l++) {
            for (int h = 0; h < mirror[l].length; h++) {
                if (mirror[l][h] > mirror[best[0]][best[1]]) {
                    best = new int[] {l, h};
                }
            }
        }
        return best;
    }
}
