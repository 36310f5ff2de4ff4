package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.TensorData;

/**
 * One head's attention in one pass, as [T][K] tables of doubles read from the trace: the raw and scaled scores, the
 * applied mask, the pattern, and what each {@link Variant} of the computation gives. The variants recompute from
 * {@code hook_qk_raw} and the stack's position bias, so they follow whatever the trace holds (interventions
 * included) except for the one step they get wrong.
 */
final class AttentionMap {

    final AttentionLayer layer;
    final int row;
    final int head;
    final int queries;
    final int keys;
    private final EngineContext ctx;
    private final Integer pass;
    private final double[][] raw;
    private final double[][] scaled;
    private final double[][] bias;
    private final int dModel;
    private final int past;
    private final MaskSpec spec;
    private double[][] applied;   // 0 or -inf, as the pass applied it; read when first needed
    private boolean[][] intended; // the model's own rule and the padding
    private double[][] pattern;

    private AttentionMap(EngineContext ctx, Integer pass, AttentionLayer layer, int row, int head, double[][] raw,
                         double[][] scaled, double[][] bias, MaskSpec spec) {
        this.ctx = ctx;
        this.pass = pass;
        this.layer = layer;
        this.row = row;
        this.head = head;
        this.queries = raw.length;
        this.keys = raw.length == 0 ? 0 : raw[0].length;
        this.raw = raw;
        this.scaled = scaled;
        this.bias = bias;
        this.spec = spec;
        this.dModel = ctx.config().dModel();
        this.past = spec == null ? 0 : spec.past();
    }

    /** Reads one head of one sub-layer in a pass (null: the pass under the cursor). */
    static AttentionMap read(EngineContext ctx, ProbeCall call) {
        AttentionLayer layer = Sites.layer(ctx.capabilities(), call.string("stack", null), call.integer("layer"), ctx.name());
        int head = call.integer("head");
        Sites.checkHead(ctx.capabilities(), head, ctx.name());
        return read(ctx, layer, call.integer("row", 0), head, call.optionalInteger("pass"));
    }

    static AttentionMap read(EngineContext ctx, AttentionLayer layer, int row, int head, Integer pass) {
        TensorData qk = ctx.read(layer.hook(HookName.Block.QK_RAW), pass);
        if (row < 0 || row >= qk.shape()[0]) {
            throw new ProbeException("row", "row " + row + " does not exist: the batch has " + qk.shape()[0] + " row(s)");
        }
        TensorData unmasked = ctx.read(layer.hook(HookName.Block.ATTN_SCORES_UNMASKED), pass);
        Program program = ctx.trace(pass).program();
        int maskStep = program.indexOf(layer.hook(HookName.Block.MASK));
        MaskSpec spec = maskStep < 0 ? null : program.op(maskStep).mask();
        int t = (int) qk.shape()[2];
        int k = (int) qk.shape()[3];
        double[][] bias = new double[t][k];
        String biasHook = positionBias(layer);
        if (biasHook != null && program.indexOf(biasHook) >= 0) {
            bias = slice(ctx.read(biasHook, pass), 0, head, t, k);
        }
        return new AttentionMap(ctx, pass, layer, row, head, slice(qk, row, head, t, k), slice(unmasked, row, head, t, k),
                bias, spec);
    }

    /** Reads the applied mask and the intended one, the first time either is needed. */
    private void readMasks() {
        if (applied != null) {
            return;
        }
        TensorData mask = ctx.read(layer.hook(HookName.Block.MASK), pass);
        long[] ms = mask.shape();
        applied = new double[queries][keys];
        intended = new boolean[queries][keys];
        for (int q = 0; q < queries; q++) {
            float[] m = mask.row(ms[0] == 1 ? 0 : row, 0, ms[2] == 1 ? 0 : q);
            for (int key = 0; key < keys; key++) {
                applied[q][key] = m[key];
                intended[q][key] = spec == null || spec.allowed(row, q, key);
            }
        }
    }

    private double[][] pattern() {
        if (pattern == null) {
            pattern = slice(ctx.read(layer.hook(HookName.Block.PATTERN), pass), row, head, queries, keys);
        }
        return pattern;
    }

    /** The stack's position-bias hook for self-attention (T5), or null. */
    private static String positionBias(AttentionLayer layer) {
        if (layer.site().cross() || layer.site().stack().id() == null) {
            return null;
        }
        return layer.site().stack().id().at(HookName.Model.POSITION_BIAS);
    }

    private static double[][] slice(TensorData d, int row, int head, int t, int k) {
        double[][] out = new double[t][k];
        for (int q = 0; q < t; q++) {
            float[] r = d.row(row, head, q);
            for (int key = 0; key < k; key++) {
                out[q][key] = r[key];
            }
        }
        return out;
    }

    /** Absolute position of query q (past + q in a decode pass). */
    int position(int q) {
        return past + q;
    }

    /** The scores before the mask, computed as the variant would. */
    double[][] scores(Variant v) {
        return switch (v) {
            case SCALED_BY_D_MODEL -> rescaled(1 / Math.sqrt(dModel));
            case UNSCALED -> rescaled(1);
            default -> scaled;
        };
    }

    double[][] raw() {
        return raw;
    }

    /** Scores plus the applied mask (or, for the intended-mask variant, the intended one). */
    double[][] maskedScores(Variant v) {
        readMasks();
        double[][] s = scores(v);
        double[][] out = new double[queries][keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                out[q][k] = v == Variant.INTENDED_MASK ? (intended[q][k] ? s[q][k] : Double.NEGATIVE_INFINITY)
                        : s[q][k] + applied[q][k];
            }
        }
        return out;
    }

    private double[][] rescaled(double factor) {
        double[][] out = new double[queries][keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                out[q][k] = raw[q][k] * factor + bias[q][k];
            }
        }
        return out;
    }

    /** Whether key k is allowed for query q: by the applied mask, or by the model's intended one. */
    boolean allowed(int q, int k, boolean intendedMask) {
        readMasks();
        return intendedMask ? intended[q][k] : Double.isFinite(applied[q][k]);
    }

    /** The attention weights [T][K] as the variant computes them. */
    double[][] weights(Variant v) {
        return switch (v) {
            case AS_COMPUTED -> pattern();
            case INTENDED_MASK, SCALED_BY_D_MODEL, UNSCALED -> rows(maskedScores(v));
            case SOFTMAX_OVER_QUERIES -> transpose(rows(transpose(maskedScores(Variant.AS_COMPUTED))));
            case MASK_AFTER_SOFTMAX -> {
                double[][] w = rows(scaled);
                for (int q = 0; q < queries; q++) {
                    for (int k = 0; k < keys; k++) {
                        if (!allowed(q, k, true)) {
                            w[q][k] = 0;
                        }
                    }
                }
                yield w;
            }
            case EPS_OUTSIDE_SQRT -> throw new ProbeException("variant", "eps-outside-sqrt is a layer-norm variant");
        };
    }

    /** Softmax of every row; a row with no finite score is all zeros (the engine's convention). */
    static double[][] rows(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = softmax(x[i]);
        }
        return out;
    }

    static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (double v : x) {
            nan |= Double.isNaN(v);
            max = Math.max(max, v);
        }
        double[] out = new double[x.length];
        if (nan) {
            java.util.Arrays.fill(out, Double.NaN);
            return out;
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return out;
        }
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.exp(x[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < x.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    static double[][] transpose(double[][] x) {
        int r = x.length;
        int c = r == 0 ? 0 : x[0].length;
        double[][] out = new double[c][r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j][i] = x[i][j];
            }
        }
        return out;
    }

    /** @throws ProbeException naming {@code param} when q is not a query of this pass */
    void checkQuery(int q, String param) {
        if (q < 0 || q >= queries) {
            throw new ProbeException(param, "query " + q + " does not exist: this pass has " + queries + " queries (0-"
                    + (queries - 1) + ")");
        }
    }

    void checkKey(int k, String param) {
        if (k < 0 || k >= keys) {
            throw new ProbeException(param, "key " + k + " does not exist: this pass has " + keys + " keys (0-"
                    + (keys - 1) + ")");
        }
    }
}
