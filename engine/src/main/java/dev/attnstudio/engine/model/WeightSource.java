package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** Where a model's tensors come from, by checkpoint name: a safetensors file, or tensors made in memory. */
public interface WeightSource {

    /** The file named in error messages. */
    Path origin();

    Set<String> names();

    /** The tensor as float32 in {@code manager}, with the shape it was stored with. */
    NDArray load(String name, NDManager manager);

    /** Stored shape of a tensor. */
    long[] shape(String name);

    static WeightSource of(SafeTensors file) {
        return new WeightSource() {
            @Override
            public Path origin() {
                return file.file();
            }

            @Override
            public Set<String> names() {
                return Set.copyOf(file.names());
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                return file.load(name, manager);
            }

            @Override
            public long[] shape(String name) {
                return file.info(name).shape();
            }
        };
    }

    /** Tensors built in memory (random test and benchmark models); {@code label} stands for the file. */
    static WeightSource of(Map<String, SafeTensors.Tensor> tensors, String label) {
        return new WeightSource() {
            @Override
            public Path origin() {
                return Path.of(label);
            }

            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                SafeTensors.Tensor t = tensors.get(name);
                return manager.create(t.values(), new ai.djl.ndarray.types.Shape(t.shape()));
            }

            @Override
            public long[] shape(String name) {
                return tensors.get(name).shape();
            }
        };
    }

    /**
     * Loads a tensor that must exist with exactly this shape; otherwise the error names the file, the tensor,
     * and which dimension disagrees with the config.
     */
    default NDArray require(String name, NDManager manager, long... expected) {
        if (!names().contains(name)) {
            throw new ModelFormatException(origin(), "tensor '" + name + "' is missing");
        }
        long[] actual = shape(name);
        if (!Arrays.equals(actual, expected)) {
            String which = "";
            if (actual.length == expected.length) {
                for (int d = 0; d < actual.length; d++) {
                    if (actual[d] != expected[d]) {
                        which = " (dimension " + d + " is " + actual[d] + ", the config implies " + expected[d] + ")";
                        break;
                    }
                }
            }
            throw new ModelFormatException(origin(), "tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(expected) + which);
        }
        return load(name, manager);
    }
}
