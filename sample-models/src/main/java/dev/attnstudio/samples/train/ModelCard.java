package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes an induction sample's model card ({@code README.md}) and its figures ({@code loss.svg}, {@code heads.svg})
 * from what was measured ({@link Metrics}) and recorded ({@link Timeline}); nothing on the card is typed by hand.
 */
final class ModelCard {

    static final String README = "README.md";
    static final String LOSS_FIGURE = "loss.svg";
    static final String HEADS_FIGURE = "heads.svg";

    private ModelCard() {
    }

    static void write(Path folder, Metrics metrics, Timeline timeline) throws IOException {
        Files.writeString(folder.resolve(LOSS_FIGURE), lossFigure(metrics, timeline));
        Files.writeString(folder.resolve(HEADS_FIGURE), headsFigure(timeline));
        Files.writeString(folder.resolve(README), markdown(folder, metrics, timeline));
    }

    private static String markdown(Path folder, Metrics m, Timeline t) throws IOException {
        Measurement x = m.measured();
        int layers = x.induction().length;
        long weightBytes = Files.size(folder.resolve("model.safetensors"));
        StringBuilder s = new StringBuilder();
        s.append("# ").append(m.sample()).append(m.collapsed() ? " (deliberately collapsed)" : "").append("\n\n");
        if (m.collapsed()) {
            s.append("> **Deliberately broken.** This is `induction-2l`'s recipe with a learning rate ")
                    .append((int) TrainInduction.COLLAPSE_FACTOR).append(" times too high, kept to show what attention")
                    .append(" collapse looks like: every head ends up putting (almost) all its weight on a single key,")
                    .append(" and the model never learns the task. Do not use it as an example of a working model.\n\n");
        }
        s.append("A ").append(layers).append("-layer GPT-2-architecture decoder trained by Attention Studio's own trainer")
                .append(" (DJL autograd through the engine's forward pass) to continue sequences of random tokens whose")
                .append(" second half repeats the first. ");
        if (!m.collapsed()) {
            s.append("It exists to show an induction circuit: a previous-token head in layer 0 and induction heads")
                    .append(" in layer 1 that look at the token after the earlier copy of the current token and copy it.");
        }
        s.append("\n\n## At a glance\n\n| | |\n|---|---|\n");
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        s.append(String.format(Locale.ROOT, "| Architecture | GPT-2 (pre-LayerNorm, learned positions, tied unembedding): %d"
                + " layers x %d heads, d_model %d, d_mlp %d, gelu_new, %d positions, %d tokens |%n", config.nLayer(),
                config.nHead(), config.dModel(), config.dMlp(), config.nPositions(), config.vocabSize()));
        s.append(String.format(Locale.ROOT, "| Parameters | %,d, fp32 (`model.safetensors`, %,d bytes) |%n", m.parameters(),
                weightBytes));
        s.append("| Tokenizer | WordLevel: `a0` .. `a63` are ids 0..63, anything else is `<unk>` (64), split on spaces;")
                .append(" type a sequence twice, e.g. the probe below |\n");
        s.append(String.format(Locale.ROOT, "| Repeated-half accuracy | **%.2f%%** on %,d held-out predictions"
                + " (loss %.4f nats) |%n", 100 * x.accuracy(), m.evalPredictions(), x.loss()));
        s.append("| Previous-token heads | ").append(list(x.previousTokenHeads())).append(" |\n");
        s.append("| Induction heads | ").append(list(x.inductionHeads())).append(" |\n");
        s.append("| Licence | The project's own work: weights trained by this repository's code on synthetic data it")
                .append(" generates; no third-party data, weights or downloads |\n");

        s.append("\n## Data\n\n")
                .append("Synthetic, made by `InductionTask` (this repository) from seeded random numbers: each sequence is")
                .append(" H different tokens drawn uniformly from the 64 (H = ").append(InductionTask.MIN_HALF)
                .append("..").append(InductionTask.MAX_HALF).append(", one H per batch), followed by the same H tokens")
                .append(" again. H varies so the model cannot just look a fixed distance back. Source and licence:")
                .append(" generated, nothing downloaded, no third-party terms. Training data comes from seed")
                .append(" `seed + 1`; the held-out set (").append(m.evalSequences()).append(" sequences, ")
                .append(InductionTask.EVAL_ROWS_PER_HALF).append(" of each H) from seed ").append(m.evalSeed())
                .append(" and is never trained on.\n\n")
                .append("Loss and accuracy count only the predictions that can be made: from the first token of the")
                .append(" repeat on, each next token (queries H .. 2H-2, H-1 per sequence). The first half is random and")
                .append(" is not scored.\n");

        s.append("\n## Training\n\n")
                .append("From the repository root, after `mvn -q -B -o install -DskipTests`:\n\n    ")
                .append(m.command()).append("\n\n")
                .append(String.format(Locale.ROOT, "- %d steps of %d sequences; %s; no dropout.%n", m.steps(), m.batch(),
                        m.optimization()))
                .append(String.format(Locale.ROOT, "- Initial weights: `RandomGpt2` with std %.2f, seed %d (biases std/4,"
                        + " LayerNorm gains 1 + N(0, 0.1^2)).%n", TrainInduction.INIT_STD, m.seed()))
                .append(String.format(Locale.ROOT, "- Time: %.0f s in the training steps, %.0f s for the whole run with"
                        + " its %d checkpoints (2 CPU cores).%n", m.trainingSeconds(), m.totalSeconds(),
                        t.checkpoints().size()))
                .append("\n![loss and accuracy](").append(LOSS_FIGURE).append(")\n\n")
                .append("| step | training loss | held-out loss | accuracy | mean entropy, layer 0 | mean entropy, layer 1 |\n")
                .append("|---:|---:|---:|---:|---:|---:|\n");
        for (Timeline.Checkpoint c : selected(t)) {
            s.append(String.format(Locale.ROOT, "| %d | %s | %.4f | %.2f%% | %.3f | %.3f |%n", c.step(),
                    c.trainLoss() == null ? "-" : String.format(Locale.ROOT, "%.4f", c.trainLoss()), c.evalLoss(),
                    100 * c.accuracy(), mean(c.entropy()[0]), mean(c.entropy()[layers - 1])));
        }

        double[] chance = m.chance();
        s.append("\n## What the heads do (measured)\n\n")
                .append("Measured from the committed weights with the engine's stepper (`hook_pattern`) on the held-out")
                .append(" sequences. Head `l.h` is head h of layer l.\n\n")
                .append(String.format(Locale.ROOT, "**Previous-token score, first half**: mean weight from query t to key"
                        + " t-1 over the first half (t = 1..H-1), where the keys an induction head later reads are"
                        + " made. Heads above %.1f are named previous-token heads. Uniform attention: %.3f.%n%n",
                        m.previousTokenThreshold(), chance[1]))
                .append(HeadScores.table(x.previousTokenFirstHalf()))
                .append(String.format(Locale.ROOT, "%n**Previous-token score, all queries** (t = 1..2H-1). In the second"
                        + " half a layer-0 head may look at the earlier copy of its own token instead, which lowers this"
                        + " one. Uniform attention: %.3f.%n%n", chance[0]))
                .append(HeadScores.table(x.previousToken()))
                .append(String.format(Locale.ROOT, "%n**Induction score**: mean weight from query t of the second half"
                        + " (t = H..2H-1) to key t-H+1, the token that followed the earlier copy of the current token."
                        + " Heads above %.1f are named induction heads. Uniform attention: %.3f.%n%n",
                        m.inductionThreshold(), chance[2]))
                .append(HeadScores.table(x.induction()))
                .append("\n**Entropy on the probe**: mean normalized entropy of each head's attention on the probe")
                .append(" sequence below (0 = all weight on one key, 1 = uniform over the keys a query may see).\n\n")
                .append(HeadScores.table(toDouble(x.probeEntropy())))
                .append(String.format(Locale.ROOT, "%n**Accuracy with one head ablated** (its output `hook_z` set to"
                        + " zero; %.2f%% with none):%n%n", 100 * x.accuracy()))
                .append(HeadScores.table(x.accuracyWithHeadAblated()));
        if (x.accuracyWithoutPreviousTokenHeads() != null) {
            s.append(String.format(Locale.ROOT, "%nWith every previous-token head (%s) ablated at once: %.2f%%.",
                    list(x.previousTokenHeads()), 100 * x.accuracyWithoutPreviousTokenHeads()));
        }
        if (x.accuracyWithoutInductionHeads() != null) {
            s.append(String.format(Locale.ROOT, "%nWith every induction head (%s) ablated at once: %.2f%%.",
                    list(x.inductionHeads()), 100 * x.accuracyWithoutInductionHeads()));
        }
        s.append("\n\n![head scores over training](").append(HEADS_FIGURE).append(")\n");
        if (m.collapsed()) {
            s.append(collapse(t));
        }

        s.append("\n## Timeline\n\n`timeline.json` replays the run: the training loss of every step, and at each of")
                .append(" the ").append(t.checkpoints().size()).append(" checkpoints (step 0, every ")
                .append(t.every() / 5).append(" steps up to ").append(t.every()).append(", then every ").append(t.every())
                .append(") the held-out loss and accuracy, every head's scores and probe entropy, and every head's")
                .append(" attention pattern on the probe (row q lists keys 0..q). The probe is H = 12:\n\n    ")
                .append(t.probeText()).append("\n");
        s.append(checkpoints(folder));

        s.append("\n## Checking these numbers\n\n")
                .append("`CheckInduction` opens the folder with `LoadedModel.open` (the path a user's folder takes),")
                .append(" recomputes everything in `metrics.json` and fails if anything moved by more than 0.01:\n\n    ")
                .append("mvn -B -o -pl sample-models exec:java ").append(TrainInduction.JVM_FLAGS)
                .append(" -Dexec.mainClass=").append(CheckInduction.class.getName()).append(" -Dexec.args=\"--sample ")
                .append(m.sample()).append("\"\n\n")
                .append("`sample-models`' tests do the same through the catalog.\n");

        s.append("\n## Files\n\n")
                .append("`config.json`, `model.safetensors`, `tokenizer.json` (a Hugging Face GPT-2 folder; opens in the")
                .append(" app like any user folder), `metrics.json` (every number above), `timeline.json`,")
                .append(Files.isDirectory(folder.resolve(TrainingCheckpoints.FOLDER))
                        ? " `" + TrainingCheckpoints.FOLDER + "/` (weights during training), `" : " `")
                .append(LOSS_FIGURE).append("`, `").append(HEADS_FIGURE).append("`, this `README.md`.\n");
        return s.toString();
    }

    /** A paragraph on the weight checkpoints the run saved, or nothing when it saved none. */
    private static String checkpoints(Path folder) throws IOException {
        Path index = folder.resolve(TrainingCheckpoints.FOLDER).resolve(TrainingCheckpoints.INDEX);
        if (!Files.isRegularFile(index)) {
            return "";
        }
        TrainingCheckpoints c;
        try (var in = Files.newInputStream(index)) {
            c = TrainingCheckpoints.read(in);
        }
        List<Integer> steps = c.steps();
        return String.format(Locale.ROOT, "%nThe weights themselves were saved every %d steps (%d checkpoints, steps %d to %d,"
                        + " %s, %,d bytes in all) under `%s/`, listed in `%s/%s`: `SampleCheckpoints` lists and opens"
                        + " them, so the report card and the patterns can be replayed from the real weights of each step.%n",
                c.every(), steps.size(), steps.get(0), steps.get(steps.size() - 1), c.dtype(), c.totalBytes(),
                TrainingCheckpoints.FOLDER, TrainingCheckpoints.FOLDER, TrainingCheckpoints.INDEX);
    }

    /** For the collapsed run: how fast the entropy fell, and where each head's weight went. */
    private static String collapse(Timeline t) {
        StringBuilder s = new StringBuilder("\n## The collapse\n\n");
        Timeline.Checkpoint first = t.checkpoints().get(0);
        Timeline.Checkpoint last = t.checkpoints().get(t.checkpoints().size() - 1);
        Timeline.Checkpoint collapsed = null;
        for (Timeline.Checkpoint c : t.checkpoints()) {
            if (max(c.entropy()) < 0.05) {
                collapsed = c;
                break;
            }
        }
        s.append(String.format(Locale.ROOT, "Mean normalized entropy of every head on the probe: %.3f at step 0, ",
                mean(first.entropy())));
        if (collapsed != null) {
            s.append(String.format(Locale.ROOT, "below 0.05 for every head by step %d (largest %.4f), ",
                    collapsed.step(), max(collapsed.entropy())));
        }
        s.append(String.format(Locale.ROOT, "%.4f at step %d (largest %.4f). Meanwhile the held-out accuracy stayed at"
                        + " %.2f%% (guessing among 64 tokens: %.2f%%) and the loss at %.3f nats (ln 64 = %.3f).%n%n",
                mean(last.entropy()), last.step(), max(last.entropy()), 100 * last.accuracy(),
                100.0 / InductionTask.TOKENS, last.evalLoss(), Math.log(InductionTask.TOKENS)));
        s.append("Where each head's weight goes on the probe at the end (mean over queries that see more than one key):\n\n")
                .append("| head | first token | itself | previous token | largest single key |\n|---|---:|---:|---:|---:|\n");
        float[][][][] p = last.patterns();
        for (int l = 0; l < p.length; l++) {
            for (int h = 0; h < p[l].length; h++) {
                double firstKey = 0, self = 0, prev = 0, top = 0;
                int n = 0;
                for (int q = 1; q < p[l][h].length; q++) {
                    float[] row = p[l][h][q];
                    firstKey += row[0];
                    self += row[q];
                    prev += row[q - 1];
                    float best = 0;
                    for (float v : row) {
                        best = Math.max(best, v);
                    }
                    top += best;
                    n++;
                }
                s.append(String.format(Locale.ROOT, "| %d.%d | %.3f | %.3f | %.3f | %.3f |%n", l, h, firstKey / n,
                        self / n, prev / n, top / n));
            }
        }
        return s.toString();
    }

    /** Step 0, the early checkpoints, every 4th later one, and the last. */
    private static List<Timeline.Checkpoint> selected(Timeline t) {
        List<Timeline.Checkpoint> out = new ArrayList<>();
        List<Timeline.Checkpoint> all = t.checkpoints();
        for (int i = 0; i < all.size(); i++) {
            Timeline.Checkpoint c = all.get(i);
            if (c.step() <= 10 * t.every() ? c.step() % t.every() == 0 || c.step() == t.every() / 5
                    : c.step() % (4 * t.every()) == 0 || i == all.size() - 1) {
                out.add(c);
            }
        }
        return out;
    }

    private static String lossFigure(Metrics m, Timeline t) {
        int n = t.stepLoss().length;
        double[] x = new double[n];
        double[] smooth = new double[n];
        double sum = 0;
        int window = 10;
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            sum += t.stepLoss()[i];
            if (i >= window) {
                sum -= t.stepLoss()[i - window];
            }
            smooth[i] = sum / Math.min(i + 1, window);
        }
        List<Timeline.Checkpoint> cs = t.checkpoints();
        double[] cx = new double[cs.size()];
        double[] evalLoss = new double[cs.size()];
        double[] accuracy = new double[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            cx[i] = cs.get(i).step();
            evalLoss[i] = cs.get(i).evalLoss();
            accuracy[i] = cs.get(i).accuracy();
        }
        double lo = Math.pow(10, Math.floor(Math.log10(Math.max(1e-4, Math.min(min(smooth), min(evalLoss))))));
        return new Figure(m.sample() + ": loss and accuracy (" + m.label() + ")", n)
                .add(new Figure.Panel("cross-entropy on the repeated half (nats, log scale)", lo, 10, true, List.of(
                        new Figure.Series("training (10-step mean)", Figure.COLOURS[0], x, smooth, false),
                        new Figure.Series("held-out", Figure.COLOURS[1], cx, evalLoss, false))))
                .add(new Figure.Panel("next-token accuracy on the repeated half (held-out)", 0, 1, false, List.of(
                        new Figure.Series("accuracy", Figure.COLOURS[2], cx, accuracy, false))))
                .svg();
    }

    private static String headsFigure(Timeline t) {
        List<Timeline.Checkpoint> cs = t.checkpoints();
        double[] cx = new double[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            cx[i] = cs.get(i).step();
        }
        int layers = cs.get(0).induction().length;
        int heads = cs.get(0).induction()[0].length;
        List<Figure.Series> prev = new ArrayList<>();
        List<Figure.Series> ind = new ArrayList<>();
        List<Figure.Series> entropy = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double[] p = new double[cs.size()];
                double[] in = new double[cs.size()];
                double[] e = new double[cs.size()];
                for (int i = 0; i < cs.size(); i++) {
                    p[i] = cs.get(i).previousTokenFirstHalf()[l][h];
                    in[i] = cs.get(i).induction()[l][h];
                    e[i] = cs.get(i).entropy()[l][h];
                }
                String colour = Figure.COLOURS[h % Figure.COLOURS.length];
                String label = "head " + l + "." + h;
                prev.add(new Figure.Series(label, colour, cx, p, l == 0));
                ind.add(new Figure.Series(label, colour, cx, in, l == 0));
                entropy.add(new Figure.Series(label, colour, cx, e, l == 0));
            }
        }
        return new Figure(t.sample() + ": heads over training (dashed: layer 0, solid: layer 1)",
                cs.get(cs.size() - 1).step())
                .add(new Figure.Panel("previous-token score (first half)", 0, 1, false, prev))
                .add(new Figure.Panel("induction score", 0, 1, false, ind))
                .add(new Figure.Panel("mean normalized entropy on the probe", 0, 1, false, entropy))
                .svg();
    }

    private static String list(List<String> heads) {
        return heads.isEmpty() ? "none" : String.join(", ", heads);
    }

    private static double[][] toDouble(float[][] v) {
        double[][] d = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            d[i] = new double[v[i].length];
            for (int j = 0; j < v[i].length; j++) {
                d[i][j] = v[i][j];
            }
        }
        return d;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }

    private static double mean(float[][] v) {
        double s = 0;
        int n = 0;
        for (float[] row : v) {
            for (float f : row) {
                s += f;
                n++;
            }
        }
        return s / n;
    }

    private static double max(float[][] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (float[] row : v) {
            for (float f : row) {
                m = Math.max(m, f);
            }
        }
        return m;
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) {
            if (Double.isFinite(d) && d > 0) {
                m = Math.min(m, d);
            }
        }
        return m;
    }
}
