package dev.attnstudio.samples.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Writes a tiny language model's card ({@code MODEL_CARD.md}) from {@link TinyLmMetrics}; nothing on the card is
 * typed by hand, so card, {@code metrics.json} and weights cannot disagree.
 */
final class TinyLmCard {

    static final String DEBIAN_PACKAGE = "bible-kjv-text";
    /** How the package's compressed text becomes the plain file trained on (the {@code bible} reader, one verse a line). */
    static final String EXPORT = "bible -f Gen1:1-Rev22:21 > target/kjv.txt";
    static final String LICENCE = "public domain: \"The copyright for the King James Version text of the Bible is"
            + " expired since the translation was done in 1611\" (/usr/share/doc/bible-kjv-text/copyright)";

    private TinyLmCard() {
    }

    /** What the metrics say about the data: the Debian package (its installed version, if dpkg knows it) and the file. */
    static TinyLmMetrics.Data kjvData(String file, TinyLmCorpus corpus) {
        return new TinyLmMetrics.Data(DEBIAN_PACKAGE, installedVersion(DEBIAN_PACKAGE), LICENCE, EXPORT, file,
                corpus.size(), corpus.sha256(), corpus.distinctBytes(), corpus.heldOutStart());
    }

    /** The version dpkg reports for a package, or "unknown" where there is no dpkg or no such package. */
    private static String installedVersion(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** What the loss on repeated text says about copying. */
    private static String copying(TinyLmHeads h) {
        double ratio = h.repeatLossSecondHalf() / h.repeatLossFirstHalf();
        if (ratio < 0.5) {
            return String.format(Locale.ROOT, "the repeat costs %.0f%% of the first copy, so the model copies from"
                    + " context, the job of induction heads.", 100 * ratio);
        }
        if (ratio < 0.9) {
            return String.format(Locale.ROOT, "the repeat costs %.0f%% of the first copy: some copying from context,"
                    + " far from a clean induction circuit.", 100 * ratio);
        }
        return "about the same, so the model does not copy earlier text it has seen in its context (no induction"
                + " circuit worth the name).";
    }

    static void write(Path file, TinyLmMetrics m, long weightBytes) throws IOException {
        Files.writeString(file, markdown(m, weightBytes));
    }

    static String markdown(TinyLmMetrics m, long weightBytes) {
        boolean llama = m.architecture().equals("llama");
        TinyLmMetrics.Training t = m.training();
        TinyLmMetrics.Score v = m.validation();
        TinyLmMetrics.Score h = m.heldOut();
        TinyLmMetrics.Data d = m.data();
        StringBuilder s = new StringBuilder();
        s.append("# ").append(m.sample()).append("\n\n")
                .append("A small byte-level language model on the ").append(llama ? "LLaMA" : "GPT-2")
                .append(" architecture, trained by Attention Studio's own trainer (DJL autograd through the engine's")
                .append(" forward pass) on the King James Bible. It writes text that looks like the King James Bible")
                .append(" (verse references, archaic spelling, \"and ... and ...\") without making much sense, which is")
                .append(" what a model of this size trained for a few minutes can do; it is here so the attention of a")
                .append(" trained language model")
                .append(llama ? " with rotary positions and grouped-query attention" : "")
                .append(" can be stepped through, not to be useful.\n\n");

        s.append("## At a glance\n\n| | |\n|---|---|\n")
                .append("| Architecture | ").append(m.geometry()).append(" |\n")
                .append(String.format(Locale.ROOT, "| Parameters | %,d, fp32 (`model.safetensors`, %,d bytes) |%n",
                        m.parameters(), weightBytes))
                .append("| Tokenizer | byte-level `tokenizer.json`: 256 tokens, token id = byte value, no merges, no")
                .append(" special tokens (any text round-trips) |\n")
                .append(String.format(Locale.ROOT, "| Validation | **perplexity %.3f per byte** (loss %.4f nats = %.3f"
                        + " bits per byte, next-byte accuracy %.1f%%) on `%s` |%n", v.perplexity(), v.loss(),
                        v.bitsPerByte(), 100 * v.accuracy(), v.file()))
                .append(String.format(Locale.ROOT, "| Whole held-out part | perplexity %.3f (loss %.4f nats, %.3f bits"
                        + " per byte) on %,d bytes |%n", h.perplexity(), h.loss(), h.bitsPerByte(), h.predictions()))
                .append(String.format(Locale.ROOT, "| Training | %,d steps of %d windows of %d bytes, %.0f s of"
                        + " training steps on 2 CPU cores |%n", t.steps(), t.batch(), t.windowLength(),
                        t.trainingSeconds()))
                .append("| Licence | Text: public domain (Debian `").append(d.debianPackage()).append("`). Weights:")
                .append(" this project's own work, trained by this repository's code; no third-party weights |\n");

        s.append("\n## Data\n\n")
                .append("The King James Version of the Bible (1611), as Debian ships it in the package `")
                .append(d.debianPackage()).append("` (version ").append(d.packageVersion()).append("). Licence: ")
                .append(d.licence()).append(". (One exception: in the United Kingdom the Authorized Version")
                .append(" remains under the Crown's letters patent.)\n\n")
                .append("The package stores the text compressed for its reader, `bible` (package `bible-kjv`, installed")
                .append(" with it; GPL-2+ program, used only to decode). The plain file trained on is its dump, one verse")
                .append(" per line with its reference:\n\n")
                .append("    apt-get install -y ").append(d.debianPackage()).append("\n")
                .append("    mkdir -p target && ").append(d.export()).append("\n\n")
                .append("which gives lines like `Ge1:3 And God said, Let there be light: and there was light.` The file")
                .append(String.format(Locale.ROOT, " trained on (`--data %s`) has %,d bytes, SHA-256 `%s`. Nothing is"
                        + " stripped or normalized: the verse references, line breaks, capitals and punctuation are all"
                        + " part of what the model learns (the text is plain ASCII).%n%n", d.file(), d.bytes(), d.sha256()))
                .append(String.format(Locale.ROOT, "Split: the last %d%% is held out, from the first line that starts at"
                        + " or after 95%% of the file (byte %,d), so training reads only bytes 0..%,d. Training windows"
                        + " are %d bytes at uniformly random offsets in that part, drawn from seed %d + 1.%n%n",
                        TinyLmCorpus.HELD_OUT_PERCENT, d.heldOutStart(), d.heldOutStart() - 1, t.windowLength(),
                        t.seed()))
                .append(String.format(Locale.ROOT, "Validation: `%s`, committed next to this card, is the first %,d"
                        + " bytes of the held-out part, scored as %d consecutive windows of %d bytes that share one byte"
                        + " (the last of one window is the first of the next), so each of its %,d bytes after the first is"
                        + " predicted once, with 1 to %d bytes of context. The test recomputes the perplexity from the"
                        + " committed weights on this file without the Debian package.%n", v.file(), v.bytes(),
                        v.windows(), v.windowLength(), v.predictions(), v.windowLength() - 1));

        s.append("\n## Training\n\n")
                .append("From the repository root, after `mvn -q -B -o install -DskipTests` and the two data commands")
                .append(" above:\n\n    ").append(t.command()).append("\n\n")
                .append(String.format(Locale.ROOT, "- %,d steps of %d windows (%,d bytes per step, %.2f passes over the"
                        + " training part); %s; no dropout.%n", t.steps(), t.batch(), (long) t.batch() * t.windowLength(),
                        (double) t.steps() * t.batch() * t.windowLength() / d.heldOutStart(), t.optimization()))
                .append(String.format(Locale.ROOT, "- Initial weights: `%s` with std %.2f, seed %d.%n",
                        llama ? "RandomLlama" : "RandomGpt2", t.initStd(), t.seed()))
                .append(String.format(Locale.ROOT, "- Time: %.0f s in the training steps (forward, backward, update),"
                        + " %.0f s for the whole command with its evaluations and measurements; a 2-core machine, PyTorch"
                        + " (CPU) through DJL with %s.%n", t.trainingSeconds(), t.totalSeconds(),
                        t.threads() == 1 ? "one intra-op thread" : t.threads() + " intra-op threads"))
                .append(String.format(Locale.ROOT, "- Final training loss (mean of the last %d steps): %.4f nats per"
                        + " byte.%n%n", t.every(), t.finalTrainLoss()))
                .append("Loss curve (nats per byte; training: mean over the steps since the previous row; validation:")
                .append(" the validation windows after that step):\n\n")
                .append("| step | learning rate | training loss | validation loss | validation perplexity |\n")
                .append("|---:|---:|---:|---:|---:|\n");
        for (TinyLmMetrics.CurvePoint c : t.curve()) {
            s.append(String.format(Locale.ROOT, "| %d | %.5f | %s | %.4f | %.3f |%n", c.step(), c.learningRate(),
                    c.trainLoss() == null ? "-" : String.format(Locale.ROOT, "%.4f", c.trainLoss()), c.validationLoss(),
                    Math.exp(c.validationLoss())));
        }
        s.append(String.format(Locale.ROOT, "%nFor scale: a uniform guess over 256 bytes is ln 256 = 5.545 nats"
                + " (perplexity 256); over the %d different bytes the file holds, ln %d = %.3f nats.%n",
                d.distinctBytes(), d.distinctBytes(), Math.log(d.distinctBytes())));

        s.append("\n## Sample generations\n\n")
                .append("Through the engine's stepper with the KV cache (one prefill pass, then one decode pass per byte)")
                .append(", from the prompt `").append(TinyLmGeneration.PROMPT).append("`, until the ")
                .append(t.windowLength()).append("-byte context is full:\n\n");
        for (TinyLmMetrics.Generation g : m.generations()) {
            s.append("**").append(g.sampling()).append("**\n\n```text\n").append(g.prompt()).append(g.text())
                    .append("\n```\n\n");
        }

        TinyLmHeads heads = m.heads();
        s.append("## What the heads do (measured)\n\n")
                .append("Measured from the committed weights with the engine's stepper (`blocks.L.attn.hook_pattern`).")
                .append(String.format(Locale.ROOT, " Text scores use the first %d validation windows (%d bytes each).",
                        heads.textWindows(), v.windowLength()))
                .append(" Head `h` of layer `L` is column h of row L.\n\n")
                .append("**Mean normalized entropy** of each head's attention (0 = all weight on one key, 1 = uniform")
                .append(" over the keys the query may see):\n\n")
                .append(TinyLmHeads.table(heads.entropy()))
                .append("\n**Previous-token score**: mean weight from each query t to key t-1 (t >= 1). A head near 1")
                .append(" reads the byte just before; uniform attention would score about 0.04 on these windows.\n\n")
                .append(TinyLmHeads.table(heads.previousToken()))
                .append("\n**First-position score**: mean weight from each query t to key 0 (t >= 2). High values are an")
                .append(" \"attention sink\": the head parks weight on the first byte when it has nothing to read.\n\n")
                .append(TinyLmHeads.table(heads.firstPosition()))
                .append(String.format(Locale.ROOT, "%n**Induction score** on repeated text: the first %d bytes of"
                        + " each of the first %d validation windows, followed by the same %d bytes. Mean weight from"
                        + " query t of the repeat to key t-%d+1, the byte that followed the earlier copy of the current"
                        + " one (uniform attention: about 0.01).%n%n", TinyLmHeads.HALF, TinyLmHeads.REPEATS,
                        TinyLmHeads.HALF, TinyLmHeads.HALF))
                .append(TinyLmHeads.table(heads.induction()))
                .append(String.format(Locale.ROOT, "%nOn the same sequences the loss is %.3f nats per byte on the first"
                        + " copy and %.3f on the repeat: %s%n", heads.repeatLossFirstHalf(), heads.repeatLossSecondHalf(),
                        copying(heads)));

        s.append("\n## Files\n\n")
                .append("- `config.json`, `model.safetensors`, `tokenizer.json`: the Hugging Face folder (")
                .append(llama ? "`LlamaForCausalLM`" : "`GPT2LMHeadModel`").append("), opened by `LoadedModel.open`.\n")
                .append("- `metrics.json`: every number on this card, as written by the training command.\n")
                .append("- `").append(v.file()).append("`: the validation slice.\n")
                .append("- `MODEL_CARD.md`: this card.\n");
        return s.toString();
    }
}
