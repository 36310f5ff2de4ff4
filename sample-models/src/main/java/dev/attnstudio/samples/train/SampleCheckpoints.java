package dev.attnstudio.samples.train;

import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The weight checkpoints a bundled sample saved while it trained ({@link TrainingCheckpoints}), listed and opened by
 * step, so a report card, a pattern or a checkpoint diff can be replayed at any point of training. A checkpoint opens
 * the way the sample itself does: its config.json and tokenizer.json with the checkpoint as model.safetensors, copied
 * to a temporary folder and read by {@link LoadedModel#open}.
 */
public final class SampleCheckpoints {

    private SampleCheckpoints() {
    }

    /** Whether a bundled sample ships weight checkpoints. */
    public static boolean has(String sample) {
        try (InputStream in = SampleModels.class.getResourceAsStream(resource(folder(sample), TrainingCheckpoints.INDEX))) {
            return in != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The checkpoints a bundled sample ships, in step order.
     *
     * @throws NoSuchElementException if the sample does not exist or ships none
     */
    public static TrainingCheckpoints list(String sample) {
        SampleModels.BundledFolder f = folder(sample);
        try (InputStream in = SampleModels.class.getResourceAsStream(resource(f, TrainingCheckpoints.INDEX))) {
            if (in == null) {
                throw new NoSuchElementException(sample + " ships no weight checkpoints (no "
                        + TrainingCheckpoints.FOLDER + "/" + TrainingCheckpoints.INDEX + ")");
            }
            return TrainingCheckpoints.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens the checkpoint of {@code step}; the model is named {@code sample@step-NNNNN}.
     *
     * @throws NoSuchElementException if the sample has no checkpoint at that step (the message lists those it has)
     */
    public static LoadedModel open(String sample, int step, DjlRuntime.DeviceChoice device) {
        TrainingCheckpoints index = list(sample);
        TrainingCheckpoints.Entry entry = index.checkpoints().stream().filter(e -> e.step() == step).findFirst()
                .orElseThrow(() -> new NoSuchElementException(sample + " has no checkpoint at step " + step
                        + " (steps: " + index.steps() + ")"));
        SampleModels.BundledFolder f = folder(sample);
        Path parent = null;
        try {
            parent = Files.createTempDirectory("attn-studio-checkpoint-");
            Path dir = Files.createDirectories(parent.resolve(sample + "@" + entry.file().replace(".safetensors", "")));
            copy(SampleModels.resource(f, "config.json"), dir.resolve("config.json"));
            if (f.files().contains("tokenizer.json")) {
                copy(SampleModels.resource(f, "tokenizer.json"), dir.resolve("tokenizer.json"));
            }
            InputStream weights = SampleModels.class.getResourceAsStream(resource(f, entry.file()));
            if (weights == null) {
                throw new ModelFormatException(Path.of(resource(f, entry.file())), "listed in the index but missing from"
                        + " the class path");
            }
            copy(weights, dir.resolve("model.safetensors"));
            return LoadedModel.open(dir, device);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the checkpoint: " + e.getMessage(), e);
        } finally {
            if (parent != null) {
                delete(parent);
            }
        }
    }

    private static SampleModels.BundledFolder folder(String sample) {
        SampleModels.Sample s = SampleModels.find(sample).orElseThrow(() -> new NoSuchElementException(
                "no bundled sample named '" + sample + "'"));
        if (!(s.source() instanceof SampleModels.BundledFolder f)) {
            throw new NoSuchElementException(sample + " is not a sample trained here: it has no checkpoints");
        }
        return f;
    }

    private static String resource(SampleModels.BundledFolder f, String file) {
        return f.resource(TrainingCheckpoints.FOLDER + "/" + file);
    }

    private static void copy(InputStream in, Path to) throws IOException {
        try (in) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.getLogger(SampleCheckpoints.class.getName()).log(System.Logger.Level.DEBUG,
                    () -> "cannot delete " + dir + ": " + e);
        }
    }
}
