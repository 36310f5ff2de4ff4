package dev.attnstudio.samples.train;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.train.NextTokenBatch;
import dev.attnstudio.engine.train.Trainer;

import java.util.List;

/**
 * Next-byte quality of a model on fixed windows, from {@link Trainer#evaluate}: the mean cross-entropy per predicted
 * byte (nats), and what follows from it. Windows are scored in chunks of {@value #CHUNK} (a chunk's mean loss is
 * weighted by the predictions it holds), which bounds memory without changing the result.
 *
 * @param loss        mean cross-entropy, nats per byte
 * @param accuracy    share of predictions whose arg-max is the actual next byte
 * @param predictions bytes predicted (windows x (length - 1))
 */
public record TinyLmEvaluation(double loss, double accuracy, long predictions) {

    /** Windows per forward pass. */
    static final int CHUNK = 32;

    /** exp(loss): perplexity per byte. */
    public double perplexity() {
        return Math.exp(loss);
    }

    /** loss / ln 2. */
    public double bitsPerByte() {
        return loss / Math.log(2);
    }

    /** Scores every position but the last of every window on the token after it. */
    public static TinyLmEvaluation of(TransformerModel model, List<long[]> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("no windows to evaluate");
        }
        double lossSum = 0;
        double correct = 0;
        double counted = 0;
        for (int from = 0; from < windows.size(); from += CHUNK) {
            long[][] ids = windows.subList(from, Math.min(windows.size(), from + CHUNK)).toArray(long[][]::new);
            Trainer.Evaluation e = Trainer.evaluate(model, Interventions.NONE, NextTokenBatch.allPositions(ids));
            lossSum += e.loss() * e.counted();
            correct += e.correct();
            counted += e.counted();
        }
        return new TinyLmEvaluation(lossSum / counted, correct / counted, Math.round(counted));
    }
}
