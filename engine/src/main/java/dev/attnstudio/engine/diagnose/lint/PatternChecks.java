package dev.attnstudio.engine.diagnose.lint;

import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks that read one pass's attention: for every real query row of every head, the weight on keys the intended
 * mask forbids (later positions, padding, the other segment), rows that are not finite, all zero or do not sum to 1;
 * and every cell the applied {@code hook_mask} blocks although the model's rule allows it. The intended mask is the
 * program's own ({@link PassView#intended}), never the applied one.
 */
final class PatternChecks {

    /** Weight on a forbidden key above which it counts as a leak (a float32 softmax gives exact zeros there). */
    static final double LEAK = 1e-6;
    /** |row sum - 1| above which a row is not a distribution (float32 sums of up to thousands of terms stay within). */
    static final double ROW_SUM = 1e-3;

    /** The worst cell of one kind in one sub-layer, and how many rows (or cells) had it. */
    private static final class Worst {
        int head = -1, row = -1, query = -1, key = -1;
        double magnitude = Double.NEGATIVE_INFINITY;
        long count;

        void see(double m, int head, int row, int query, int key) {
            count++;
            if (m > magnitude) {
                magnitude = m;
                this.head = head;
                this.row = row;
                this.query = query;
                this.key = key;
            }
        }
    }

    private PatternChecks() {
    }

    /**
     * @param segments token types of the keys [B][K] when segments must not attend to each other, else null
     */
    static List<MaskFinding> check(PassView pass, int passIndex, AttentionLayer layer, long[][] segments) {
        MaskSpec spec = pass.intended(layer);
        AllowedCells cells = AllowedCells.of(layer, spec);
        TensorData p = pass.pattern(layer);
        TensorData mask = pass.trace().read(layer.hook(HookName.Block.MASK));
        long[] s = p.shape();
        int b = (int) s[0], h = (int) s[1], t = (int) s[2], k = (int) s[3];
        float[] a = p.values();
        Map<FindingKind, Worst> worst = new EnumMap<>(FindingKind.class);
        for (int row = 0; row < b; row++) {
            for (int q = 0; q < t; q++) {
                if (!cells.real(row, q)) {
                    continue;
                }
                int pos = cells.position(q);
                for (int key = 0; key < k; key++) {
                    if (cells.allowed(row, q, key) && Float.isInfinite(maskAt(mask, row, q, key))) {
                        worst.computeIfAbsent(FindingKind.ALLOWED_KEY_BLOCKED, x -> new Worst()).see(1, -1, row, pos, key);
                    }
                }
                for (int head = 0; head < h; head++) {
                    int base = ((row * h + head) * t + q) * k;
                    int nonFinite = 0;
                    double sum = 0;
                    double future = 0, padding = 0, segment = 0;
                    int futureKey = -1, paddingKey = -1, segmentKey = -1;
                    for (int key = 0; key < k; key++) {
                        float w = a[base + key];
                        if (!Float.isFinite(w)) {
                            nonFinite++;
                            continue;
                        }
                        sum += w;
                        if (w <= LEAK) {
                            continue;
                        }
                        boolean pad = spec.padding() != null && spec.padding()[row][key] == 0;
                        if (pad) {
                            padding += w;
                            paddingKey = heavier(a, base, paddingKey, key);
                        } else if (!cells.allowed(row, q, key)) {
                            future += w;
                            futureKey = heavier(a, base, futureKey, key);
                        } else if (segments != null && !layer.site().cross() && segments[row][key] != segments[row][pos]) {
                            segment += w;
                            segmentKey = heavier(a, base, segmentKey, key);
                        }
                    }
                    if (nonFinite > 0) {
                        worst.computeIfAbsent(FindingKind.NON_FINITE_ROW, x -> new Worst()).see(nonFinite, head, row, pos, -1);
                        continue;
                    }
                    if (future > LEAK) {
                        worst.computeIfAbsent(FindingKind.FUTURE_KEY_MASS, x -> new Worst()).see(future, head, row, pos, futureKey);
                    }
                    if (padding > LEAK) {
                        worst.computeIfAbsent(FindingKind.PADDING_KEY_MASS, x -> new Worst()).see(padding, head, row, pos, paddingKey);
                    }
                    if (segment > LEAK) {
                        worst.computeIfAbsent(FindingKind.SEGMENT_CROSSING, x -> new Worst()).see(segment, head, row, pos, segmentKey);
                    }
                    if (sum == 0 && cells.count(row, q) > 0) {
                        worst.computeIfAbsent(FindingKind.FULLY_MASKED_ROW, x -> new Worst()).see(1, head, row, pos, -1);
                    } else if (sum > 0 && Math.abs(sum - 1) > ROW_SUM) {
                        worst.computeIfAbsent(FindingKind.ROW_SUM, x -> new Worst()).see(Math.abs(sum - 1), head, row, pos, -1);
                    }
                }
            }
        }
        List<MaskFinding> out = new ArrayList<>();
        worst.forEach((kind, w) -> out.add(MaskFinding.of(kind, layer.siteLabel(), layer.layer(), w.head, w.row, w.query,
                w.key, w.magnitude, w.count, passIndex, message(kind, layer, w))));
        return out;
    }

    private static int heavier(float[] a, int base, int current, int key) {
        return current < 0 || a[base + key] > a[base + current] ? key : current;
    }

    /** The applied additive mask at a cell, broadcast as the model applied it: [B or 1, 1, T or 1, K]. */
    private static float maskAt(TensorData mask, int row, int q, int key) {
        long[] ms = mask.shape();
        return mask.get(ms[0] == 1 ? 0 : row, 0, ms[2] == 1 ? 0 : q, key);
    }

    private static String message(FindingKind kind, AttentionLayer layer, Worst w) {
        String at = String.format(Locale.ROOT, "%s, row %d, query %d", layer.name() + (w.head >= 0 ? " H" + w.head : ""),
                w.row, w.query);
        return switch (kind) {
            case FUTURE_KEY_MASS -> String.format(Locale.ROOT, "%s puts %.4f of its weight on later keys (heaviest: key"
                    + " %d); %d rows leak", at, w.magnitude, w.key, w.count);
            case PADDING_KEY_MASS -> String.format(Locale.ROOT, "%s puts %.4f of its weight on padding keys (heaviest:"
                    + " key %d); %d rows leak", at, w.magnitude, w.key, w.count);
            case SEGMENT_CROSSING -> String.format(Locale.ROOT, "%s puts %.4f of its weight on the other segment; %d rows",
                    at, w.magnitude, w.count);
            case ALLOWED_KEY_BLOCKED -> String.format(Locale.ROOT, "%s L%d: hook_mask blocks key %d of row %d, query %d,"
                    + " which the model's rule allows; %d such cells", layer.siteLabel(), layer.layer(), w.key, w.row,
                    w.query, w.count);
            case FULLY_MASKED_ROW -> String.format(Locale.ROOT, "%s has an all-zero attention row; %d such rows", at, w.count);
            case NON_FINITE_ROW -> String.format(Locale.ROOT, "%s has %.0f NaN/Inf weights; %d such rows", at, w.magnitude,
                    w.count);
            case ROW_SUM -> String.format(Locale.ROOT, "%s sums to %.4f away from 1; %d rows off by more than %.0e",
                    at, w.magnitude, w.count, ROW_SUM);
            default -> kind.name();
        };
    }
}
