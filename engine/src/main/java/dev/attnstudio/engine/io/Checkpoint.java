package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's stored tensors by name: one safetensors file ({@code model.safetensors}, {@link SafeTensors}) or a
 * sharded checkpoint ({@code model.safetensors.index.json} and its shards, {@link ShardedSafeTensors}). Tensors
 * are read when asked for; closing releases the files.
 */
public interface Checkpoint extends AutoCloseable {

    /** The single-file checkpoint's name in a Hugging Face folder. */
    String SINGLE = "model.safetensors";
    /** The sharded checkpoint's index in a Hugging Face folder. */
    String INDEX = "model.safetensors.index.json";

    /** The file named in errors about the checkpoint as a whole: the safetensors file, or the index. */
    Path file();

    /** The tensor names (shards in index order, each in header order). */
    List<String> names();

    /** Whether a tensor of this name is stored. */
    boolean contains(String name);

    /** The stored dtype and shape of a tensor; a {@link ModelFormatException} if there is none. */
    SafeTensors.Info info(String name);

    /** The file that holds a tensor (its shard). */
    Path fileOf(String name);

    /** The tensor as float32 in {@code manager}, with its stored shape. */
    NDArray load(String name, NDManager manager);

    /**
     * The tensor in {@code manager} as stored, with its stored shape: a float16 or bfloat16 tensor's 16-bit values
     * copied as they are into an array of dtype FLOAT16 named {@link #storedAs} its stored dtype (for bfloat16 the
     * array is a container of the bits, which only {@code model.HalfWeights} reads: DJL's PyTorch engine has no
     * bfloat16 type, and creating or converting to one aborts the JVM); a float32 tensor as {@link #load}. Where that
     * is not possible (a GPU) it is {@link #load} too, so check the array's name.
     */
    NDArray loadAsStored(String name, NDManager manager);

    /** The name of an array holding a tensor's stored 16-bit values: "stored as F16" or "stored as BF16". */
    static String storedAs(SafeTensors.DType dtype) {
        return "stored as " + dtype;
    }

    /** Bytes a tensor takes in the file. */
    default long bytes(String name) {
        SafeTensors.Info info = info(name);
        return info.elements() * info.dtype().bytes();
    }

    @Override
    void close();

    /**
     * The checkpoint in a Hugging Face folder: {@code model.safetensors} if present, else
     * {@code model.safetensors.index.json} with its shards.
     *
     * @throws ModelFormatException if the folder has neither, or the files are damaged or inconsistent
     */
    static Checkpoint open(Path folder) {
        Path single = folder.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            return SafeTensors.open(single);
        }
        Path index = folder.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return ShardedSafeTensors.open(index);
        }
        throw new ModelFormatException(single, "missing: a model folder needs config.json and " + SINGLE
                + " (or " + INDEX + " with its shards)");
    }

    /** Whether a folder holds a checkpoint {@link #open(Path)} would try. */
    static boolean isIn(Path folder) {
        return Files.isRegularFile(folder.resolve(SINGLE)) || Files.isRegularFile(folder.resolve(INDEX));
    }
}
