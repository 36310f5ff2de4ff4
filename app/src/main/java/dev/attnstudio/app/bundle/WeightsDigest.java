package dev.attnstudio.app.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a bundle records about where a model came from: the SHA-256 of each weight file (streamed, never held in
 * memory; the same digest {@code sha256sum} prints), and the model's config.json and tokenizer.json as they were read.
 */
public final class WeightsDigest {

    private static final int BUFFER = 1 << 20;

    private WeightsDigest() {
    }

    /** The weight files of a model and their hashes: a folder's *.safetensors, *.bin and *.onnx, an .onnx file, or a sample's. */
    public static Manifest.Weights of(ModelSource source) throws IOException {
        if (source instanceof ModelSource.OnDisk disk) {
            List<Manifest.WeightFile> files = new ArrayList<>();
            for (Path file : weightFiles(disk.path())) {
                try (InputStream in = Files.newInputStream(file)) {
                    files.add(digest(file.getFileName().toString(), in));
                }
            }
            return new Manifest.Weights(files, null);
        }
        SampleModels.Sample sample = SampleModels.find(source.label()).orElseThrow();
        if (sample.source() instanceof SampleModels.BundledFolder folder) {
            List<Manifest.WeightFile> files = new ArrayList<>();
            for (String file : folder.files()) {
                if (isWeights(file)) {
                    try (InputStream in = SampleModels.resource(folder, file)) {
                        files.add(digest(folder.resource(file), in));
                    }
                }
            }
            return new Manifest.Weights(files, null);
        }
        if (sample.source() instanceof SampleModels.MavenOnnx onnx) {
            try (InputStream in = SampleModels.class.getClassLoader().getResourceAsStream(onnx.onnx())) {
                if (in == null) {
                    throw new IOException("the sample " + sample.name() + "'s " + onnx.onnx() + " is not on the class path");
                }
                return new Manifest.Weights(List.of(digest(onnx.label(onnx.onnx()), in)), null);
            }
        }
        SampleModels.Generated generated = (SampleModels.Generated) sample.source();
        return new Manifest.Weights(List.of(), String.format(Locale.ROOT, "generated in code: seed %d, std %s",
                generated.seed(), generated.std()));
    }

    /** The config.json a model was read from, or empty (an .onnx file, a generated sample). */
    public static Optional<JsonNode> config(ModelSource source) throws IOException {
        if (source instanceof ModelSource.OnDisk disk) {
            Path config = Files.isDirectory(disk.path()) ? disk.path().resolve("config.json") : null;
            return config != null && Files.isRegularFile(config)
                    ? Optional.of(Manifest.mapper().readTree(config.toFile())) : Optional.empty();
        }
        SampleModels.Sample sample = SampleModels.find(source.label()).orElseThrow();
        if (sample.source() instanceof SampleModels.BundledFolder folder) {
            try (InputStream in = SampleModels.resource(folder, "config.json")) {
                return Optional.of(Manifest.mapper().readTree(in));
            }
        }
        return Optional.empty();
    }

    /**
     * The tokenizer.json a model reads its prompts with, as it is on disk or on the class path, or empty (a model
     * without one). Bundled so that a recording labels tokens exactly as the model's tokenizer does.
     */
    public static Optional<byte[]> tokenizerJson(ModelSource source) throws IOException {
        if (source instanceof ModelSource.OnDisk disk) {
            Path file = disk.tokenizer() != null ? disk.tokenizer() : Files.isDirectory(disk.path())
                    ? disk.path().resolve("tokenizer.json") : disk.path().resolveSibling("tokenizer.json");
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        }
        SampleModels.Sample sample = SampleModels.find(source.label()).orElseThrow();
        if (sample.source() instanceof SampleModels.BundledFolder folder && folder.files().contains("tokenizer.json")) {
            try (InputStream in = SampleModels.resource(folder, "tokenizer.json")) {
                return Optional.of(in.readAllBytes());
            }
        }
        if (sample.source() instanceof SampleModels.MavenOnnx onnx) {
            try (InputStream in = SampleModels.class.getClassLoader().getResourceAsStream(onnx.tokenizer())) {
                return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
            }
        }
        return Optional.empty();
    }

    /** SHA-256 of a stream, read to its end in 1 MiB chunks. */
    static Manifest.WeightFile digest(String name, InputStream in) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
        long bytes = 0;
        byte[] buf = new byte[BUFFER];
        try (DigestInputStream d = new DigestInputStream(in, sha)) {
            for (int n; (n = d.read(buf)) > 0; ) {
                bytes += n;
            }
        }
        return new Manifest.WeightFile(name, bytes, HexFormat.of().formatHex(sha.digest()));
    }

    private static List<Path> weightFiles(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.filter(p -> Files.isRegularFile(p) && isWeights(p.getFileName().toString())).sorted().toList();
        }
    }

    private static boolean isWeights(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".safetensors") || n.endsWith(".bin") || ModelFolder.isOnnx(Path.of(n));
    }
}
