package dev.attnstudio.samples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.load.LoadedModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The numbers on an induction sample's card, as {@code metrics.json} next to its weights: how it was trained and what
 * was measured on the weights as written (re-opened from the folder through {@code LoadedModel.open}).
 * {@link CheckInduction} recomputes {@link #measured()} from the weights and compares.
 *
 * @param sample                 folder / catalog name
 * @param label                  "trained" or "deliberately collapsed: ..."
 * @param command                the Maven command that reproduces the run from the repository root
 * @param seed                   seed of the initial weights (and, + 1, of the training data)
 * @param steps                  optimizer updates
 * @param batch                  sequences per update
 * @param optimization           optimizer and schedule
 * @param parameters             trainable numbers in the model
 * @param trainingSeconds        time in the training steps (forward, backward, update), excluding checkpoints
 * @param totalSeconds           the whole run, checkpoints and measurements included
 * @param evalSeed               seed of the held-out set
 * @param evalSequences          held-out sequences
 * @param evalPredictions        scored predictions in them
 * @param previousTokenThreshold a head above this first-half previous-token score is named a previous-token head
 * @param inductionThreshold     a head above this induction score is named an induction head
 * @param chance                 what uniform attention scores: previous-token (all, first half), induction
 * @param measured               what the weights do
 */
public record Metrics(String sample, String label, String command, long seed, int steps, int batch,
                      String optimization, long parameters, double trainingSeconds, double totalSeconds,
                      long evalSeed, int evalSequences, int evalPredictions, double previousTokenThreshold,
                      double inductionThreshold, double[] chance, Measurement measured) {

    public static final String FILE = "metrics.json";

    static Metrics measure(LoadedModel model, String label, String command, TrainInduction.Options o,
                           String optimization, double trainingSeconds, long startNanos) {
        Measurement m = Measurement.of(model.model());
        int sequences = 0;
        int predictions = 0;
        for (long[][] batch : InductionTask.evalSet()) {
            sequences += batch.length;
            predictions += batch.length * (batch[0].length / 2 - 1);
        }
        long parameters = model.model().parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
        return new Metrics(model.name(), label, command, o.seed(), o.steps(), o.batch(), optimization, parameters,
                trainingSeconds, (System.nanoTime() - startNanos) / 1e9, InductionTask.EVAL_SEED, sequences,
                predictions, HeadScores.PREVIOUS_TOKEN_THRESHOLD, HeadScores.INDUCTION_THRESHOLD, HeadScores.chance(), m);
    }

    public double accuracy() {
        return measured.accuracy();
    }

    /** Whether this is the deliberately broken run. */
    public boolean collapsed() {
        return label.startsWith("deliberately collapsed");
    }

    void write(Path folder) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.resolve(FILE).toFile(), this);
    }

    public static Metrics read(InputStream in) throws IOException {
        return new ObjectMapper().readValue(in, Metrics.class);
    }

    public static Metrics read(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), Metrics.class);
    }

    /** A few lines for the console. */
    String summary() {
        return String.format(Locale.ROOT, "%s (%s): repeated-half accuracy %.4f, loss %.4f on %d held-out predictions;"
                        + " previous-token heads %s, induction heads %s; %.1f s training, %.1f s in all%n"
                        + "previous-token scores (all queries):%n%sprevious-token scores (first half):%n%s"
                        + "induction scores:%n%saccuracy with one head ablated:%n%sprobe entropy %s%n"
                        + "accuracy without the previous-token heads %s, without the induction heads %s",
                sample, label, measured.accuracy(), measured.loss(), evalPredictions, measured.previousTokenHeads(),
                measured.inductionHeads(), trainingSeconds, totalSeconds, HeadScores.table(measured.previousToken()),
                HeadScores.table(measured.previousTokenFirstHalf()), HeadScores.table(measured.induction()),
                HeadScores.table(measured.accuracyWithHeadAblated()), Arrays.deepToString(measured.probeEntropy()),
                measured.accuracyWithoutPreviousTokenHeads(), measured.accuracyWithoutInductionHeads());
    }
}
