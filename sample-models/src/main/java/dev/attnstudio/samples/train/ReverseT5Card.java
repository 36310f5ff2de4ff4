package dev.attnstudio.samples.train;

import dev.attnstudio.engine.config.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code reverse-t5}'s model card ({@code README.md}) and its figures ({@code loss.svg}, {@code alignment.svg})
 * from {@link ReverseT5Metrics}; nothing on the card is typed by hand, so card, {@code metrics.json} and weights
 * cannot disagree.
 */
final class ReverseT5Card {

    static final String README = ModelCard.README;
    static final String LOSS_FIGURE = ModelCard.LOSS_FIGURE;
    static final String ALIGNMENT_FIGURE = "alignment.svg";

    private ReverseT5Card() {
    }

    /** The geometry in words. */
    static String geometry(ModelConfig c) {
        ModelConfig.T5 t5 = (ModelConfig.T5) c.extra();
        return String.format(Locale.ROOT, "T5: %d encoder and %d decoder blocks of %d heads of d_kv %d, d_model %d,"
                        + " %s feed-forward of %d, RMS norm eps %.0e, relative position buckets %d (max distance %d),"
                        + " %s embeddings, %d tokens", c.nLayer(), t5.nDecoderLayers(), c.nHead(), t5.dKv(), c.dModel(),
                t5.gatedGelu() ? "gated-GELU" : "ReLU", c.dMlp(), c.layerNormEps(), t5.buckets(), t5.maxDistance(),
                t5.tiedEmbeddings() ? "tied" : "untied", c.vocabSize());
    }

    /** A few lines for the console. */
    static String summary(ReverseT5Metrics m) {
        ReverseT5Measurement x = m.measured();
        return String.format(Locale.ROOT, "%s: exact match %.4f on %d held-out strings (by length %s), token accuracy"
                        + " %.4f, loss %.4f; alignment heads %s; probe %s -> %s; %.1f s training, %.1f s in all%n"
                        + "mirror scores (decoder layer x head):%n%s", m.sample(), x.exactMatch(), m.data().evalStrings(),
                Arrays.toString(round(x.exactMatchByLength())), x.tokenAccuracy(), x.loss(), x.alignedHeads(),
                x.probeInput(), x.probeOutput(), m.training().trainingSeconds(), m.training().totalSeconds(),
                HeadScores.table(x.alignment().mirror()));
    }

    static void write(Path folder, ReverseT5Metrics m, float[][][][] probePatterns) throws IOException {
        Files.writeString(folder.resolve(LOSS_FIGURE), lossFigure(m));
        Files.writeString(folder.resolve(ALIGNMENT_FIGURE), alignmentFigure(m, probePatterns));
        Files.writeString(folder.resolve(README), markdown(m, Files.size(folder.resolve("model.safetensors"))));
    }

    static String markdown(ReverseT5Metrics m, long weightBytes) {
        ReverseT5Measurement x = m.measured();
        ReverseT5Metrics.Training t = m.training();
        ReverseT5Metrics.Data d = m.data();
        CrossAlignment a = x.alignment();
        StringBuilder s = new StringBuilder();
        s.append("# ").append(m.sample()).append("\n\n")
                .append("A tiny T5 encoder-decoder trained by Attention Studio's own trainer (DJL autograd through the")
                .append(" engine's forward pass) to write a string of letters backwards: the encoder reads `")
                .append(x.probeInput()).append("`, the decoder writes `").append(x.probeOutput()).append("`. It is here")
                .append(" so cross-attention has something clean to show: to write output letter j the decoder has to")
                .append(" find input letter N-1-j, and its cross-attention heads draw that anti-diagonal.\n\n");

        s.append("## At a glance\n\n| | |\n|---|---|\n")
                .append("| Architecture | ").append(m.geometry()).append(" |\n")
                .append(String.format(Locale.ROOT, "| Parameters | %,d, fp32 (`model.safetensors`, %,d bytes) |%n",
                        m.parameters(), weightBytes))
                .append("| Tokenizer | character-level `tokenizer.json`: `<pad>` 0 (also the decoder start token), `</s>`")
                .append(" 1, `<unk>` 2, `a`..`z` 3..28; the encoder input gets `</s>` appended, so the prompt `abc`")
                .append(" reads `a b c </s>` |\n")
                .append(String.format(Locale.ROOT, "| Exact match | **%.2f%%** of %,d held-out strings reversed exactly"
                        + " (greedy, every letter and the final `</s>`) |%n", 100 * x.exactMatch(), d.evalStrings()))
                .append(String.format(Locale.ROOT, "| Token accuracy | %.2f%% teacher-forced on %,d output tokens (loss"
                        + " %.4f nats) |%n", 100 * x.tokenAccuracy(), d.evalOutputTokens(), x.loss()))
                .append("| Alignment heads | ").append(list(x.alignedHeads()))
                .append(String.format(Locale.ROOT, " (cross-attention weight on the mirrored letter above %.1f) |%n",
                        CrossAlignment.ALIGNED_THRESHOLD))
                .append("| Licence | The project's own work: weights trained by this repository's code on synthetic")
                .append(" data it generates; no third-party data, weights or downloads |\n");

        s.append("\n## Data\n\n")
                .append("Synthetic, made by `ReverseTask` (this repository) from seeded random numbers: N letters (N = ")
                .append(d.minLength()).append("..").append(d.maxLength()).append(", one N per batch) drawn uniformly and")
                .append(" independently from `").append(d.alphabet()).append(String.format(Locale.ROOT, "`, so letters"
                        + " repeat (%d letters hold a repeated one with probability %.0f%%, %d letters %.0f%%) and cannot"
                        + " be placed by their identity alone. The encoder", d.minLength(),
                        100 * ReverseTask.repeatProbability(d.minLength()), d.maxLength(),
                        100 * ReverseTask.repeatProbability(d.maxLength())))
                .append(" reads the letters and `</s>`; the decoder reads `<pad>` and the reversed letters and is trained")
                .append(" to predict the reversed letters and `</s>` (teacher forcing, every output token weighted")
                .append(" equally). Source and licence: generated, nothing downloaded, no third-party terms. Training")
                .append(" strings come from seed `seed + 1`; the held-out set (")
                .append(String.format(Locale.ROOT, "%d strings, %d of each length, %,d output tokens) from seed %d and is"
                        + " never trained on.%n", d.evalStrings(), d.evalStrings() / (d.maxLength() - d.minLength() + 1),
                        d.evalOutputTokens(), d.evalSeed()))
                .append("\nExact match: the decoder starts from `<pad>` and picks the most likely token N + 1 times,")
                .append(" each time reading its own previous picks (through the engine's forward pass, the whole batch at")
                .append(" once); a string counts only if all N letters and the final `</s>` are right. By length:\n\n")
                .append("| N |");
        for (int n = d.minLength(); n <= d.maxLength(); n++) {
            s.append(' ').append(n).append(" |");
        }
        s.append("\n|---|").append("---:|".repeat(d.maxLength() - d.minLength() + 1)).append("\n| exact match |");
        for (double v : x.exactMatchByLength()) {
            s.append(String.format(Locale.ROOT, " %.1f%% |", 100 * v));
        }
        s.append("\n");

        s.append("\n## Training\n\n")
                .append("From the repository root, after `mvn -q -B -o install -DskipTests`:\n\n    ")
                .append(t.command()).append("\n\n")
                .append(String.format(Locale.ROOT, "- %,d steps of %d strings; %s; no dropout.%n", t.steps(), t.batch(),
                        t.optimization()))
                .append(String.format(Locale.ROOT, "- Initial weights: `RandomT5` with std %.2f, seed %d (norm gains"
                        + " 1 + N(0, 0.1^2)).%n", t.initStd(), t.seed()))
                .append(String.format(Locale.ROOT, "- Time: %.0f s in the training steps (forward, backward, update),"
                        + " %.0f s for the whole command with its %d evaluations; a 2-core machine shared with other"
                        + " jobs, PyTorch (CPU) through DJL with %s.%n", t.trainingSeconds(), t.totalSeconds(),
                        t.curve().size(), t.threads() == 1 ? "one intra-op thread" : t.threads() + " intra-op threads"))
                .append("\n![loss, token accuracy and exact match](").append(LOSS_FIGURE).append(")\n\n")
                .append("| step | learning rate | training loss | held-out loss | token accuracy | exact match |\n")
                .append("|---:|---:|---:|---:|---:|---:|\n");
        for (ReverseT5Metrics.CurvePoint c : selected(t)) {
            s.append(String.format(Locale.ROOT, "| %d | %.5f | %s | %.4f | %.2f%% | %.2f%% |%n", c.step(),
                    c.learningRate(), c.trainLoss() == null ? "-" : String.format(Locale.ROOT, "%.4f", c.trainLoss()),
                    c.heldOutLoss(), 100 * c.tokenAccuracy(), 100 * c.exactMatch()));
        }

        int[] best = a.bestHead();
        s.append("\n## What the heads do (measured)\n\n")
                .append("Measured from the committed weights with the engine's stepper")
                .append(" (`decoder.blocks.L.cross_attn.hook_pattern`, [B, H, T, S]) on the held-out strings, the decoder")
                .append(" teacher-forced. Decoder position j (j = 0..N-1) writes output letter j, which is input letter")
                .append(" N-1-j. Head `L.h` is head h of decoder block L; every score is a mean over all such queries.\n\n")
                .append(String.format(Locale.ROOT, "**Mirror score**: weight on source position N-1-j, the letter being"
                        + " written. Uniform attention over the N+1 source positions would score %.3f.%n%n", a.chance()))
                .append(HeadScores.table(a.mirror()))
                .append("\n**Mirror arg-max share**: how often the head's most-weighted source position is N-1-j.\n\n")
                .append(HeadScores.table(a.mirrorArgmax()))
                .append("\n**Previous-source score**: weight on source position N-j, where the letter the decoder has")
                .append(" just read came from (j >= 1). A head that found its place by looking up the previous output")
                .append(" would score high here.\n\n")
                .append(HeadScores.table(a.previous()))
                .append("\n**`</s>` score**: weight on the source's final `</s>`.\n\n")
                .append(HeadScores.table(a.end()))
                .append("\nIn short: ").append(inShort(a)).append("\n")
                .append(String.format(Locale.ROOT, "%n![cross-attention on the probe](%s)%n%n", ALIGNMENT_FIGURE))
                .append(String.format(Locale.ROOT, "The figure shows decoder block %d's cross-attention heads on the probe"
                        + " `%s` (the block of the head with the highest mirror score, %d.%d), decoder teacher-forced:"
                        + " row j is decoder position j, reading `<pad>` and the first j reversed letters; column i is"
                        + " source position i. A head that reverses draws the anti-diagonal.%n", best[0],
                        x.probeInput(), best[0], best[1]))
                .append("\nSelf-attention is not scored on this card; step through it in the app or trace it with")
                .append(" `attn-studio trace --model reverse-t5 --prompt ").append(x.probeInput()).append(" --generate ")
                .append(x.probeInput().length() + 1).append(" --out /tmp/reverse`.\n");

        s.append("\n## Checking the numbers\n\n")
                .append("`CheckReverseT5` recomputes every number above from the committed weights and compares it with")
                .append(" `metrics.json` (the tests run the same check):\n\n")
                .append("    mvn -q -B -o -pl sample-models exec:java ").append(TrainInduction.JVM_FLAGS)
                .append(" -Dexec.mainClass=").append(CheckReverseT5.class.getName())
                .append(" -Dexec.args=\"--sample ").append(m.sample()).append("\"\n");

        s.append("\n## Files\n\n")
                .append("- `config.json`, `model.safetensors`, `tokenizer.json`: the Hugging Face folder")
                .append(" (`T5ForConditionalGeneration`), opened by `LoadedModel.open`.\n")
                .append("- `metrics.json`: every number on this card, as written by the training command.\n")
                .append("- `").append(LOSS_FIGURE).append("`, `").append(ALIGNMENT_FIGURE).append("`: the figures.\n")
                .append("- `README.md`: this card.\n");
        return s.toString();
    }

    /** The rows the card's table shows: about a dozen, always the first and the last. */
    private static List<ReverseT5Metrics.CurvePoint> selected(ReverseT5Metrics.Training t) {
        List<ReverseT5Metrics.CurvePoint> all = t.curve();
        int stride = Math.max(1, (all.size() - 1) / 12);
        List<ReverseT5Metrics.CurvePoint> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) {
            out.add(all.get(i));
        }
        if (out.get(out.size() - 1) != all.get(all.size() - 1)) {
            out.add(all.get(all.size() - 1));
        }
        return out;
    }

    private static String lossFigure(ReverseT5Metrics m) {
        List<ReverseT5Metrics.CurvePoint> c = m.training().curve();
        double[] x = c.stream().mapToDouble(ReverseT5Metrics.CurvePoint::step).toArray();
        double[] train = c.stream().mapToDouble(p -> p.trainLoss() == null ? Double.NaN : p.trainLoss()).toArray();
        double[] heldOut = c.stream().mapToDouble(ReverseT5Metrics.CurvePoint::heldOutLoss).toArray();
        double[] token = c.stream().mapToDouble(ReverseT5Metrics.CurvePoint::tokenAccuracy).toArray();
        double[] exact = c.stream().mapToDouble(ReverseT5Metrics.CurvePoint::exactMatch).toArray();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double[] v : new double[][] {train, heldOut}) {
            for (double y : v) {
                if (Double.isFinite(y) && y > 0) {
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            }
        }
        return new Figure(m.sample() + ": training", m.training().steps())
                .add(new Figure.Panel("loss (nats per output token, log scale)", Math.pow(10, Math.floor(Math.log10(lo))),
                        Math.pow(10, Math.ceil(Math.log10(hi))), true, List.of(
                        new Figure.Series("training", Figure.COLOURS[0], x, train, false),
                        new Figure.Series("held-out", Figure.COLOURS[1], x, heldOut, true))))
                .add(new Figure.Panel("held-out: token accuracy (teacher-forced), exact match (greedy)", 0, 1, false,
                        List.of(new Figure.Series("token", Figure.COLOURS[2], x, token, false),
                                new Figure.Series("exact match", Figure.COLOURS[3], x, exact, false))))
                .svg();
    }

    /** The probe's cross-attention in the block of the best-aligned head, one panel per head. */
    private static String alignmentFigure(ReverseT5Metrics m, float[][][][] patterns) {
        int layer = m.measured().alignment().bestHead()[0];
        ReverseTask.Examples probe = ReverseTask.probe();
        int n = probe.letters();
        List<String> rows = new ArrayList<>();
        for (int j = 0; j <= n; j++) {
            rows.add(j + ": " + ReverseTask.token(probe.decoder()[0][j + 1]));
        }
        List<String> cols = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            cols.add(i == n ? "</s>" : ReverseTask.token(probe.encoder()[0][i]));
        }
        List<Heatmap.Panel> panels = new ArrayList<>();
        double[][] mirror = m.measured().alignment().mirror();
        for (int h = 0; h < patterns[layer].length; h++) {
            panels.add(new Heatmap.Panel(String.format(Locale.ROOT, "head %d.%d (mirror %.2f)", layer, h,
                    mirror[layer][h]), patterns[layer][h]));
        }
        return Heatmap.svg(m.sample() + ": decoder block " + layer + " cross-attention on " + m.measured().probeInput(),
                rows, cols, "decoder position: the letter it writes", "source letter", panels);
    }

    /** One sentence per decoder block: the range of its heads' mirror scores and arg-max shares. */
    private static String inShort(CrossAlignment a) {
        List<String> parts = new ArrayList<>();
        for (int l = 0; l < a.mirror().length; l++) {
            double lo = 1;
            double hi = 0;
            double argLo = 1;
            double argHi = 0;
            for (int h = 0; h < a.mirror()[l].length; h++) {
                lo = Math.min(lo, a.mirror()[l][h]);
                hi = Math.max(hi, a.mirror()[l][h]);
                argLo = Math.min(argLo, a.mirrorArgmax()[l][h]);
                argHi = Math.max(argHi, a.mirrorArgmax()[l][h]);
            }
            parts.add(String.format(Locale.ROOT, "the heads of decoder block %d put %.2f to %.2f of their weight on the"
                    + " mirrored letter and peak on it in %.0f%% to %.0f%% of the queries", l, lo, hi, 100 * argLo,
                    100 * argHi));
        }
        return String.join("; ", parts) + String.format(Locale.ROOT, " (uniform attention: %.3f).", a.chance());
    }

    private static String list(List<String> heads) {
        return heads.isEmpty() ? "none" : String.join(", ", heads);
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i] * 1e4) / 1e4;
        }
        return r;
    }
}
