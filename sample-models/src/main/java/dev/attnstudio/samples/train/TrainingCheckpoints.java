package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.Gpt2Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The weights of a training run at fixed steps, written next to the final weights as
 * {@code checkpoints/step-00100.safetensors} (Hugging Face GPT-2 names, half precision) with an index,
 * {@code checkpoints/index.json}, that lists them: a class-path folder cannot be listed, so the index is how a reader
 * finds them. Half precision halves the size (a 2-layer, d_model 64 model is 213 KB per checkpoint); the final weights
 * stay float32 in {@code model.safetensors}, which the card's numbers are measured on.
 *
 * @param dtype       how the checkpoints store their values ({@code F16})
 * @param every       steps between checkpoints (the last step is always one)
 * @param checkpoints in step order
 */
public record TrainingCheckpoints(String dtype, int every, List<Entry> checkpoints) {

    /** The folder, relative to the sample's, that holds the checkpoints and the index. */
    public static final String FOLDER = "checkpoints";
    /** The index's file name inside {@link #FOLDER}. */
    public static final String INDEX = "index.json";

    /**
     * One checkpoint.
     *
     * @param step  updates done when it was taken (0: the initial weights)
     * @param file  its file name inside {@link #FOLDER}
     * @param bytes its size on disk
     */
    public record Entry(int step, String file, long bytes) {
    }

    public TrainingCheckpoints {
        checkpoints = List.copyOf(checkpoints);
    }

    /** The file name of the checkpoint taken after {@code step} updates. */
    public static String fileName(int step) {
        return String.format(Locale.ROOT, "step-%05d.safetensors", step);
    }

    /** The steps, in order. */
    public List<Integer> steps() {
        return checkpoints.stream().map(Entry::step).toList();
    }

    /** Bytes of every checkpoint together (the index not counted). */
    public long totalBytes() {
        return checkpoints.stream().mapToLong(Entry::bytes).sum();
    }

    /** Reads an index. */
    public static TrainingCheckpoints read(InputStream in) {
        try {
            return new ObjectMapper().readValue(in, TrainingCheckpoints.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FOLDER + "/" + INDEX + ": " + e.getMessage(), e);
        }
    }

    /** Writes the checkpoints of one run as they are taken, then the index. Not thread-safe. */
    static final class Writer {
        private final Path folder;
        private final int every;
        private final int lastStep;
        private final List<Entry> written = new ArrayList<>();

        /**
         * Empties {@code out/checkpoints} of earlier runs' checkpoints, so the index and the files agree.
         *
         * @param every    steps between checkpoints; 0 writes none
         * @param lastStep the run's last step (always written when {@code every} > 0)
         */
        Writer(Path out, int every, int lastStep) throws IOException {
            this.folder = out.resolve(FOLDER);
            this.every = every;
            this.lastStep = lastStep;
            if (Files.isDirectory(folder)) {
                try (Stream<Path> old = Files.list(folder)) {
                    for (Path p : old.toList()) {
                        String n = p.getFileName().toString();
                        if (n.equals(INDEX) || (n.startsWith("step-") && n.endsWith(".safetensors"))) {
                            Files.delete(p);
                        }
                    }
                }
            }
        }

        /** Whether a checkpoint is due after {@code step} updates. */
        boolean due(int step) {
            return every > 0 && (step % every == 0 || step == lastStep);
        }

        /** Writes the model's weights as they are now, in half precision, if a checkpoint is due. */
        void maybeWrite(int step, Gpt2Model model) {
            if (!due(step)) {
                return;
            }
            Map<String, SafeTensors.Tensor> half = new LinkedHashMap<>();
            model.toHuggingFace().forEach((name, t) ->
                    half.put(name, new SafeTensors.Tensor(t.values(), t.shape(), SafeTensors.DType.F16)));
            try {
                Files.createDirectories(folder);
                Path file = folder.resolve(fileName(step));
                SafeTensors.write(file, half, Map.of("format", "pt", "step", String.valueOf(step)));
                written.add(new Entry(step, fileName(step), Files.size(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the checkpoint of step " + step + ": " + e.getMessage(), e);
            }
        }

        /** Writes the index of what was written (nothing when no checkpoint was). */
        TrainingCheckpoints finish() throws IOException {
            TrainingCheckpoints index = new TrainingCheckpoints(SafeTensors.DType.F16.name(), every, written);
            if (!written.isEmpty()) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValue(folder.resolve(INDEX).toFile(), index);
            }
            return index;
        }
    }
}
