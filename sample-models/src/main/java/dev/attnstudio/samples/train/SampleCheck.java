package dev.attnstudio.samples.train;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * What the check commands ({@link CheckInduction}, {@link CheckReverseT5}) share: their command line
 * {@code (--sample NAME | --folder DIR) [--tolerance 0.01]}, opening a bundled sample through the catalog or a folder a
 * trainer wrote together with its recorded {@code metrics.json}, the verdict lines and the exit status (2: a bad
 * command line, 1: a number differs). Each command supplies only how to read its metrics and how to compare them.
 *
 * @param <R> the recorded metrics
 */
final class SampleCheck<R> {

    /** How far a recomputed number may be from the recorded one. */
    static final double TOLERANCE = 0.01;

    /** Reads a recorded {@code metrics.json}. */
    @FunctionalInterface
    interface Reader<R> {
        R read(InputStream in) throws IOException;
    }

    /** Recomputes an open model's numbers, prints them and returns how they differ from the recorded ones. */
    @FunctionalInterface
    interface Comparison<R> {
        List<String> compare(LoadedModel model, R recorded, double tolerance, PrintStream out);
    }

    private final String command;
    private final String file;
    private final Reader<R> reader;
    private final Comparison<R> comparison;

    /**
     * @param command the command's name, for its messages
     * @param file    the recorded metrics' file name in a sample's folder
     */
    SampleCheck(String command, String file, Reader<R> reader, Comparison<R> comparison) {
        this.command = command;
        this.file = file;
        this.reader = reader;
        this.comparison = comparison;
    }

    /** Runs the command line; exits with 2 on a bad command line and 1 when a number differs. */
    void main(String[] args) throws IOException {
        String sample = null;
        Path folder = null;
        double tolerance = TOLERANCE;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sample" -> sample = args[i + 1];
                case "--folder" -> folder = Path.of(args[i + 1]);
                case "--tolerance" -> tolerance = Double.parseDouble(args[i + 1]);
                default -> {
                    System.err.println(command + ": unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if ((sample == null) == (folder == null) || args.length % 2 != 0) {
            System.err.println("usage: " + command + " (--sample NAME | --folder DIR) [--tolerance " + TOLERANCE + "]");
            System.exit(2);
        }
        List<String> problems = sample != null ? sample(sample, tolerance, System.out)
                : folder(folder, tolerance, System.out);
        if (!problems.isEmpty()) {
            System.exit(1);
        }
    }

    /** Checks a bundled sample, opened through the catalog; returns the differences (empty: all agree). */
    List<String> sample(String name, double tolerance, PrintStream out) throws IOException {
        SampleModels.Sample s = SampleModels.find(name)
                .orElseThrow(() -> new NoSuchElementException("no bundled sample named " + name));
        if (!(s.source() instanceof SampleModels.BundledFolder f)) {
            throw new IllegalArgumentException(name + " is not a bundled folder");
        }
        R recorded;
        try (InputStream in = SampleModels.resource(f, file)) {
            recorded = reader.read(in);
        }
        try (LoadedModel m = SampleModels.open(name, DjlRuntime.DeviceChoice.CPU)) {
            return comparison.compare(m, recorded, tolerance, out);
        }
    }

    /** Checks a folder a trainer wrote; returns the differences (empty: all agree). */
    List<String> folder(Path folder, double tolerance, PrintStream out) throws IOException {
        R recorded;
        try (InputStream in = Files.newInputStream(folder.resolve(file))) {
            recorded = reader.read(in);
        }
        try (LoadedModel m = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            return comparison.compare(m, recorded, tolerance, out);
        }
    }

    /** Prints the verdict on a comparison's differences (an OK line, or a DIFFERS line each) and returns them. */
    static List<String> verdict(List<String> problems, String file, double tolerance, PrintStream out) {
        if (problems.isEmpty()) {
            out.printf(Locale.ROOT, "OK: every number in %s is reproduced within %.3g%n", file, tolerance);
        } else {
            problems.forEach(p -> out.println("DIFFERS: " + p));
        }
        return problems;
    }
}
