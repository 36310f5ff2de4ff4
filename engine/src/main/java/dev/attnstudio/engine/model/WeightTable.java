package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.attnstudio.engine.io.ModelFormatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One family's checkpoint layout, written once: every tensor's Hugging Face name, the shape the config implies, and
 * how the engine holds it. Loading through the table checks that every tensor is there with that shape (the error
 * names the file, the tensor and the dimension) and hands out the arrays by name.
 *
 * <p>Names are the family's canonical ones ({@code h.0.attn.c_attn.weight}, {@code model.layers.0...}); a checkpoint
 * may store them under another prefix ({@code transformer.}, {@code bert.}, none for a bare LLaMA), which
 * {@link #storedAs} maps.
 */
final class WeightTable {

    /** How the engine holds a stored tensor. */
    enum Layout {
        /** As stored. */
        AS_STORED,
        /**
         * A torch Linear [out, in] copied to [in, out] at load (BERT). The copy keeps the transposed strides (memory in
         * [out, in] order), so a weight held in half precision stays [out, in] and is multiplied through a transposed
         * view of its widened copy: the same layout, so the same product bit for bit (see {@link HalfWeights}).
         */
        TRANSPOSED,
        /**
         * GPT-2's fused {@code c_attn} (weight [d, 3d], bias [3d]): q | k | v along the last axis, held as three arrays
         * named {@code <name>/q}, {@code /k}, {@code /v}.
         */
        SPLIT_QKV
    }

    /** One tensor: its canonical name, the shape the config implies, and its layout. */
    record Row(String name, long[] shape, Layout layout) {
    }

    /** Suffixes of the three parts of a {@link Layout#SPLIT_QKV} tensor, in their order in the checkpoint. */
    static final List<String> QKV_PARTS = List.of("/q", "/k", "/v");

    private final List<Row> rows = new ArrayList<>();
    private final Function<String, List<String>> storedAs;

    /**
     * @param storedAs for a canonical name, the names a checkpoint may store it under, in order of preference (the
     *                 canonical name first)
     */
    WeightTable(Function<String, List<String>> storedAs) {
        this.storedAs = storedAs;
    }

    /** A table whose tensors are stored under their canonical names or behind {@code prefix}. */
    static WeightTable withOptionalPrefix(String prefix) {
        return new WeightTable(name -> List.of(name, prefix + name));
    }

    WeightTable add(String name, long... shape) {
        return add(name, Layout.AS_STORED, shape);
    }

    WeightTable add(String name, Layout layout, long... shape) {
        rows.add(new Row(name, shape, layout));
        return this;
    }

    List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** Loads every tensor of the table into {@code manager}, checked against its shape. */
    Weights load(WeightSource source, NDManager manager) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Row row : rows) {
            String stored = stored(source, row.name());
            switch (row.layout()) {
                case AS_STORED -> arrays.put(row.name(), source.require(stored, manager, row.shape()));
                case TRANSPOSED -> {
                    NDArray a = source.require(stored, manager, row.shape());
                    if (HalfWeights.isHalf(a)) {
                        arrays.put(row.name(), a); // stays [out, in]: see Layout.TRANSPOSED
                    } else {
                        try (a; NDArray view = a.transpose()) {
                            arrays.put(row.name(), view.duplicate());
                        }
                    }
                }
                case SPLIT_QKV -> {
                    try (NDArray fused = source.require(stored, manager, row.shape())) {
                        long third = row.shape()[row.shape().length - 1] / 3;
                        String lead = row.shape().length == 2 ? ":, " : "";
                        for (int j = 0; j < 3; j++) {
                            try (NDArray part = fused.get(new NDIndex(lead + "{}:{}", j * third, (j + 1) * third))) {
                                arrays.put(row.name() + QKV_PARTS.get(j), HalfWeights.sameKind(fused, part.duplicate())); // a copy
                            }
                        }
                    }
                }
            }
        }
        return new Weights(arrays);
    }

    /** The name a source stores a canonical name under (the first candidate it has; else the canonical name). */
    private String stored(WeightSource source, String name) {
        List<String> candidates = storedAs.apply(name);
        for (String c : candidates) {
            if (source.names().contains(c)) {
                return c;
            }
        }
        if (source.names().isEmpty()) {
            throw new ModelFormatException(source.origin(), "the checkpoint holds no tensors");
        }
        return name;
    }

    /** The loaded arrays by canonical name (a split tensor's parts as {@code name/q}, {@code /k}, {@code /v}). */
    record Weights(Map<String, NDArray> arrays) {

        Weights {
            arrays = Collections.unmodifiableMap(arrays);
        }

        NDArray get(String name) {
            NDArray a = arrays.get(name);
            if (a == null) {
                throw new IllegalStateException("the weight table has no tensor " + name);
            }
            return a;
        }
    }
}
