package dev.attnstudio.app.export;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.step.TensorData;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a tensor copied out of the engine to .npy, .csv or .json, each atomically and never over an existing
 * file unless asked ({@link AtomicFiles}).
 *
 * <p>Values are written exactly: CSV and JSON print each float32 with the shortest decimal that reads back
 * as the same float. JSON has no infinities or NaN, so those are the strings {@code "-Infinity"},
 * {@code "Infinity"} and {@code "NaN"} (masked attention scores are {@code -inf} on purpose); CSV spells them
 * the same way, unquoted, as Java and NumPy read them.
 */
public final class TensorFiles {

    private TensorFiles() {
    }

    public static Path write(TensorData tensor, TensorFormat format, Path target, boolean overwrite) throws IOException {
        return switch (format) {
            case NPY -> AtomicFiles.write(target, overwrite, f -> Npy.writeFloat32(f, tensor.shape(), tensor.values()));
            case CSV -> AtomicFiles.write(target, overwrite, f -> writeCsv(tensor, f));
            case JSON -> AtomicFiles.write(target, overwrite, f -> writeJson(tensor, f));
        };
    }

    /**
     * One line per index of every axis but the last (for [B, H, T, K]: per batch row, head and query), led by
     * those indices, then the last axis's values. Two comment lines carry the hook name and the shape.
     */
    static void writeCsv(TensorData t, Path file) throws IOException {
        long[] shape = t.shape();
        int rank = shape.length;
        List<String> axes = axisNames(t.name(), rank);
        int last = rank == 0 ? 1 : (int) shape[rank - 1];
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("# hook: " + t.name() + "\n");
            w.write("# shape: " + Arrays.toString(shape) + (rank == 0 ? "" : " (" + String.join(", ", axes) + ")") + "\n");
            List<String> header = new ArrayList<>(axes.subList(0, Math.max(0, rank - 1)));
            for (int c = 0; c < last; c++) {
                header.add(String.valueOf(c));
            }
            w.write(String.join(",", header));
            w.write('\n');
            float[] v = t.values();
            long[] idx = new long[Math.max(0, rank - 1)];
            StringBuilder line = new StringBuilder();
            for (int start = 0; start < v.length; start += last) {
                line.setLength(0);
                for (long i : idx) {
                    line.append(i).append(',');
                }
                for (int c = 0; c < last; c++) {
                    line.append(c == 0 ? "" : ",").append(Float.toString(v[start + c]));
                }
                w.write(line.append('\n').toString());
                for (int d = idx.length - 1; d >= 0; d--) { // odometer over the leading axes
                    if (++idx[d] < shape[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        }
    }

    static void writeJson(TensorData t, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("hook", t.name());
            g.writeArrayFieldStart("shape");
            for (long s : t.shape()) {
                g.writeNumber(s);
            }
            g.writeEndArray();
            g.writeStringField("dtype", "float32");
            g.writeFieldName("values");
            if (t.rank() == 0) {
                number(g, t.values()[0]);
            } else {
                nested(g, t.shape(), 0, t.values(), 0);
            }
            g.writeEndObject();
        }
    }

    /** Writes the block of {@code values} starting at {@code offset} spanning axes {@code axis..} as nested lists. */
    private static void nested(JsonGenerator g, long[] shape, int axis, float[] values, int offset) throws IOException {
        g.writeStartArray();
        int stride = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        for (int i = 0; i < shape[axis]; i++) {
            if (axis == shape.length - 1) {
                number(g, values[offset + i]);
            } else {
                nested(g, shape, axis + 1, values, offset + i * stride);
            }
        }
        g.writeEndArray();
    }

    private static void number(JsonGenerator g, float v) throws IOException {
        if (Float.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeString(Float.toString(v)); // "NaN", "Infinity", "-Infinity"
        }
    }

    /** Axis names for the CSV header: the hook table's letters where they fit the rank, without spaces. */
    static List<String> axisNames(String hook, int rank) {
        return HookName.axes(hook, rank).stream().map(a -> a.replace(' ', '_')).toList();
    }
}
