package dev.attnstudio.samples.train;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

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
    public static final double TOLERANCE = 0.01;

    private CheckInduction() {
    }

    public static void main(String[] args) throws IOException {
        String sample = null;
        Path folder = null;
        double tolerance = TOLERANCE;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sample" -> sample = args[i + 1];
                case "--folder" -> folder = Path.of(args[i + 1]);
                case "--tolerance" -> tolerance = Double.parseDouble(args[i + 1]);
                default -> {
                    System.err.println("CheckInduction: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if ((sample == null) == (folder == null) || args.length % 2 != 0) {
            System.err.println("usage: CheckInduction (--sample NAME | --folder DIR) [--tolerance 0.01]");
            System.exit(2);
        }
        List<String> problems = sample != null ? checkSample(sample, tolerance, System.out)
                : checkFolder(folder, tolerance, System.out);
        if (!problems.isEmpty()) {
            System.exit(1);
        }
    }

    /** Checks a bundled sample, opened through the catalog; returns the differences (empty: all agree). */
    public static List<String> checkSample(String name, double tolerance, PrintStream out) throws IOException {
        SampleModels.Sample s = SampleModels.find(name)
                .orElseThrow(() -> new NoSuchElementException("no bundled sample named " + name));
        if (!(s.source() instanceof SampleModels.BundledFolder f)) {
            throw new IllegalArgumentException(name + " is not a bundled folder");
        }
        Metrics recorded;
        try (InputStream in = SampleModels.resource(f, Metrics.FILE)) {
            recorded = Metrics.read(in);
        }
        try (LoadedModel m = SampleModels.open(name, DjlRuntime.DeviceChoice.CPU)) {
            return check(m, recorded, tolerance, out);
        }
    }

    /** Checks a folder written by {@link TrainInduction}. */
    public static List<String> checkFolder(Path folder, double tolerance, PrintStream out) throws IOException {
        Metrics recorded = Metrics.read(folder.resolve(Metrics.FILE));
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            return check(m, recorded, tolerance, out);
        }
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
        if (problems.isEmpty()) {
            out.printf(Locale.ROOT, "OK: every number in %s is reproduced within %.3g%n", Metrics.FILE, tolerance);
        } else {
            problems.forEach(p -> out.println("DIFFERS: " + p));
        }
        return problems;
    }
}
