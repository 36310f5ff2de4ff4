package dev.attnstudio.samples.train;

import java.util.List;

/**
 * A training run as it happened, for replaying heads forming: checkpoints at step 0, every {@code every / 5} steps
 * during the first {@code every} steps, then every {@code every} steps and at the last, each with the loss, the
 * held-out accuracy, and each head's scores, entropy and attention pattern on the probe sequence. Written as
 * {@code timeline.json} next to the weights.
 *
 * @param sample      the sample's name
 * @param label       "trained" or "deliberately collapsed: ..."
 * @param command     the command line that produced it
 * @param every       steps between checkpoints after the first {@code every}
 * @param probeIds    the probe sequence's token ids
 * @param probeText   the same as text (what to type in the app)
 * @param stepLoss    the training loss of every step (index 0 = step 1)
 * @param checkpoints in step order
 */
public record Timeline(String sample, String label, String command, int every, long[] probeIds, String probeText,
                       float[] stepLoss, List<Checkpoint> checkpoints) {

    /**
     * @param step          updates done
     * @param learningRate  the rate of the last update (0 at step 0)
     * @param trainLoss     mean training loss of the steps since the previous checkpoint (null at step 0)
     * @param evalLoss      cross-entropy on the held-out repeated halves
     * @param accuracy      next-token accuracy on the held-out repeated halves
     * @param previousToken {@link HeadScores#previousToken()} [layer][head]
     * @param previousTokenFirstHalf {@link HeadScores#previousTokenFirstHalf()} [layer][head]
     * @param induction     {@link HeadScores#induction()} [layer][head]
     * @param entropy       {@link Probe#entropy()} [layer][head]
     * @param patterns      {@link Probe#patterns()} [layer][head][query][key <= query]
     */
    public record Checkpoint(int step, float learningRate, Double trainLoss, double evalLoss, double accuracy,
                             double[][] previousToken, double[][] previousTokenFirstHalf, double[][] induction,
                             float[][] entropy, float[][][][] patterns) {
    }
}
