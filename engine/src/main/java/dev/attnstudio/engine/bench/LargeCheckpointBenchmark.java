package dev.attnstudio.engine.bench;

import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Opens a checkpoint of real size and runs it: writes a LLaMA-3.2-1B-shaped checkpoint with random bf16 weights
 * (16 layers, d_model 2048, 32 heads of 64, 8 key/value heads, d_mlp 8192, vocab 128256, rope_theta 500000, tied
 * embeddings; plain RoPE, since the engine does not read {@code rope_scaling}) as two shards and their index, with a
 * {@code config.json} of model_type llama, then prints the checkpoint's bytes, the open time, resident memory (VmRSS)
 * after opening, the time of a 256-token forward pass with compact capture, decode ms/token over the KV cache,
 * resident memory at the end, and whether the machine swapped meanwhile (the {@code pswpout} delta of
 * /proc/vmstat).
 *
 * <p>Usage: {@code LargeCheckpointBenchmark [folder] [--keep] [--float32]}. The folder defaults to a new temporary one,
 * deleted at the end unless {@code --keep}; an existing checkpoint in the folder is reused. The weight matrices stay
 * bf16 in native memory, widened per use ({@link dev.attnstudio.engine.model.HalfWeights}); {@code --float32} widens
 * every tensor at load instead, for comparison. The checkpoint is written
 * streaming (values generated a chunk at a time), never held whole on the heap.
 */
public final class LargeCheckpointBenchmark {

    private static final int LAYERS = 16;
    private static final int D_MODEL = 2048;
    private static final int HEADS = 32;
    private static final int KV_HEADS = 8;
    private static final int D_MLP = 8192;
    private static final int VOCAB = 128256;
    private static final int D_HEAD = D_MODEL / HEADS;
    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    private LargeCheckpointBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        DjlRuntime.forceOffline();
        boolean keep = List.of(args).contains("--keep");
        boolean half = !List.of(args).contains("--float32");
        Path folder = Stream.of(args).filter(a -> !a.startsWith("--")).findFirst().map(Path::of).orElse(null);
        boolean temporary = folder == null;
        if (temporary) {
            folder = Files.createTempDirectory("attn-large-checkpoint");
        }
        Files.createDirectories(folder);
        System.out.printf(Locale.ROOT, "machine: %d cores, %.1f GiB memory, %.1f GiB available; java heap max %.1f GiB%n",
                Runtime.getRuntime().availableProcessors(), meminfo("MemTotal") / 1048576.0,
                meminfo("MemAvailable") / 1048576.0, Runtime.getRuntime().maxMemory() / 1073741824.0);
        try {
            run(folder, half);
        } finally {
            if (temporary && !keep) {
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(folder);
            }
        }
    }

    private static void run(Path folder, boolean half) throws IOException {
        long swapStart = vmstat("pswpout");
        if (!Files.isRegularFile(folder.resolve("model.safetensors.index.json"))) {
            long start = System.nanoTime();
            write(folder);
            System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", folder, (System.nanoTime() - start) / 1e9);
        }
        long bytes = 0;
        for (String shard : List.of(SHARD_1, SHARD_2)) {
            bytes += Files.size(folder.resolve(shard));
        }
        System.out.printf(Locale.ROOT, "checkpoint: LLaMA-3.2-1B shape, bf16, 2 shards, %,d bytes (%.2f GiB)%n",
                bytes, bytes / 1073741824.0);
        System.out.printf(Locale.ROOT, "resident before open: %.2f GiB%n", rss() / 1073741824.0);

        long start = System.nanoTime();
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU, null, half)) {
            double open = (System.nanoTime() - start) / 1e9;
            long afterOpen = rss();
            System.out.printf(Locale.ROOT, "open: %.1f s; resident after open %.2f GiB = %.2f x the checkpoint's bytes"
                    + " (%s)%n", open, afterOpen / 1073741824.0, afterOpen / (double) bytes, half
                    ? "matrices held as bf16, widened per use" : "--float32: every tensor widened at load");

            long[] ids = new long[256];
            SplittableRandom r = new SplittableRandom(256);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(VOCAB);
            }
            try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT))) {
                start = System.nanoTime();
                s.reset(ids);
                s.runToEnd();
                System.out.printf(Locale.ROOT, "forward, 256 tokens, compact capture: %.1f s; trace keeps %.1f MiB;"
                        + " resident %.2f GiB%n", (System.nanoTime() - start) / 1e9,
                        s.group().trace().retainedBytes() / 1048576.0, rss() / 1073741824.0);
                Sampler sampler = new Sampler(SamplingConfig.GREEDY);
                s.generate(sampler);
                s.runToEnd(); // the first decode warms up
                int tokens = 4;
                start = System.nanoTime();
                for (int i = 0; i < tokens; i++) {
                    s.generate(sampler);
                    s.runToEnd();
                }
                System.out.printf(Locale.ROOT, "decode over the KV cache: %.0f ms/token (%d tokens after a warm-up)%n",
                        (System.nanoTime() - start) / 1e6 / tokens, tokens);
            }
            System.out.printf(Locale.ROOT, "resident at the end: %.2f GiB (peak %.2f GiB)%n", rss() / 1073741824.0,
                    status("VmHWM") * 1024 / 1073741824.0);
        }
        long swapped = vmstat("pswpout") - swapStart;
        System.out.printf(Locale.ROOT, "swapped: %s (pswpout +%d pages)%n", swapped > 0 ? "yes" : "no", swapped);
    }

    /** Writes config.json, the two shards (layers 0-7 with the embedding; layers 8-15 with the final norm), the index. */
    static void write(Path folder) throws IOException {
        Files.writeString(folder.resolve("config.json"), """
                {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "head_dim": %d, "max_position_embeddings": 131072, "vocab_size": %d,
                 "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": true, "hidden_act": "silu",
                 "attention_bias": false, "mlp_bias": false, "torch_dtype": "bfloat16"}
                """.formatted(D_MODEL, D_MLP, LAYERS, HEADS, KV_HEADS, D_HEAD, VOCAB));
        List<SafeTensors.Info> first = new ArrayList<>();
        List<SafeTensors.Info> second = new ArrayList<>();
        first.add(info("model.embed_tokens.weight", VOCAB, D_MODEL));
        for (int i = 0; i < LAYERS; i++) {
            List<SafeTensors.Info> shard = i < LAYERS / 2 ? first : second;
            String l = "model.layers." + i + ".";
            shard.add(info(l + "input_layernorm.weight", D_MODEL));
            shard.add(info(l + "self_attn.q_proj.weight", HEADS * D_HEAD, D_MODEL));
            shard.add(info(l + "self_attn.k_proj.weight", KV_HEADS * D_HEAD, D_MODEL));
            shard.add(info(l + "self_attn.v_proj.weight", KV_HEADS * D_HEAD, D_MODEL));
            shard.add(info(l + "self_attn.o_proj.weight", D_MODEL, HEADS * D_HEAD));
            shard.add(info(l + "post_attention_layernorm.weight", D_MODEL));
            shard.add(info(l + "mlp.gate_proj.weight", D_MLP, D_MODEL));
            shard.add(info(l + "mlp.up_proj.weight", D_MLP, D_MODEL));
            shard.add(info(l + "mlp.down_proj.weight", D_MODEL, D_MLP));
        }
        second.add(info("model.norm.weight", D_MODEL));
        SafeTensors.write(folder.resolve(SHARD_1), first, Map.of("format", "pt"), LargeCheckpointBenchmark::values);
        SafeTensors.write(folder.resolve(SHARD_2), second, Map.of("format", "pt"), LargeCheckpointBenchmark::values);

        StringBuilder map = new StringBuilder();
        long total = 0;
        Map<List<SafeTensors.Info>, String> shards = new LinkedHashMap<>();
        shards.put(first, SHARD_1);
        shards.put(second, SHARD_2);
        for (Map.Entry<List<SafeTensors.Info>, String> e : shards.entrySet()) {
            for (SafeTensors.Info t : e.getKey()) {
                map.append(map.length() == 0 ? "" : ",\n    ").append('"').append(t.name()).append("\": \"")
                        .append(e.getValue()).append('"');
                total += 2 * t.elements();
            }
        }
        Files.writeString(folder.resolve("model.safetensors.index.json"),
                "{\"metadata\": {\"total_size\": " + total + "},\n  \"weight_map\": {\n    " + map + "\n  }\n}\n");
    }

    private static SafeTensors.Info info(String name, long... shape) {
        return new SafeTensors.Info(name, SafeTensors.DType.BF16, shape);
    }

    /**
     * Random values, a chunk at a time: norm gains 1 + U(-0.1, 0.1), everything else uniform with standard deviation
     * 0.02 (U(-a, a) has std a/sqrt(3)). Seeded by tensor and offset, so a chunk is the same however it is asked for.
     */
    private static void values(String name, long offset, float[] into, int count) {
        SplittableRandom r = new SplittableRandom(name.hashCode() * 1_000_003L + offset);
        boolean gain = name.endsWith("norm.weight");
        float a = gain ? 0.1f : 0.02f * (float) Math.sqrt(3);
        for (int i = 0; i < count; i++) {
            float u = (float) (2 * r.nextDouble() - 1) * a;
            into[i] = gain ? 1 + u : u;
        }
    }

    private static long rss() {
        return status("VmRSS") * 1024;
    }

    /** A kB figure from /proc/self/status, or -1 where there is none (not Linux). */
    private static long status(String key) {
        return procValue(Path.of("/proc/self/status"), key + ":");
    }

    /** A kB figure from /proc/meminfo. */
    private static long meminfo(String key) {
        return procValue(Path.of("/proc/meminfo"), key + ":");
    }

    private static long vmstat(String key) {
        return procValue(Path.of("/proc/vmstat"), key + " ");
    }

    private static long procValue(Path file, String prefix) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
