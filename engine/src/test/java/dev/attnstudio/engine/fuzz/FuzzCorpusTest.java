package dev.attnstudio.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attnstudio.engine.fuzz.FuzzCorpus.Case;
import dev.attnstudio.engine.fuzz.FuzzCorpus.Kind;
import dev.attnstudio.engine.fuzz.Refusal.Outcome;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens every file of the {@link FuzzCorpus} (at least 300 malformed files from the real samples) through the entry
 * point a user's file goes through, in this JVM: {@code ModelFolder.open} for model folders and ONNX files,
 * {@code Tokenizer.open}, {@code Npy.read...}. Each must be accepted (a mutation that left a valid file) or refused
 * with the parser's typed exception and a message a user can read, within 2 seconds. Prints one summary line per kind
 * (cases, accepted, refused, slowest refusal) for the README's Reliability section.
 *
 * <p>In-JVM is safe: every refusal happens in plain Java before DJL is called (the weights are read onto a device
 * only after config.json, tokenizer.json and the whole safetensors header have been checked).
 */
class FuzzCorpusTest {

    /** The bar: a refusal within 2 seconds. */
    static final Duration LIMIT = Duration.ofSeconds(2);

    @Test
    void everyMalformedFileIsRefusedWithATypedReadableErrorWithinTwoSeconds(@TempDir Path dir) throws Exception {
        Path samples = Path.of(System.getProperty("basedir", ".")).resolve(FuzzCorpus.SAMPLES).normalize();
        assertTrue(Files.isDirectory(samples), "the bundled samples are not at " + samples.toAbsolutePath());
        // The untouched sample opens (so refusals below are the mutations' doing), and the native libraries load
        // here rather than inside the first timed case.
        ModelFolder.open(samples.resolve(FuzzCorpus.SAFETENSORS_SAMPLE), DjlRuntime.DeviceChoice.CPU).close();
        long start = System.nanoTime();
        List<Case> cases = FuzzCorpus.generate(dir, samples);
        long generated = System.nanoTime();
        assertTrue(cases.size() >= 300, "the corpus has only " + cases.size() + " files");

        Map<Kind, List<Outcome>> byKind = new EnumMap<>(Kind.class);
        List<String> failures = new ArrayList<>();
        Map<Kind, Map.Entry<Long, String>> slowest = new EnumMap<>(Kind.class);
        for (Case c : cases) {
            Outcome o = Refusal.attempt(opener(c), typed(c.kind()), LIMIT);
            byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(o);
            if (o.kind() == Refusal.Kind.REFUSED && o.nanos() > slowest.getOrDefault(c.kind(), Map.entry(0L, "")).getKey()) {
                slowest.put(c.kind(), Map.entry(o.nanos(), c.mutation()));
            }
            boolean bad = !o.ok() || o.nanos() > LIMIT.toNanos();
            if (bad) {
                String line = c.kind() + " [" + c.mutation() + "]: " + o.describe();
                failures.add(line);
            }
        }
        long done = System.nanoTime();

        System.out.printf("fuzz corpus: %d files generated in %d ms, opened in %d ms%n", cases.size(),
                (generated - start) / 1_000_000, (done - generated) / 1_000_000);
        byKind.forEach((kind, outcomes) -> System.out.println(summary(kind, outcomes) + " (slowest: "
                + slowest.getOrDefault(kind, Map.entry(0L, "none")).getValue() + ")"));
        failures.forEach(f -> System.out.println("fuzz FAILURE: " + f));
        assertTrue(failures.isEmpty(), failures.size() + " malformed files were not refused cleanly:\n"
                + String.join("\n", failures));
    }

    /** {@code fuzz kind=NPY files=52 accepted=3 refused=49 failed=0 slowest-refusal=4 ms}. */
    static String summary(Kind kind, List<Outcome> outcomes) {
        long accepted = outcomes.stream().filter(o -> o.kind() == Refusal.Kind.ACCEPTED).count();
        long refused = outcomes.stream().filter(o -> o.kind() == Refusal.Kind.REFUSED).count();
        long slowest = outcomes.stream().filter(o -> o.kind() == Refusal.Kind.REFUSED).mapToLong(Outcome::nanos).max()
                .orElse(0);
        return String.format("fuzz kind=%s files=%d accepted=%d refused=%d failed=%d slowest-refusal=%.1f ms", kind,
                outcomes.size(), accepted, refused, outcomes.size() - accepted - refused, slowest / 1e6);
    }

    static Callable<?> opener(Case c) {
        return switch (c.kind()) {
            case SAFETENSORS, CONFIG, ONNX -> () -> ModelFolder.open(c.path(), DjlRuntime.DeviceChoice.CPU);
            case TOKENIZER -> () -> Tokenizer.open(c.path());
            case NPY -> c.path().getFileName().toString().contains("ids")
                    ? () -> Npy.readInt64(c.path()) : () -> Npy.readFloat32(c.path());
        };
    }

    static Predicate<Throwable> typed(Kind kind) {
        return kind == Kind.NPY ? Npy.FormatException.class::isInstance : ModelFormatException.class::isInstance;
    }
}
