package dev.attnstudio.samples.train;

import dev.attnstudio.engine.load.LoadedModel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Recomputes an induction sample's card numbers from its weights and compares them with its {@code metrics.json}:
 *
 * <pre>
 * CheckInduction --sample induction-2l      (a bundled sample, opened through the catalog)
 * CheckInduction --folder path/to/folder    (any folder TrainInduction wrote)
 *                [--tolerance 0.01]
 * </pre>
 *
 * Exits with status 1 when a number moved by more than the tolerance or a head changed its name.
 */
public final class CheckInduction {

    /** How far a recomputed number may be from the recorded one. */
    public static final double TOLERANCE = SampleCheck.TOLERANCE;

    private static final SampleCheck<Metrics> CHECK = new SampleCheck<>("CheckInduction", Metrics.FILE, Metrics::read,
            CheckInduction::check);

    private CheckInduction() {
    }

    public static void main(String[] args) throws IOException {
        CHECK.main(args);
    }

    /** Checks a bundled sample, opened through the catalog; returns the differences (empty: all agree). */
    public static List<String> checkSample(String name, double tolerance, PrintStream out) throws IOException {
        return CHECK.sample(name, tolerance, out);
    }

    /** Checks a folder written by {@link TrainInduction}. */
    public static List<String> checkFolder(Path folder, double tolerance, PrintStream out) throws IOException {
        return CHECK.folder(folder, tolerance, out);
    }

    static List<String> check(LoadedModel model, Metrics recorded, double tolerance, PrintStream out) {
        Measurement now = Measurement.of(model.model());
        List<String> problems = now.differences(recorded.measured(), tolerance);
        out.printf(Locale.ROOT, "%s (%s): repeated-half accuracy %.4f (recorded %.4f), loss %.4f (recorded %.4f)%n",
                model.name(), recorded.label(), now.accuracy(), recorded.accuracy(), now.loss(), recorded.measured().loss());
        out.printf(Locale.ROOT, "previous-token heads %s, induction heads %s%n", now.previousTokenHeads(),
                now.inductionHeads());
        out.print("previous-token scores (first half):\n" + HeadScores.table(now.previousTokenFirstHalf()));
        out.print("induction scores:\n" + HeadScores.table(now.induction()));
        return SampleCheck.verdict(problems, Metrics.FILE, tolerance, out);
    }
}
