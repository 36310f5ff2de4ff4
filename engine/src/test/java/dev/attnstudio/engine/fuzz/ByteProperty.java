package dev.attnstudio.engine.fuzz;

import dev.attnstudio.engine.fuzz.Refusal.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A property over random mutations of one valid file: "whatever the bytes, the parser returns a result or throws its
 * own typed exception with a readable message, within the time limit". Each try draws a mutation (1-6 bit flips, a
 * byte set to a random value, or a truncation) from a seeded {@link Random}, so a failure names the seed and try that
 * reproduce it. Runs without a property-testing library (see the report on jqwik).
 */
public final class ByteProperty {

    /** One drawn mutation: what it did (to reproduce it) and the bytes. */
    public record Mutant(String description, byte[] bytes) {
    }

    private ByteProperty() {
    }

    /** Draws one mutation of {@code seed}. */
    public static Mutant draw(byte[] seed, Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> {
                int flips = 1 + random.nextInt(6);
                byte[] out = seed;
                StringBuilder what = new StringBuilder("bits flipped:");
                for (int i = 0; i < flips; i++) {
                    long bit = (long) random.nextInt(seed.length) * 8 + random.nextInt(8);
                    out = Mutations.flipBit(out, bit);
                    what.append(' ').append(bit);
                }
                yield new Mutant(what.toString(), out);
            }
            case 1 -> {
                int at = random.nextInt(seed.length);
                byte value = (byte) random.nextInt(256);
                yield new Mutant("byte " + at + " set to " + (value & 0xFF), Mutations.setByte(seed, at, value));
            }
            default -> {
                int length = random.nextInt(seed.length + 1);
                yield new Mutant("truncated to " + length, Mutations.truncate(seed, length));
            }
        };
    }

    /**
     * Checks the property over {@code tries} mutations; returns one line per failing try (empty when it holds).
     *
     * @param open  opens the mutated bytes through the parser (writing them to a file first if it reads files)
     * @param typed the parser's own exceptions
     */
    public static List<String> check(byte[] seed, long randomSeed, int tries, Function<byte[], Callable<?>> open,
                                     Predicate<Throwable> typed, Duration limit) {
        Random random = new Random(randomSeed);
        List<String> failures = new ArrayList<>();
        for (int t = 0; t < tries; t++) {
            Mutant m = draw(seed, random);
            Outcome o = Refusal.attempt(open.apply(m.bytes()), typed, limit);
            if (!o.ok()) {
                failures.add("seed " + randomSeed + " try " + t + " (" + m.description() + "): " + o.describe());
            }
        }
        return failures;
    }
}
