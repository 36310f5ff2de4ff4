package dev.attnstudio.samples.train;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.train.NextTokenBatch;
import dev.attnstudio.engine.train.Trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code reverse-t5}'s card reports, measured from its weights through the engine on the held-out strings of
 * {@link ReverseTask#evalSet()}. Deterministic for given weights; {@link CheckReverseT5} recomputes it and compares.
 *
 * @param exactMatch         share of held-out strings whose greedy output (N + 1 tokens from the decoder start token)
 *                           is exactly the letters reversed followed by {@code </s>}
 * @param exactMatchByLength the same per length N = {@value ReverseTask#MIN_LENGTH}..{@value ReverseTask#MAX_LENGTH}
 * @param tokenAccuracy      teacher-forced: share of the N + 1 output tokens whose arg-max is right, given the right
 *                           tokens before them
 * @param loss               teacher-forced mean cross-entropy per output token (nats)
 * @param alignment          where each cross-attention head looks
 * @param alignedHeads       heads named alignment heads ({@link CrossAlignment#alignedHeads()})
 * @param probeInput         the card's example string (its letters; the encoder reads them and {@code </s>})
 * @param probeOutput        what the model writes for it, greedy through the stepper with the KV cache: N + 1 tokens
 *                           after the start token, {@code </s>} included
 */
public record ReverseT5Measurement(double exactMatch, double[] exactMatchByLength, double tokenAccuracy, double loss,
                                   CrossAlignment alignment, List<String> alignedHeads, String probeInput,
                                   String probeOutput) {

    public static ReverseT5Measurement of(TransformerModel model) {
        double[] accLoss = teacherForced(model);
        double[] byLength = exactMatchByLength(model);
        CrossAlignment a = CrossAlignment.measure(model);
        ReverseTask.Examples probe = ReverseTask.probe();
        long[] out = ReverseGreedy.stepper(model, probe.encoder()[0], probe.letters() + 1);
        String letters = ReverseTask.text(Arrays.copyOf(probe.encoder()[0], probe.letters()));
        return new ReverseT5Measurement(mean(byLength), byLength, accLoss[0], accLoss[1], a, a.alignedHeads(), letters,
                ReverseTask.text(out));
    }

    /** Exact match per length, greedy through the batched forward loop. */
    static double[] exactMatchByLength(TransformerModel model) {
        List<ReverseTask.Examples> set = ReverseTask.evalSet();
        double[] out = new double[set.size()];
        for (int i = 0; i < set.size(); i++) {
            ReverseTask.Examples e = set.get(i);
            long[][] generated = ReverseGreedy.batched(model, Interventions.NONE, e.encoder(), ReverseTask.PAD,
                    e.letters() + 1);
            int right = 0;
            for (int b = 0; b < e.size(); b++) {
                if (Arrays.equals(generated[b], e.target(b))) {
                    right++;
                }
            }
            out[i] = (double) right / e.size();
        }
        return out;
    }

    /** {token accuracy, loss} with the decoder fed the right tokens. */
    static double[] teacherForced(TransformerModel model) {
        double correct = 0;
        double counted = 0;
        double loss = 0;
        for (ReverseTask.Examples e : ReverseTask.evalSet()) {
            Trainer.Evaluation ev = Trainer.evaluate(model, Interventions.NONE, batch(e));
            correct += ev.correct();
            counted += ev.counted();
            loss += ev.loss() * ev.counted();
        }
        return new double[] {correct / counted, loss / counted};
    }

    /** The examples as a sequence-to-sequence batch: every output token (the letters reversed, then {@code </s>}) counts. */
    static NextTokenBatch batch(ReverseTask.Examples e) {
        List<long[]> targets = new ArrayList<>(e.size());
        for (int b = 0; b < e.size(); b++) {
            targets.add(e.target(b));
        }
        return NextTokenBatch.seq2seq(Arrays.asList(e.encoder()), targets, ReverseTask.PAD, ReverseTask.PAD);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN); // every length has the same number of strings
    }

    /**
     * Where this measurement and a recorded one differ by more than {@code tolerance} (absolute), one line per
     * difference, or where they name different heads or the probe comes out differently; empty when they agree.
     */
    public List<String> differences(ReverseT5Measurement recorded, double tolerance) {
        List<String> out = new ArrayList<>();
        compare(out, "exact match", exactMatch, recorded.exactMatch, tolerance);
        for (int i = 0; i < exactMatchByLength.length; i++) {
            compare(out, "exact match at length " + (ReverseTask.MIN_LENGTH + i), exactMatchByLength[i],
                    recorded.exactMatchByLength[i], tolerance);
        }
        compare(out, "token accuracy", tokenAccuracy, recorded.tokenAccuracy, tolerance);
        compare(out, "loss", loss, recorded.loss, tolerance);
        CrossAlignment a = alignment;
        CrossAlignment r = recorded.alignment;
        for (int l = 0; l < a.mirror().length; l++) {
            for (int h = 0; h < a.mirror()[l].length; h++) {
                String head = " of head " + l + "." + h;
                compare(out, "mirror score" + head, a.mirror()[l][h], r.mirror()[l][h], tolerance);
                compare(out, "mirror arg-max share" + head, a.mirrorArgmax()[l][h], r.mirrorArgmax()[l][h], tolerance);
                compare(out, "previous-source score" + head, a.previous()[l][h], r.previous()[l][h], tolerance);
                compare(out, "</s> score" + head, a.end()[l][h], r.end()[l][h], tolerance);
            }
        }
        if (!alignedHeads.equals(recorded.alignedHeads)) {
            out.add("alignment heads: measured " + alignedHeads + ", recorded " + recorded.alignedHeads);
        }
        if (!probeOutput.equals(recorded.probeOutput)) {
            out.add("the probe " + probeInput + " gives " + probeOutput + ", recorded " + recorded.probeOutput);
        }
        return out;
    }

    private static void compare(List<String> out, String what, double now, double recorded, double tolerance) {
        if (!(Math.abs(now - recorded) <= tolerance)) {
            out.add(String.format(Locale.ROOT, "%s: measured %.4f, recorded %.4f", what, now, recorded));
        }
    }
}
