package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The numbers on a tiny language model's card, as {@code metrics.json} next to its weights: where the text came from,
 * how the model was trained, and what was measured on the weights as written (re-opened from the folder through
 * {@code LoadedModel.open}). Tests read this file, never the Markdown.
 *
 * @param sample       folder / catalog name
 * @param architecture "gpt2" or "llama"
 * @param geometry     the shape in words
 * @param parameters   number of trained weights
 * @param data         the text
 * @param training     the run
 * @param validation   next-byte quality on the committed validation slice (the number the card and tests quote)
 * @param heldOut      the same on the whole held-out part of the text
 * @param generations  continuations of {@link TinyLmGeneration#PROMPT}
 * @param heads        what the heads do
 */
public record TinyLmMetrics(String sample, String architecture, String geometry, long parameters, Data data,
                            Training training, Score validation, Score heldOut, List<Generation> generations,
                            TinyLmHeads heads) {

    /** The file's name in a sample folder. */
    public static final String FILE = "metrics.json";

    /**
     * The text.
     *
     * @param debianPackage   the package that ships it
     * @param packageVersion  its version
     * @param licence         the text's licence, as the package's copyright file states it
     * @param export          the command that turns the package's compressed text into the plain file trained on
     * @param file            the file as given to {@code --data}
     * @param bytes           its size
     * @param sha256          its SHA-256
     * @param distinctBytes   how many different byte values it holds
     * @param heldOutStart    first byte of the held-out part (the last {@value TinyLmCorpus#HELD_OUT_PERCENT}%, from a
     *                        line start)
     */
    public record Data(String debianPackage, String packageVersion, String licence, String export, String file,
                       long bytes, String sha256, int distinctBytes, int heldOutStart) {
    }

    /**
     * The run.
     *
     * @param command          the Maven command that reproduces it from the repository root
     * @param seed             seed of the initial weights (and, + 1, of the training windows)
     * @param steps            optimizer updates
     * @param batch            windows per update
     * @param windowLength     tokens per window (the context)
     * @param optimization     optimizer and schedule
     * @param initStd          standard deviation of the initial weight matrices
     * @param threads          PyTorch intra-op threads
     * @param trainingSeconds  wall-clock time in the training steps (forward, backward, update)
     * @param totalSeconds     the whole command, evaluations, writing and measuring included
     * @param finalTrainLoss   mean training loss (nats per byte) over the last {@code every} steps
     * @param every            steps between rows of the curve
     * @param curve            the loss curve
     */
    public record Training(String command, long seed, int steps, int batch, int windowLength, String optimization,
                           double initStd, int threads, double trainingSeconds, double totalSeconds, double finalTrainLoss,
                           int every, List<CurvePoint> curve) {
    }

    /**
     * One row of the loss curve.
     *
     * @param step           updates done
     * @param learningRate   the rate of the last update
     * @param trainLoss      mean training loss over the steps since the previous row (null at step 0)
     * @param validationLoss loss on the validation windows after this step
     */
    public record CurvePoint(int step, double learningRate, Double trainLoss, double validationLoss) {
    }

    /**
     * Next-byte quality on fixed windows.
     *
     * @param file         where the scored text is ({@code validation.txt} in the folder), or a description
     * @param windows      windows of {@code windowLength} tokens, consecutive, sharing one byte
     * @param windowLength tokens per window
     * @param bytes        bytes they cover
     * @param loss         mean cross-entropy, nats per byte
     * @param perplexity   exp(loss)
     * @param bitsPerByte  loss / ln 2
     * @param accuracy     share of bytes predicted exactly by the arg-max
     * @param predictions  bytes predicted
     */
    public record Score(String file, int windows, int windowLength, int bytes, double loss, double perplexity,
                        double bitsPerByte, double accuracy, long predictions) {

        static Score of(String file, int windows, int windowLength, int bytes, TinyLmEvaluation e) {
            return new Score(file, windows, windowLength, bytes, e.loss(), e.perplexity(), e.bitsPerByte(), e.accuracy(),
                    e.predictions());
        }
    }

    /**
     * A continuation.
     *
     * @param prompt   the prompt
     * @param sampling how tokens were chosen
     * @param text     what followed the prompt
     */
    public record Generation(String prompt, String sampling, String text) {

        static Generation of(TinyLmGeneration g) {
            return new Generation(g.prompt(), g.describe(), g.text());
        }
    }

    public void write(Path folder) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.resolve(FILE).toFile(), this);
    }

    public static TinyLmMetrics read(InputStream in) throws IOException {
        return new ObjectMapper().readValue(in, TinyLmMetrics.class);
    }
}
