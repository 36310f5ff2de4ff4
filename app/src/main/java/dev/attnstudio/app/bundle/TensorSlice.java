package dev.attnstudio.app.bundle;

import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Part of a recorded tensor, selected with the index notation of the engine's {@code Trace.read(name, index, args)}:
 * one item per leading axis, an integer (negative from the end) drops the axis, {@code :} keeps it whole,
 * {@code a:b} keeps a range, {@code {}} stands for the next argument. Plain Java over the row-major values.
 */
final class TensorSlice {

    private TensorSlice() {
    }

    /** A kept range [from, to) of an axis, or a single index ({@code drop}). */
    private record Axis(long from, long to, boolean drop) {
    }

    static TensorData apply(TensorData t, String index, Object... args) {
        String[] items = index.strip().isEmpty() ? new String[0] : index.split(",");
        long[] shape = t.shape();
        if (items.length > shape.length) {
            throw new IllegalArgumentException(t.name() + " has rank " + shape.length + ", the index '" + index
                    + "' names " + items.length + " axes");
        }
        int arg = 0;
        List<Axis> axes = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            String item = d < items.length ? items[d].strip() : ":";
            if (item.contains("{}")) {
                if (arg >= args.length) {
                    throw new IllegalArgumentException("the index '" + index + "' needs more arguments");
                }
                item = item.replace("{}", String.valueOf(args[arg++]));
            }
            axes.add(axis(t, d, item));
        }
        List<Long> outShape = new ArrayList<>();
        for (Axis a : axes) {
            if (!a.drop()) {
                outShape.add(a.to() - a.from());
            }
        }
        long count = outShape.stream().reduce(1L, (x, y) -> x * y);
        float[] out = new float[Math.toIntExact(count)];
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d];
        }
        copy(t.values(), axes, strides, 0, 0, out, new int[] {0});
        return new TensorData(t.name(), outShape.stream().mapToLong(Long::longValue).toArray(), out);
    }

    private static void copy(float[] in, List<Axis> axes, long[] strides, int d, long base, float[] out, int[] at) {
        Axis a = axes.get(d);
        for (long i = a.from(); i < a.to(); i++) {
            long offset = base + i * strides[d];
            if (d == axes.size() - 1) {
                out[at[0]++] = in[(int) offset];
            } else {
                copy(in, axes, strides, d + 1, offset, out, at);
            }
        }
    }

    private static Axis axis(TensorData t, int d, String item) {
        long size = t.shape()[d];
        try {
            if (item.equals(":")) {
                return new Axis(0, size, false);
            }
            int colon = item.indexOf(':');
            if (colon >= 0) {
                long from = colon == 0 ? 0 : wrap(Long.parseLong(item.substring(0, colon).strip()), size);
                String end = item.substring(colon + 1).strip();
                long to = end.isEmpty() ? size : wrap(Long.parseLong(end), size);
                return new Axis(Math.min(from, size), Math.max(Math.min(to, size), Math.min(from, size)), false);
            }
            long i = Long.parseLong(item);
            long at = i < 0 ? size + i : i;
            if (at < 0 || at >= size) {
                throw new IndexOutOfBoundsException(t.name() + ": index " + i + " is outside axis " + d + " of size "
                        + size + " " + Arrays.toString(t.shape()));
            }
            return new Axis(at, at + 1, true);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot read '" + item + "' as an index of " + t.name());
        }
    }

    private static long wrap(long i, long size) {
        return i < 0 ? Math.max(0, size + i) : i;
    }
}
