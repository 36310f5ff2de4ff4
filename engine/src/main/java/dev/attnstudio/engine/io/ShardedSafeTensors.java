package dev.attnstudio.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A checkpoint split over several safetensors files, as Hugging Face saves large models: an index
 * {@code model.safetensors.index.json} of the form
 * {@code {"metadata": {"total_size": bytes}, "weight_map": {tensor name: shard file name}}} and the shards beside it
 * ({@code model-00001-of-00002.safetensors}, ...).
 *
 * <p>Opening checks everything before any tensor is read, each failure a {@link ModelFormatException} naming the
 * file at fault: the index must be a JSON object with a {@code weight_map} of text; every shard must be a plain file
 * name or relative path inside the index's folder (no {@code ..}, not absolute); every shard must exist and be a
 * valid safetensors file; every tensor the index names must be in its shard; and no tensor may be stored in two
 * shards. The tensors are those the index names, in its order.
 */
public final class ShardedSafeTensors implements Checkpoint {

    private final Path index;
    /** The open shards, in order of first mention in the index. */
    private final List<SafeTensors> shards;
    /** Tensor name to the shard holding it, in index order. */
    private final Map<String, SafeTensors> where;
    private final List<String> names;

    private ShardedSafeTensors(Path index, List<SafeTensors> shards, Map<String, SafeTensors> where) {
        this.index = index;
        this.shards = List.copyOf(shards);
        this.where = where;
        this.names = List.copyOf(where.keySet());
    }

    /**
     * Opens an index and all its shards, checking them against each other.
     *
     * @param index the {@code model.safetensors.index.json} file
     * @return the open checkpoint; close it when done
     * @throws ModelFormatException naming the index or the shard at fault
     */
    public static ShardedSafeTensors open(Path index) {
        Objects.requireNonNull(index, "index");
        Map<String, String> weightMap = readWeightMap(index);
        Path folder = index.toAbsolutePath().normalize().getParent();
        Map<String, SafeTensors> byFile = new LinkedHashMap<>();
        try {
            Map<String, SafeTensors> where = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String shardName = e.getValue();
                SafeTensors shard = byFile.get(shardName);
                if (shard == null) {
                    shard = openShard(index, folder, shardName, e.getKey());
                    byFile.put(shardName, shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new ModelFormatException(shard.file(), "has no tensor '" + e.getKey() + "', but "
                            + index.getFileName() + " says it is stored here");
                }
                where.put(e.getKey(), shard);
            }
            Map<String, SafeTensors> stored = new LinkedHashMap<>();
            for (SafeTensors shard : byFile.values()) {
                for (String name : shard.names()) {
                    SafeTensors earlier = stored.putIfAbsent(name, shard);
                    if (earlier != null) {
                        throw new ModelFormatException(shard.file(), "holds tensor '" + name + "', which "
                                + earlier.file().getFileName() + " holds too: each tensor must be stored in one shard"
                                + " only");
                    }
                }
            }
            return new ShardedSafeTensors(index, new ArrayList<>(byFile.values()), where);
        } catch (RuntimeException | Error e) {
            byFile.values().forEach(SafeTensors::close);
            throw e;
        }
    }

    /** The index's {@code weight_map}: tensor name to shard file name, in file order. */
    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = SafeTensorsHeader.JSON.readTree(Files.readAllBytes(index));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(index, "the file does not exist", e);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(index, "is not valid JSON (" + e.getOriginalMessage()
                    + SafeTensorsHeader.where(e.getLocation()) + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot be read (" + e.getMessage() + ")", e);
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ModelFormatException(index, "should be a JSON object with a \"weight_map\", but it is "
                    + SafeTensorsHeader.describe(root));
        }
        JsonNode metadata = object.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            JsonNode total = metadata.isObject() ? metadata.get("total_size") : null;
            if (!metadata.isObject() || (total != null && !(total.isIntegralNumber() && total.longValue() >= 0))) {
                throw new ModelFormatException(index, "has a \"metadata\" entry that is not an object with a whole"
                        + " number \"total_size\": " + metadata);
            }
        }
        JsonNode map = object.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new ModelFormatException(index, "needs a \"weight_map\" object naming the shard of each tensor, but"
                    + " it has " + (map == null ? "none" : SafeTensorsHeader.describe(map)
                    + (map.isObject() ? " with no entries" : "")));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual() || e.getValue().textValue().isBlank()) {
                throw new ModelFormatException(index, "names the shard of tensor '" + e.getKey() + "' as "
                        + SafeTensorsHeader.describe(e.getValue()) + "; it should be a file name");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** Opens one shard, refusing a name that leads outside the index's folder. */
    private static SafeTensors openShard(Path index, Path folder, String shardName, String firstTensor) {
        Path relative;
        try {
            relative = Path.of(shardName);
        } catch (InvalidPathException e) {
            throw new ModelFormatException(index, "names shard '" + shardName + "' (for tensor '" + firstTensor
                    + "'), which is not a valid file name", e);
        }
        Path resolved = folder.resolve(relative).normalize();
        boolean escapes = relative.isAbsolute() || shardName.startsWith("/") || shardName.startsWith("\\")
                || !resolved.startsWith(folder) || resolved.equals(folder);
        for (Path part : relative) {
            escapes |= part.toString().equals("..");
        }
        if (escapes) {
            throw new ModelFormatException(index, "names shard '" + shardName + "' (for tensor '" + firstTensor
                    + "'), which is outside the model folder: shards must be files beside the index");
        }
        if (!Files.isRegularFile(resolved)) {
            throw new ModelFormatException(resolved, "missing: " + index.getFileName() + " says tensor '"
                    + firstTensor + "' is stored in this shard");
        }
        return SafeTensors.open(resolved);
    }

    @Override
    public Path file() {
        return index;
    }

    /** The open shards' files, in order of first mention in the index. */
    public List<Path> shardFiles() {
        return shards.stream().map(SafeTensors::file).toList();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return where.containsKey(name);
    }

    @Override
    public SafeTensors.Info info(String name) {
        return shard(name).info(name);
    }

    @Override
    public Path fileOf(String name) {
        return shard(name).file();
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        return shard(name).load(name, manager);
    }

    @Override
    public NDArray loadAsStored(String name, NDManager manager) {
        return shard(name).loadAsStored(name, manager);
    }

    /** Reads a tensor as float32 values on the Java heap (see {@link SafeTensors#readFloats}). */
    public float[] readFloats(String name) {
        return shard(name).readFloats(name);
    }

    private SafeTensors shard(String name) {
        SafeTensors s = where.get(name);
        if (s == null) {
            throw new ModelFormatException(index, "no tensor named '" + name + "' (the index names " + where.size()
                    + " tensor" + (where.size() == 1 ? "" : "s") + ")");
        }
        return s;
    }

    /** Closes every shard. */
    @Override
    public void close() {
        shards.forEach(SafeTensors::close);
    }
}
