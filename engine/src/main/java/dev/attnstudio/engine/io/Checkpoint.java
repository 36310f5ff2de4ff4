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
