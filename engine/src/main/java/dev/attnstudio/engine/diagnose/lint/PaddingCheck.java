package dev.attnstudio.engine.diagnose.lint;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Padding must not change a real row: each row of a padded batch is run alone, unpadded, and its outputs at the real
 * positions are compared with the padded run's; where the model reads padding on either side (encoders and an
 * encoder-decoder's source) and its positions are not absolute, the batch is also padded on the other side and
 * compared the same way.
 */
final class PaddingCheck {

    private PaddingCheck() {
    }

    static List<MaskFinding> check(TransformerModel model, Batch batch, Interventions interventions, double tolerance) {
        Capabilities c = model.capabilities();
        boolean twoStacks = batch.decoderIds() != null;
        List<long[]> rows = new ArrayList<>();
        List<long[]> types = new ArrayList<>();
        List<int[]> where = new ArrayList<>(); // real positions of each row in the given batch
        long padId = 0;
        for (int b = 0; b < batch.size(); b++) {
            long[] mask = batch.attentionMask()[b];
            int n = (int) Arrays.stream(mask).filter(m -> m != 0).count();
            long[] ids = new long[n];
            long[] tt = new long[n];
            int[] at = new int[n];
            int i = 0;
            for (int t = 0; t < mask.length; t++) {
                if (mask[t] != 0) {
                    ids[i] = batch.ids()[b][t];
                    tt[i] = batch.tokenTypes()[b][t];
                    at[i++] = t;
                } else {
                    padId = batch.ids()[b][t];
                }
            }
            rows.add(ids);
            types.add(tt);
            where.add(at);
        }
        List<MaskFinding> out = new ArrayList<>();
        try (Stepper s = new Stepper(model, new Stepper.Options(Capture.OFF, interventions, false))) {
            TensorData padded = run(s, batch, model);
            // the other side shifts learned absolute positions, which is expected there (MaskLinter reports left
            // padding of such a model as POSITION_IDS); models with relative or rotary positions must not care
            boolean otherSide = (!c.outputStack().causal() || c.readsSource()) && !MaskLinter.absolutePositions(model);
            Batch.Padding given = batch.paddedOnTheRight() ? Batch.Padding.RIGHT : Batch.Padding.LEFT;
            Batch flipped = null;
            if (otherSide) {
                Batch.Padding other = given == Batch.Padding.RIGHT ? Batch.Padding.LEFT : Batch.Padding.RIGHT;
                flipped = Batch.pad(rows, types, other, padId);
                if (twoStacks) {
                    flipped = flipped.withDecoder(batch.decoderIds());
                }
            }
            TensorData flippedOut = flipped == null ? null : run(s, flipped, model);
            for (int b = 0; b < batch.size(); b++) {
                Batch alone = new Batch(new long[][] {rows.get(b)}, new long[][] {types.get(b)},
                        new long[][] {ones(rows.get(b).length)});
                if (twoStacks) {
                    alone = alone.withDecoder(new long[][] {batch.decoderIds()[b]});
                }
                TensorData reference = run(s, alone, model);
                int[] givenAt = twoStacks ? identity(batch.decoderLength()) : where.get(b);
                double d = difference(padded, b, givenAt, reference);
                if (d > tolerance) {
                    out.add(finding(b, given, d, givenAt));
                }
                if (flippedOut != null) {
                    int[] flippedAt = twoStacks ? givenAt : realPositions(flipped.attentionMask()[b]);
                    double f = difference(flippedOut, b, flippedAt, reference);
                    if (f > tolerance) {
                        out.add(finding(b, flipped.paddedOnTheRight() ? Batch.Padding.RIGHT : Batch.Padding.LEFT, f,
                                flippedAt));
                    }
                }
            }
        }
        return out;
    }

    private static MaskFinding finding(int row, Batch.Padding side, double d, int[] at) {
        return MaskFinding.of(FindingKind.PADDED_ROW_CHANGED, null, -1, -1, row, at.length == 0 ? -1 : at[0], -1, d, 1, 0,
                String.format(Locale.ROOT, "row %d padded on the %s: its outputs differ from the row run alone by up to"
                        + " %.4g (relative to its largest value)", row, side.name().toLowerCase(Locale.ROOT), d));
    }

    private static TensorData run(Stepper s, Batch b, TransformerModel model) {
        s.reset(b);
        s.runToEnd();
        return s.group().trace().read(model.outputHook());
    }

    /** Max |padded[row, at[i], :] - alone[0, i, :]| relative to max(1, max |alone|). */
    private static double difference(TensorData padded, int row, int[] at, TensorData alone) {
        int width = (int) alone.shape()[2];
        double max = 0;
        double scale = 1;
        for (int i = 0; i < at.length; i++) {
            for (int v = 0; v < width; v++) {
                float a = alone.get(0, i, v);
                float p = padded.get(row, at[i], v);
                scale = Math.max(scale, Math.abs(a));
                max = Math.max(max, Float.isNaN(a) != Float.isNaN(p) ? Double.POSITIVE_INFINITY : Math.abs(a - p));
            }
        }
        return max / scale;
    }

    private static int[] realPositions(long[] mask) {
        return java.util.stream.IntStream.range(0, mask.length).filter(t -> mask[t] != 0).toArray();
    }

    private static int[] identity(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1);
        return a;
    }
}
