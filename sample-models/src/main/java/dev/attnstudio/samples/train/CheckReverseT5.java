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

    private CheckReverseT5() {
    }

    public static void main(String[] args) throws IOException {
        String sample = null;
        Path folder = null;
        double tolerance = CheckInduction.TOLERANCE;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sample" -> sample = args[i + 1];
                case "--folder" -> folder = Path.of(args[i + 1]);
                case "--tolerance" -> tolerance = Double.parseDouble(args[i + 1]);
                default -> {
                    System.err.println("CheckReverseT5: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if ((sample == null) == (folder == null) || args.length % 2 != 0) {
            System.err.println("usage: CheckReverseT5 (--sample NAME | --folder DIR) [--tolerance 0.01]");
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
        ReverseT5Metrics recorded;
        try (InputStream in = SampleModels.resource(f, ReverseT5Metrics.FILE)) {
            recorded = ReverseT5Metrics.read(in);
        }
        try (LoadedModel m = SampleModels.open(name, DjlRuntime.DeviceChoice.CPU)) {
            return check(m, recorded, tolerance, out);
        }
    }

    /** Checks a folder written by {@link TrainReverseT5}. */
    public static List<String> checkFolder(Path folder, double tolerance, PrintStream out) throws IOException {
        ReverseT5Metrics recorded = ReverseT5Metrics.read(folder.resolve(ReverseT5Metrics.FILE));
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            return check(m, recorded, tolerance, out);
        }
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
        if (problems.isEmpty()) {
            out.printf(Locale.ROOT, "OK: every number in %s is reproduced within %.3g%n", ReverseT5Metrics.FILE,
                    tolerance);
        } else {
            problems.forEach(p -> out.println("DIFFERS: " + p));
        }
        return problems;
    }
}
