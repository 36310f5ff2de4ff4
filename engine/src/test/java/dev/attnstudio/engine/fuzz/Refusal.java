package dev.attnstudio.engine.fuzz;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What opening one malformed file gave: accepted (the parser found a valid file), refused with the parser's typed
 * exception and a readable message, or a failure: another exception type, a message with raw Java exception text, a
 * hang past the limit. Each attempt runs on a worker thread so a hang is caught and timed.
 */
public final class Refusal {

    /** How an attempt ended. */
    public enum Kind { ACCEPTED, REFUSED, WRONG_TYPE, UNREADABLE, TIMEOUT }

    /** One attempt: how it ended, how long it took, and the exception (null when accepted). */
    public record Outcome(Kind kind, long nanos, Throwable error) {

        public boolean ok() {
            return kind == Kind.ACCEPTED || kind == Kind.REFUSED;
        }

        public long millis() {
            return nanos / 1_000_000;
        }

        /** A line for a failure report. */
        public String describe() {
            return kind + " after " + millis() + " ms" + (error == null ? "" : ": " + error);
        }
    }

    /**
     * Text that must never reach a user: raw exception names from a bug in the parser (not a problem with the file),
     * and stack-trace lines.
     */
    public static final List<String> RAW = List.of("NullPointerException", "IndexOutOfBounds", "ClassCastException",
            "NegativeArraySize", "ArithmeticException", "IllegalStateException", "StackOverflowError",
            "OutOfMemoryError", "NumberFormatException", "UnsupportedOperationException", "\tat ", "java.lang.");

    /** A readable message is at most this long: a file's junk echoed back whole is not readable. */
    public static final int MAX_MESSAGE = 2_000;

    private static final ExecutorService WORKER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-open");
        t.setDaemon(true);
        return t;
    });

    private Refusal() {
    }

    /**
     * Opens one input and classifies the result.
     *
     * @param open  the real entry point; what it returns is closed if it is {@link AutoCloseable}
     * @param typed which exceptions are the parser's own refusals
     * @param limit how long an attempt may take
     */
    public static Outcome attempt(Callable<?> open, Predicate<Throwable> typed, Duration limit) {
        long start = System.nanoTime();
        Future<?> result = WORKER.submit(() -> {
            Object opened = open.call();
            if (opened instanceof AutoCloseable c) {
                c.close();
            }
            return null;
        });
        try {
            result.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return new Outcome(Kind.ACCEPTED, System.nanoTime() - start, null);
        } catch (TimeoutException e) {
            result.cancel(true);
            return new Outcome(Kind.TIMEOUT, System.nanoTime() - start, null);
        } catch (ExecutionException e) {
            long nanos = System.nanoTime() - start;
            Throwable error = e.getCause();
            if (!typed.test(error)) {
                return new Outcome(Kind.WRONG_TYPE, nanos, error);
            }
            return new Outcome(readable(error.getMessage()) ? Kind.REFUSED : Kind.UNREADABLE, nanos, error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether a message can be shown to a user as it is. */
    public static boolean readable(String message) {
        return message != null && !message.isBlank() && message.length() <= MAX_MESSAGE
                && RAW.stream().noneMatch(message::contains);
    }
}
