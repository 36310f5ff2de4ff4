package dev.attnstudio.engine.diagnose.diff;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.JensenShannon;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.diagnose.heads.PatternStats;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two checkpoints of one architecture on the same prompts: how each head's attention moved (Jensen-Shannon divergence
 * between the two checkpoints' rows of the same head, {@link JensenShannon}, averaged over rows), how its entropy,
 * previous-token, duplicate-token and induction scores changed (B - A), and per-token KL(p_A || p_B) of the outputs
 * (models with logits). Checkpoints of different architectures are refused, naming what differs.
 *
 * @param heads    one entry per head of every attention sub-layer
 * @param tokenKl  [row][position] KL(p_A || p_B) of the next-token distributions, over every prompt batch in turn
 *                 (empty for encoders)
 * @param meanKl   mean of tokenKl over real positions (NaN for encoders)
 */
public record CheckpointDiff(List<HeadDiff> heads, List<double[]> tokenKl, double meanKl) {

    /**
     * One head across the two checkpoints.
     *
     * @param js               mean JS divergence between A's and B's rows (nats)
     * @param entropyA         mean normalized entropy under A
     * @param entropyB         under B
     * @param previousTokenDelta B - A of the previous-token score
     * @param duplicateDelta   B - A of the duplicate-token score on the probe
     * @param inductionA       induction score under A
     * @param inductionB       under B
     */
    public record HeadDiff(String site, int layer, int head, double js, double entropyA, double entropyB,
                           double previousTokenDelta, double duplicateDelta, double inductionA, double inductionB) {
        public double entropyDelta() {
            return entropyB - entropyA;
        }

        public double inductionDelta() {
            return inductionB - inductionA;
        }
    }

    /**
     * @throws IllegalArgumentException if the two models are not the same architecture (the message names the
     *                                  difference: a geometry field, or a weight one has and the other lacks)
     */
    public static CheckpointDiff of(TransformerModel a, TransformerModel b, List<Batch> prompts, InductionProbe probe) {
        requireSameArchitecture(a, b);
        Capabilities c = a.capabilities();
        List<AttentionLayer> layers = AttentionLayer.all(c);
        Map<AttentionLayer, PatternStats> statsA = new LinkedHashMap<>();
        Map<AttentionLayer, PatternStats> statsB = new LinkedHashMap<>();
        Map<AttentionLayer, double[]> jsSum = new LinkedHashMap<>();
        Map<AttentionLayer, long[]> jsRows = new LinkedHashMap<>();
        for (AttentionLayer l : layers) {
            statsA.put(l, new PatternStats(l, c.heads()));
            statsB.put(l, new PatternStats(l, c.heads()));
            jsSum.put(l, new double[c.heads()]);
            jsRows.put(l, new long[c.heads()]);
        }
        List<double[]> tokenKl = new ArrayList<>();
        double klSum = 0;
        long klN = 0;
        Stepper.Options options = Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false);
        try (Stepper sa = new Stepper(a, options); Stepper sb = new Stepper(b, options)) {
            for (Batch batch : prompts) {
                sa.reset(batch);
                sa.runToEnd();
                sb.reset(batch);
                sb.runToEnd();
                PassView pa = PassView.of(sa).get(0);
                PassView pb = PassView.of(sb).get(0);
                for (AttentionLayer l : layers) {
                    AllowedCells cells = AllowedCells.of(l, pa.intended(l));
                    TensorData x = pa.pattern(l);
                    TensorData y = pb.pattern(l);
                    long[][] keyIds = new long[pa.batch()][];
                    for (int r = 0; r < keyIds.length; r++) {
                        keyIds[r] = pa.keyIds(l, r);
                    }
                    statsA.get(l).add(x, cells, keyIds, SpecialTokens.NONE);
                    statsB.get(l).add(y, cells, keyIds, SpecialTokens.NONE);
                    addJs(x, y, cells, jsSum.get(l), jsRows.get(l));
                }
                if (c.generates()) {
                    double[][] kl = kl(sa, sb, batch);
                    for (double[] row : kl) {
                        tokenKl.add(row);
                        for (double v : row) {
                            if (!Double.isNaN(v)) {
                                klSum += v;
                                klN++;
                            }
                        }
                    }
                }
            }
        }
        Map<AttentionLayer, InductionProbe.Scores[]> probeA = probe.measure(a);
        Map<AttentionLayer, InductionProbe.Scores[]> probeB = probe.measure(b);
        List<HeadDiff> heads = new ArrayList<>();
        for (AttentionLayer l : layers) {
            for (int h = 0; h < c.heads(); h++) {
                long n = jsRows.get(l)[h];
                heads.add(new HeadDiff(l.siteLabel(), l.layer(), h, n == 0 ? Double.NaN : jsSum.get(l)[h] / n,
                        statsA.get(l).entropyMean(h), statsB.get(l).entropyMean(h),
                        statsB.get(l).previousToken(h) - statsA.get(l).previousToken(h),
                        probeB.get(l)[h].duplicate() - probeA.get(l)[h].duplicate(), probeA.get(l)[h].induction(),
                        probeB.get(l)[h].induction()));
            }
        }
        return new CheckpointDiff(heads, tokenKl, klN == 0 ? Double.NaN : klSum / klN);
    }

    /** The diff of one head. */
    public HeadDiff head(String site, int layer, int head) {
        return heads.stream().filter(d -> d.site().equals(site) && d.layer() == layer && d.head() == head).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no head " + site + " L" + layer + " H" + head));
    }

    private static void addJs(TensorData x, TensorData y, AllowedCells cells, double[] sum, long[] rows) {
        long[] s = x.shape();
        int b = (int) s[0], h = (int) s[1], t = (int) s[2], k = (int) s[3];
        float[] p = x.values();
        float[] q = y.values();
        for (int row = 0; row < b; row++) {
            for (int i = 0; i < t; i++) {
                if (!cells.real(row, i) || cells.count(row, i) == 0) {
                    continue;
                }
                int[] keys = new int[cells.count(row, i)];
                int n = 0;
                for (int key = 0; key < k; key++) {
                    if (cells.allowed(row, i, key)) {
                        keys[n++] = key;
                    }
                }
                for (int head = 0; head < h; head++) {
                    int base = ((row * h + head) * t + i) * k;
                    double js = JensenShannon.rows(p, base, q, base, keys);
                    if (Double.isFinite(js)) {
                        sum[head] += js;
                        rows[head]++;
                    }
                }
            }
        }
    }

    /** KL(p_A || p_B) at every position of every row [B][T]; NaN at padding positions. */
    private static double[][] kl(Stepper sa, Stepper sb, Batch batch) {
        TensorData la = sa.group().trace().read(HookName.Model.LOGITS.id);
        TensorData lb = sb.group().trace().read(HookName.Model.LOGITS.id);
        long[] s = la.shape();
        int rows = (int) s[0], t = (int) s[1], v = (int) s[2];
        float[] x = la.values();
        float[] y = lb.values();
        double[][] out = new double[rows][t];
        boolean twoStacks = batch.decoderIds() != null;
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < t; p++) {
                if (!twoStacks && batch.attentionMask()[r][p] == 0) {
                    out[r][p] = Double.NaN;
                    continue;
                }
                int base = (r * t + p) * v;
                double za = logSumExp(x, base, v);
                double zb = logSumExp(y, base, v);
                double kl = 0;
                for (int i = 0; i < v; i++) {
                    double lpa = x[base + i] - za;
                    double lpb = y[base + i] - zb;
                    kl += Math.exp(lpa) * (lpa - lpb);
                }
                out[r][p] = Math.max(0, kl);
            }
        }
        return out;
    }

    private static double logSumExp(float[] x, int base, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[base + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[base + i] - max);
        }
        return max + Math.log(sum);
    }

    /** Refuses two models whose geometry or weight names and shapes differ. */
    static void requireSameArchitecture(TransformerModel a, TransformerModel b) {
        ModelConfig x = a.config();
        ModelConfig y = b.config();
        List<String> diffs = new ArrayList<>();
        compare(diffs, "architecture", a.capabilities().family(), b.capabilities().family());
        compare(diffs, "n_layer", x.nLayer(), y.nLayer());
        compare(diffs, "n_head", x.nHead(), y.nHead());
        compare(diffs, "d_model", x.dModel(), y.dModel());
        compare(diffs, "d_mlp", x.dMlp(), y.dMlp());
        compare(diffs, "vocab_size", x.vocabSize(), y.vocabSize());
        compare(diffs, "n_positions", x.nPositions(), y.nPositions());
        compare(diffs, "family settings", x.familySettings(), y.familySettings());
        if (diffs.isEmpty()) {
            Map<String, NDArray> pa = parameters(a);
            Map<String, NDArray> pb = parameters(b);
            if (pa != null && pb != null) {
                for (String name : pa.keySet()) {
                    if (!pb.containsKey(name)) {
                        diffs.add("weight " + name + " is in A but not in B");
                    } else if (!Arrays.equals(pa.get(name).getShape().getShape(), pb.get(name).getShape().getShape())) {
                        diffs.add("weight " + name + " is " + pa.get(name).getShape() + " in A, " + pb.get(name).getShape()
                                + " in B");
                    }
                }
                for (String name : pb.keySet()) {
                    if (!pa.containsKey(name)) {
                        diffs.add("weight " + name + " is in B but not in A");
                    }
                }
            }
        }
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("the checkpoints are not one architecture: " + String.join("; ",
                    diffs.subList(0, Math.min(5, diffs.size()))) + (diffs.size() > 5 ? "; ..." : ""));
        }
    }

    private static void compare(List<String> diffs, String field, Object a, Object b) {
        if (!a.equals(b)) {
            diffs.add(field + " " + a + " (A) vs " + b + " (B)");
        }
    }

    private static Map<String, NDArray> parameters(TransformerModel m) {
        try {
            return m.parameters();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}
