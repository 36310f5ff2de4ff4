package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;

/**
 * Basic NumPy indexing: a position per axis drops the axis, a slice {@code start:stop:step} keeps it, {@code ...}
 * stands for as many whole axes as the other parts leave, and axes left over at the end are kept whole. Negative
 * positions count from the end; slice bounds are clamped as in NumPy.
 */
final class Indexing {

    /** One part of an index, numbered {@code item} from 0 in the order written (errors name it). */
    sealed interface Part {
        int item();
    }

    record Pick(long index, int item) implements Part {
    }

    /** Null bounds take NumPy's defaults for the step's direction; a null step is 1. */
    record Range(Long start, Long stop, Long step, int item) implements Part {
    }

    record Rest(int item) implements Part {
    }

    private Indexing() {
    }

    static TensorData select(TensorData x, List<Part> parts) {
        long[] shape = x.shape();
        int rank = shape.length;
        List<Part> axes = expand(parts, rank);
        int[][] choices = new int[rank][];
        List<Long> out = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            Part p = axes.get(d);
            int n = (int) shape[d];
            if (p instanceof Pick pick) {
                long i = pick.index() < 0 ? pick.index() + n : pick.index();
                if (i < 0 || i >= n) {
                    throw new MathError("index " + pick.index() + " is out of range for axis " + d + " of size " + n
                            + " (use " + (-n) + " to " + (n - 1) + ")", pick.item());
                }
                choices[d] = new int[] {(int) i};
            } else {
                choices[d] = p instanceof Range range ? positions(range, n) : positions(new Range(null, null, null, -1), n);
                out.add((long) choices[d].length);
            }
        }
        return gather(x, choices, out.stream().mapToLong(Long::longValue).toArray());
    }

    /** One part per axis: the ellipsis (or the missing tail) widened into whole-axis parts. */
    private static List<Part> expand(List<Part> parts, int rank) {
        int rest = -1;
        int explicit = 0;
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) instanceof Rest r) {
                if (rest >= 0) {
                    throw new MathError("only one '...' is allowed in an index", r.item());
                }
                rest = i;
            } else {
                if (explicit == rank) {
                    throw new MathError("too many indices: the tensor has rank " + rank + " but the index has "
                            + (parts.size() - (hasRest(parts) ? 1 : 0)) + " parts", parts.get(i).item());
                }
                explicit++;
            }
        }
        List<Part> axes = new ArrayList<>(rank);
        int fill = rank - explicit;
        for (int i = 0; i < parts.size(); i++) {
            if (i == rest) {
                for (int f = 0; f < fill; f++) {
                    axes.add(parts.get(i));
                }
            } else {
                axes.add(parts.get(i));
            }
        }
        while (axes.size() < rank) {
            axes.add(new Rest(-1));
        }
        return axes;
    }

    private static boolean hasRest(List<Part> parts) {
        return parts.stream().anyMatch(p -> p instanceof Rest);
    }

    /** The positions a slice selects from an axis of size n, with NumPy's defaults and clamping. */
    static int[] positions(Range r, int n) {
        long step = r.step() == null ? 1 : r.step();
        if (step == 0) {
            throw new MathError("a slice step cannot be 0", r.item());
        }
        long start;
        long stop;
        if (step > 0) {
            start = r.start() == null ? 0 : clamp(r.start() < 0 ? r.start() + n : r.start(), 0, n);
            stop = r.stop() == null ? n : clamp(r.stop() < 0 ? r.stop() + n : r.stop(), 0, n);
        } else {
            start = r.start() == null ? n - 1 : clamp(r.start() < 0 ? r.start() + n : r.start(), -1, n - 1);
            stop = r.stop() == null ? -1 : clamp(r.stop() < 0 ? r.stop() + n : r.stop(), -1, n - 1);
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        int[] pos = new int[(int) count];
        for (int i = 0; i < count; i++) {
            pos[i] = (int) (start + i * step);
        }
        return pos;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static TensorData gather(TensorData x, int[][] choices, long[] outShape) {
        int[] strides = Shapes.strides(x.shape());
        float[] v = x.values();
        float[] r = new float[Shapes.size(outShape)];
        int rank = choices.length;
        int[] idx = new int[rank];
        for (int f = 0; f < r.length; f++) {
            int src = 0;
            for (int d = 0; d < rank; d++) {
                src += strides[d] * choices[d][idx[d]];
            }
            r[f] = v[src];
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < choices[d].length) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return Shapes.tensor(outShape, r);
    }
}
