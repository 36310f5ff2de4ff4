package dev.attnstudio.engine.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sharded checkpoints ({@code model.safetensors.index.json} and its shards) written from Java and opened through the
 * path a user's folder takes: the same logits as the single file, and each broken index or shard refused naming
 * the file at fault.
 */
class ShardedCheckpointTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    private final Map<String, SafeTensors.Tensor> tensors = TinyModels.tensors(7);

    /** Writes the tiny GPT-2 as two shards (first half of the tensors, second half) and their index. */
    private Path sharded(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        ModelFolderTest.writeConfig(folder, TinyModels.CONFIG, Map.of());
        Map<String, SafeTensors.Tensor> first = new LinkedHashMap<>();
        Map<String, SafeTensors.Tensor> second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(tensors.keySet());
        for (int i = 0; i < names.size(); i++) {
            boolean early = i < names.size() / 2;
            (early ? first : second).put(names.get(i), tensors.get(names.get(i)));
            weightMap.put(names.get(i), early ? SHARD_1 : SHARD_2);
        }
        SafeTensors.write(folder.resolve(SHARD_1), first, Map.of("format", "pt"));
        SafeTensors.write(folder.resolve(SHARD_2), second, Map.of("format", "pt"));
        writeIndex(folder, weightMap);
        return folder;
    }

    private static void writeIndex(Path folder, Object weightMap) throws IOException {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", 1234));
        index.put("weight_map", weightMap);
        new ObjectMapper().writeValue(folder.resolve("model.safetensors.index.json").toFile(), index);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> weightMap(Path folder) throws IOException {
        Map<String, Object> index = new ObjectMapper().readValue(
                folder.resolve("model.safetensors.index.json").toFile(), Map.class);
        return new LinkedHashMap<>((Map<String, String>) index.get("weight_map"));
    }

    private static float[] logits(LoadedModel m) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(new long[] {3, 1, 4, 1, 5});
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }

    private static String failure(Path folder) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelFolder.open(folder, DjlRuntime.DeviceChoice.CPU).close());
        return e.getMessage();
    }

    @Test
    void shardsGiveTheSameLogitsAsOneFile() throws IOException {
        Path single = Files.createDirectories(dir.resolve("single"));
        ModelFolderTest.writeConfig(single, TinyModels.CONFIG, Map.of());
        SafeTensors.write(single.resolve("model.safetensors"), tensors, Map.of());
        float[] expected;
        try (LoadedModel m = ModelFolder.open(single, DjlRuntime.DeviceChoice.CPU)) {
            expected = logits(m);
        }
        Path sharded = sharded("sharded");
        try (LoadedModel m = ModelFolder.open(sharded, DjlRuntime.DeviceChoice.CPU)) {
            assertArrayEquals(expected, logits(m), 0f);
        }
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        Path folder = sharded("missing");
        Files.delete(folder.resolve(SHARD_2));
        String msg = failure(folder);
        assertTrue(msg.contains(SHARD_2) && msg.contains("missing"), msg);
    }

    @Test
    void aShardLackingATensorTheIndexNamesIsNamed() throws IOException {
        Path folder = sharded("lacking");
        Map<String, String> map = weightMap(folder);
        String moved = map.keySet().iterator().next(); // stored in shard 1, the index now says shard 2
        map.put(moved, SHARD_2);
        writeIndex(folder, map);
        String msg = failure(folder);
        assertTrue(msg.contains(SHARD_2) && msg.contains("'" + moved + "'"), msg);
    }

    @Test
    void aTensorInTwoShardsIsRefused() throws IOException {
        Path folder = sharded("twice");
        String name = weightMap(folder).keySet().iterator().next();
        Map<String, SafeTensors.Tensor> second = new LinkedHashMap<>();
        try (SafeTensors s2 = SafeTensors.open(folder.resolve(SHARD_2))) {
            for (String n : s2.names()) {
                second.put(n, new SafeTensors.Tensor(s2.readFloats(n), s2.info(n).shape(), SafeTensors.DType.F32));
            }
        }
        second.put(name, tensors.get(name));
        SafeTensors.write(folder.resolve(SHARD_2), second, Map.of());
        String msg = failure(folder);
        assertTrue(msg.contains(SHARD_1) && msg.contains(SHARD_2) && msg.contains("'" + name + "'"), msg);
    }

    @Test
    void shardPathsOutsideTheFolderAreRefused() throws IOException {
        for (String escape : List.of("../" + SHARD_1, "/tmp/" + SHARD_1, "sub/../../" + SHARD_1)) {
            Path folder = sharded("escape" + Math.abs(escape.hashCode()));
            Files.copy(folder.resolve(SHARD_1), dir.resolve(SHARD_1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, String> map = weightMap(folder);
            map.replaceAll((k, v) -> v.equals(SHARD_1) ? escape : v);
            writeIndex(folder, map);
            String msg = failure(folder);
            assertTrue(msg.contains("model.safetensors.index.json") && msg.contains(escape) && msg.contains("outside"),
                    msg);
        }
    }

    @Test
    void malformedIndexesAreNamed() throws IOException {
        Path folder = sharded("malformed");
        Path index = folder.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"wte.weight\": ");
        String msg = failure(folder);
        assertTrue(msg.contains("model.safetensors.index.json") && msg.contains("not valid JSON"), msg);

        Files.writeString(index, "{\"metadata\": {}}");
        msg = failure(folder);
        assertTrue(msg.contains("model.safetensors.index.json") && msg.contains("weight_map"), msg);

        Files.writeString(index, "{\"weight_map\": {\"wte.weight\": 3}}");
        msg = failure(folder);
        assertTrue(msg.contains("model.safetensors.index.json") && msg.contains("wte.weight"), msg);

        Files.writeString(index, "[1, 2]");
        msg = failure(folder);
        assertTrue(msg.contains("model.safetensors.index.json") && msg.contains("JSON object"), msg);
    }

    @Test
    void progressCountsEveryTensorAndAnInterruptCancelsBetweenTensors() throws IOException {
        Path folder = sharded("progress");
        long total = 0;
        for (SafeTensors.Tensor t : tensors.values()) {
            total += 4L * t.values().length;
        }
        List<Long> seen = new ArrayList<>();
        long[] reportedTotal = {0};
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU, (name, done, all, n, count) -> {
            seen.add(done);
            reportedTotal[0] = all;
            assertEquals(tensors.size(), count);
        })) {
            assertNotNull(m.model());
        }
        assertEquals(tensors.size(), seen.size());
        assertEquals(total, reportedTotal[0]);
        assertEquals(total, seen.get(seen.size() - 1));
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), "bytes loaded grow tensor by tensor");
        }

        int[] loaded = {0};
        try {
            assertThrows(CancellationException.class, () -> LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU,
                    (name, done, all, n, count) -> {
                        loaded[0] = n;
                        if (n == 3) {
                            Thread.currentThread().interrupt(); // what a Cancel does to the loading thread
                        }
                    }).close());
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is left for the caller to see"); // and cleared here
        }
        assertEquals(3, loaded[0], "no tensor is loaded after the interrupt");
    }
}
