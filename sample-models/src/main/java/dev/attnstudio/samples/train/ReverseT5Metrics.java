package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Every number on {@code reverse-t5}'s card, as {@code metrics.json} next to its weights: the task, how it was
 * trained (with the loss curve), and what was measured on the weights as written (re-opened from the folder through
 * {@code LoadedModel.open}). {@link CheckReverseT5} recomputes {@link #measured()} and compares.
 *
 * @param sample     folder / catalog name
 * @param geometry   the architecture in words
 * @param parameters trainable numbers in the model
 * @param data       the task and the held-out set
 * @param training   the run
 * @param measured   what the weights do
 */
public record ReverseT5Metrics(String sample, String geometry, long parameters, Data data, Training training,
                               ReverseT5Measurement measured) {

    public static final String FILE = "metrics.json";

    /**
     * @param alphabet         the letters strings are drawn from
     * @param minLength        shortest string
     * @param maxLength        longest string
     * @param evalSeed         seed of the held-out strings
     * @param evalStrings      held-out strings
     * @param evalOutputTokens output tokens they hold (letters and {@code </s>})
     */
    public record Data(String alphabet, int minLength, int maxLength, long evalSeed, int evalStrings,
                       int evalOutputTokens) {

        static Data of() {
            int strings = 0;
            int tokens = 0;
            for (ReverseTask.Examples e : ReverseTask.evalSet()) {
                strings += e.size();
                tokens += e.size() * (e.letters() + 1);
            }
            return new Data(ReverseTask.ALPHABET, ReverseTask.MIN_LENGTH, ReverseTask.MAX_LENGTH, ReverseTask.EVAL_SEED,
                    strings, tokens);
        }
    }

    /**
     * @param command         the Maven command that reproduces the run from the repository root
     * @param seed            seed of the initial weights (and, + 1, of the training strings)
     * @param steps           optimizer updates
     * @param batch           strings per update
     * @param optimization    optimizer and schedule
     * @param initStd         standard deviation of the initial weights
     * @param threads         PyTorch intra-op threads
     * @param trainingSeconds time in the training steps (forward, backward, update)
     * @param totalSeconds    the whole command, checkpoints and measurements included
     * @param every           steps between rows of the curve
     * @param curve           the loss curve
     */
    public record Training(String command, long seed, int steps, int batch, String optimization, double initStd,
                           int threads, double trainingSeconds, double totalSeconds, int every, List<CurvePoint> curve) {
    }

    /**
     * One row of the loss curve.
     *
     * @param step          updates done
     * @param learningRate  the rate of the last update (0 at step 0)
     * @param trainLoss     mean training loss over the steps since the previous row (null at step 0)
     * @param heldOutLoss   teacher-forced loss on the held-out strings
     * @param tokenAccuracy teacher-forced token accuracy there
     * @param exactMatch    greedy exact match there
     */
    public record CurvePoint(int step, double learningRate, Double trainLoss, double heldOutLoss, double tokenAccuracy,
                             double exactMatch) {
    }

    void write(Path folder) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.resolve(FILE).toFile(), this);
    }

    public static ReverseT5Metrics read(InputStream in) throws IOException {
        return new ObjectMapper().readValue(in, ReverseT5Metrics.class);
    }

    public static ReverseT5Metrics read(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), ReverseT5Metrics.class);
    }
}
