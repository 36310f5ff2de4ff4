package dev.attnstudio.samples.train;

import dev.attnstudio.engine.load.LoadedModel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Recomputes {@code reverse-t5}'s card numbers from its weights and compares them with its {@code metrics.json}:
 *
 * <pre>
 * CheckReverseT5 --sample reverse-t5        (the bundled sample, opened through the catalog)
 * CheckReverseT5 --folder path/to/folder    (any folder TrainReverseT5 wrote)
 *                [--tolerance 0.01]
 * </pre>
 *
 * Exits with status 1 when a number moved by more than the tolerance, a head changed its name or the probe's output
 * changed.
 */
public final class CheckReverseT5 {

    private static final SampleCheck<ReverseT5Metrics> CHECK = new SampleCheck<>("CheckReverseT5", ReverseT5Metrics.FILE,
            ReverseT5Metrics::read,
            CheckReverseT5::check);

    private CheckReverseT5() {
    }

    public static void main(String[] args) throws IOException {
        CHECK.main(args);
    }

    /** Checks a bundled sample, opened through the catalog; returns the differences (empty: all agree). */
    public static List<String> checkSample(String name, double tolerance, PrintStream out) throws IOException {
        return CHECK.sample(name, tolerance, out);
    }

    /** Checks a folder written by {@link TrainReverseT5}. */
    public static List<String> checkFolder(Path folder, double tolerance, PrintStream out) throws IOException {
        return CHECK.folder(folder, tolerance, out);
    }

    static List<String> check(LoadedModel model, ReverseT5Metrics recorded, double tolerance, PrintStream out) {
        ReverseT5Measurement now = ReverseT5Measurement.of(model.model());
        ReverseT5Measurement was = recorded.measured();
        List<String> problems = now.differences(was, tolerance);
        out.printf(Locale.ROOT, "%s: exact match %.4f (recorded %.4f), token accuracy %.4f (recorded %.4f), loss %.4f"
                        + " (recorded %.4f)%n", model.name(), now.exactMatch(), was.exactMatch(), now.tokenAccuracy(),
                was.tokenAccuracy(), now.loss(), was.loss());
        out.printf(Locale.ROOT, "alignment heads %s; probe %s -> %s%n", now.alignedHeads(), now.probeInput(),
                now.probeOutput());
        out.print("mirror scores:\n" + HeadScores.table(now.alignment().mirror()));
        return SampleCheck.verdict(problems, ReverseT5Metrics.FILE, tolerance, out);
    }
}
