package dev.attnstudio.engine.diagnose.rollout;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;

/**
 * The self-attention patterns of one stack for one batch row, restricted to its real positions: what rollout and flow
 * read. {@code heads[l][h]} is a row-major n x n matrix (query-major); rows are renormalized over the real keys.
 *
 * @param heads     [layer][head][n * n]
 * @param positions the positions of the real tokens in the pass (length n)
 * @param causal    whether the stack is causal
 */
public record LayerPatterns(float[][][] heads, int[] positions, boolean causal) {

    /** Tokens (n). */
    public int tokens() {
        return positions.length;
    }

    public int layers() {
        return heads.length;
    }

    /**
     * The prompt pass of a stepper: the self-attention of the model's output stack (an encoder-decoder's decoder),
     * batch row {@code row}, real positions only.
     */
    public static LayerPatterns of(Capabilities model, Stepper stepper, int row) {
        PassView pass = PassView.of(stepper).get(0);
        List<AttentionLayer> layers = new ArrayList<>();
        for (AttentionLayer l : AttentionLayer.all(model)) {
            if (!l.site().cross() && l.site().stack().equals(model.outputStack())) {
                layers.add(l);
            }
        }
        return of(pass, layers, row);
    }

    /**
     * The given self-attention layers (one stack, in order) of a pass, batch row {@code row}. A row that is not
     * finite (a broken mask) is kept as it is; rollout then yields NaN there.
     */
    public static LayerPatterns of(PassView pass, List<AttentionLayer> layers, int row) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no self-attention layers to roll out");
        }
        var cells = dev.attnstudio.engine.diagnose.AllowedCells.of(layers.get(0), pass.intended(layers.get(0)));
        int[] real = java.util.stream.IntStream.range(0, cells.queries()).filter(q -> cells.real(row, q)).toArray();
        float[][][] out = new float[layers.size()][][];
        for (int l = 0; l < layers.size(); l++) {
            TensorData p = pass.pattern(layers.get(l));
            int h = (int) p.shape()[1], t = (int) p.shape()[2], k = (int) p.shape()[3];
            if (t != k) {
                throw new IllegalArgumentException("rollout needs a prompt pass (queries = keys), got " + p.shapeString());
            }
            out[l] = new float[h][real.length * real.length];
            float[] v = p.values();
            for (int head = 0; head < h; head++) {
                for (int i = 0; i < real.length; i++) {
                    double sum = 0;
                    int base = ((row * h + head) * t + real[i]) * k;
                    for (int j = 0; j < real.length; j++) {
                        float w = v[base + real[j]];
                        out[l][head][i * real.length + j] = w;
                        sum += w;
                    }
                    if (sum > 0) {
                        for (int j = 0; j < real.length; j++) {
                            out[l][head][i * real.length + j] /= (float) sum;
                        }
                    }
                }
            }
        }
        return new LayerPatterns(out, real, layers.get(0).site().causal());
    }
}
