package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.io.Checkpoint;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * Where a model's tensors come from, by checkpoint name: a safetensors checkpoint (one file or shards), or tensors
 * made in memory.
 */
public interface WeightSource {

    /**
     * Told after each tensor is loaded. It may stop the load by throwing (a {@link CancellationException} for a
     * cancel); the model being built is then closed, freeing what was loaded.
     */
    @FunctionalInterface
    interface Progress {
        /**
         * @param name         the tensor just loaded (its stored name)
         * @param bytesDone    stored bytes of the tensors loaded so far
         * @param bytesTotal   stored bytes of every tensor in the source
         * @param tensorsDone  tensors loaded so far
         * @param tensorsTotal tensors in the source
         */
        void loaded(String name, long bytesDone, long bytesTotal, int tensorsDone, int tensorsTotal);
    }

    /** The file named in error messages. */
    Path origin();

    Set<String> names();

    /**
     * The tensor in {@code manager}, with the shape it was stored with: float32, except that a checkpoint opened with
     * half-precision matrices ({@link #of(Checkpoint, boolean)}) hands out its float16 and bfloat16 matrices as stored.
     */
    NDArray load(String name, NDManager manager);

    /** Stored shape of a tensor. */
    long[] shape(String name);

    /** Bytes the tensor takes where it is stored (float32 for tensors in memory). */
    default long bytes(String name) {
        long n = 4;
        for (long d : shape(name)) {
            n *= d;
        }
        return n;
    }

    /** A checkpoint on disk (one safetensors file or an index with its shards), every tensor widened to float32. */
    static WeightSource of(Checkpoint file) {
        return of(file, false);
    }

    /**
     * A checkpoint on disk: one safetensors file or an index with its shards.
     *
     * @param halfMatrices whether matrices (2-D tensors: projections, embeddings, lm_head) stored as float16 or
     *                     bfloat16 stay in that dtype in native memory ({@link Checkpoint#loadAsStored}), for the model
     *                     to widen per use ({@link HalfWeights}); vectors (norm gains, biases) and float32 tensors are
     *                     float32 either way
     */
    static WeightSource of(Checkpoint file, boolean halfMatrices) {
        Set<String> names = Set.copyOf(file.names());
        return new WeightSource() {
            @Override
            public Path origin() {
                return file.file();
            }

            @Override
            public Set<String> names() {
                return names;
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                return halfMatrices && file.info(name).shape().length == 2 ? file.loadAsStored(name, manager)
                        : file.load(name, manager);
            }

            @Override
            public long[] shape(String name) {
                return file.info(name).shape();
            }

            @Override
            public long bytes(String name) {
                return file.bytes(name);
            }
        };
    }

    /**
     * This source, reporting each loaded tensor to {@code progress}, and stopping with a
     * {@link CancellationException} before the next tensor once the loading thread is interrupted.
     */
    default WeightSource watched(Progress progress) {
        WeightSource source = this;
        long total = names().stream().mapToLong(this::bytes).sum();
        int count = names().size();
        return new WeightSource() {
            private long bytesDone;
            private int tensorsDone;

            @Override
            public Path origin() {
                return source.origin();
            }

            @Override
            public Set<String> names() {
                return source.names();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("loading " + source.origin() + " was cancelled");
                }
                NDArray a = source.load(name, manager);
                bytesDone += source.bytes(name);
                tensorsDone++;
                try {
                    progress.loaded(name, bytesDone, total, tensorsDone, count);
                } catch (RuntimeException | Error e) {
                    a.close();
                    throw e;
                }
                return a;
            }

            @Override
            public long[] shape(String name) {
                return source.shape(name);
            }

            @Override
            public long bytes(String name) {
                return source.bytes(name);
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
