package dev.attnstudio.lessons.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attnstudio.lessons.format.LessonProblem;
import dev.attnstudio.lessons.format.LessonReader;
import dev.attnstudio.lessons.format.LessonSource;
import dev.attnstudio.lessons.progress.ProgressStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lesson folders and progress files that were damaged or written by hand carelessly: a corpus made from the bundled
 * course (every lesson: lesson.json truncated, bit-flipped, with wrong types, missing keys, 10^5-deep nesting, a 2 MiB
 * title, a non-UTF-8 byte; its first page truncated or with a non-UTF-8 byte) and from a seed progress.json
 * (truncations, bit flips, wrong types), plus seeded random mutations (100 of a lesson.json, 300 of the progress
 * file). The lesson loader ({@link LessonReader#read}) must answer with a lesson or with problems whose messages a teacher can read; the
 * progress store ({@link ProgressStore#load}) with progress or a notice; never an exception, never more than 2 s.
 */
class LessonFuzzTest {

    private static final Path COURSE = Path.of(System.getProperty("basedir", "."), "src", "main", "resources", "dev",
            "attnstudio", "lessons", "course");
    private static final long LIMIT_MS = 2_000;
    private static final int TRIES = 300;
    /** Fewer for whole lessons: each try reads a lesson folder (~30 ms), and the corpus above already has 440. */
    private static final int LESSON_TRIES = 100;
    private static final List<String> RAW = List.of("NullPointerException", "IndexOutOfBounds", "ClassCastException",
            "NumberFormatException", "IllegalStateException", "StackOverflowError", "OutOfMemoryError", "\tat ",
            "java.lang.");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lesson-fuzz");
        t.setDaemon(true);
        return t;
    });

    @TempDir
    Path dir;
    private int serial;

    @AfterAll
    static void stop() {
        WORKER.shutdownNow();
    }

    /** A lesson.json or progress.json mutation, and what it did. */
    private record Mutant(String what, byte[] bytes) {
    }

    @Test
    void damagedLessonFoldersGiveProblemsNotExceptions() throws Exception {
        List<Path> lessons;
        try (Stream<Path> s = Files.list(COURSE)) {
            lessons = s.filter(p -> Files.isRegularFile(p.resolve("lesson.json"))).sorted().toList();
        }
        assertTrue(lessons.size() >= 10, "bundled course not found at " + COURSE.toAbsolutePath());
        List<String> failures = new ArrayList<>();
        int files = 0;
        long slowest = 0;
        String slowestWhat = "";
        Random random = new Random(14);
        for (Path lesson : lessons) {
            byte[] json = Files.readAllBytes(lesson.resolve("lesson.json"));
            String firstPage = JSON.readTree(json).path("pages").path(0).path("file").asText();
            byte[] page = Files.readAllBytes(lesson.resolve(firstPage));
            List<Mutant> mutants = lessonMutants(json, random);
            for (Mutant m : mutants) {
                long t = openLesson(lesson, "lesson.json", m.bytes(), lesson.getFileName() + ": " + m.what(), failures);
                files++;
                if (t > slowest) {
                    slowest = t;
                    slowestWhat = lesson.getFileName() + ": " + m.what();
                }
            }
            for (Mutant m : List.of(new Mutant("page truncated", Arrays.copyOf(page, page.length / 2)),
                    new Mutant("page with a non-UTF-8 byte", set(page, page.length / 3, (byte) 0xFF)),
                    new Mutant("page emptied", new byte[0]))) {
                long t = openLesson(lesson, firstPage, m.bytes(), lesson.getFileName() + ": " + m.what(), failures);
                files++;
                if (t > slowest) {
                    slowest = t;
                    slowestWhat = lesson.getFileName() + ": " + m.what();
                }
            }
        }
        System.out.printf("fuzz kind=LESSON files=%d failed=%d slowest-answer=%d ms (slowest: %s)%n", files,
                failures.size(), slowest, slowestWhat);
        failures.forEach(f -> System.out.println("fuzz FAILURE: " + f));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void damagedProgressFilesAreSetAsideNotThrown() throws Exception {
        byte[] seed = seed("progress.json");
        assertTrue(load(seed).notice().isEmpty(), "the seed progress.json should load cleanly");
        List<Mutant> mutants = new ArrayList<>();
        for (int at = 0; at < seed.length; at += 23) {
            mutants.add(new Mutant("truncated to " + at, Arrays.copyOf(seed, at)));
        }
        Random random = new Random(15);
        for (int i = 0; i < 30; i++) {
            int at = random.nextInt(seed.length);
            mutants.add(new Mutant("bit flipped in byte " + at, set(seed, at, (byte) (seed[at] ^ (1 << random.nextInt(8))))));
        }
        String[][] edits = {{"version", "\"1\""}, {"version", "99"}, {"lessons", "[]"}, {"current", "7"},
            {"lessons.05-scores-as-dot-products.page", "-1"}, {"lessons.05-scores-as-dot-products.seen", "{}"},
            {"lessons.05-scores-as-dot-products.seen", "[\"x\"]"}, {"lessons.05-scores-as-dot-products.exercises", "1"},
            {"lessons.05-scores-as-dot-products.exercises.predict-the-score.attempts", "1e30"},
            {"lessons.05-scores-as-dot-products.exercises.predict-the-score.answers", "null"},
            {"lessons.05-scores-as-dot-products", "\"done\""}};
        for (String[] e : edits) {
            mutants.add(new Mutant(e[0] + " set to " + e[1], edit(seed, e[0], JSON.readTree(e[1]))));
        }
        mutants.add(new Mutant("nested 10^5 deep", deep(100_000)));
        mutants.add(new Mutant("a 2 MiB string", edit(seed, "current", JSON.getNodeFactory().textNode("x".repeat(2 << 20)))));
        mutants.add(new Mutant("not UTF-8", set(seed, 20, (byte) 0xFF)));
        for (int i = 0; i < TRIES; i++) {
            mutants.add(random(seed, random));
        }
        List<String> failures = new ArrayList<>();
        long slowest = 0;
        for (Mutant m : mutants) {
            long start = System.nanoTime();
            String problem = attempt(() -> {
                ProgressStore.Loaded loaded = load(m.bytes());
                return loaded.notice().filter(n -> !readable(n)).map(n -> "unreadable notice: " + n).orElse(null);
            });
            long ms = (System.nanoTime() - start) / 1_000_000;
            slowest = Math.max(slowest, ms);
            if (problem != null) {
                failures.add("progress.json [" + m.what() + "]: " + problem);
            }
        }
        System.out.printf("fuzz kind=PROGRESS files=%d failed=%d slowest-answer=%d ms%n", mutants.size(),
                failures.size(), slowest);
        failures.forEach(f -> System.out.println("fuzz FAILURE: " + f));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void randomMutationsOfALessonJson() throws Exception {
        Path lesson = COURSE.resolve("05-scores-as-dot-products");
        byte[] json = Files.readAllBytes(lesson.resolve("lesson.json"));
        Random random = new Random(16);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < LESSON_TRIES; i++) {
            Mutant m = random(json, random);
            openLesson(lesson, "lesson.json", m.bytes(), "try " + i + " " + m.what(), failures);
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + LESSON_TRIES + " failed:\n" + String.join("\n", failures));
    }

    // ---- opening ----

    /**
     * Makes the lesson again with one file replaced (the others linked, not copied), reads it, and records a failure;
     * returns the time taken in ms.
     */
    private long openLesson(Path lesson, String file, byte[] bytes, String what, List<String> failures) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("l" + serial++).resolve(lesson.getFileName()));
        try (Stream<Path> s = Files.list(lesson)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals(file)) {
                    Files.createSymbolicLink(copy.resolve(p.getFileName()), p.toAbsolutePath());
                }
            }
        }
        Files.write(copy.resolve(file), bytes);
        long start = System.nanoTime();
        String problem = attempt(() -> {
            LessonReader.Result r = LessonReader.read(LessonSource.folder(copy));
            if (!r.ok() && r.problems().isEmpty()) {
                return "refused without saying why";
            }
            return r.problems().stream().map(LessonProblem::toString).filter(p -> !readable(p)).findFirst()
                    .map(p -> "unreadable problem: " + p.substring(0, Math.min(300, p.length()))).orElse(null);
        });
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (problem != null) {
            failures.add(what + ": " + problem);
        }
        return ms;
    }

    private ProgressStore.Loaded load(byte[] bytes) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("p" + serial++));
        Files.write(folder.resolve(ProgressStore.FILE), bytes);
        return new ProgressStore(folder).load();
    }

    /** Runs on the worker with the time limit; returns a failure description, or null when all is well. */
    private static String attempt(java.util.concurrent.Callable<String> check) {
        Future<String> f = WORKER.submit(check);
        try {
            return f.get(LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return "no answer within " + LIMIT_MS + " ms";
        } catch (ExecutionException e) {
            return "threw " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static boolean readable(String message) {
        return message.length() <= 2_000 && RAW.stream().noneMatch(message::contains);
    }

    // ---- mutations ----

    private static List<Mutant> lessonMutants(byte[] json, Random random) throws IOException {
        List<Mutant> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            out.add(new Mutant("lesson.json truncated to " + json.length * i / 4, Arrays.copyOf(json, json.length * i / 4)));
        }
        for (int i = 0; i < 3; i++) {
            int at = random.nextInt(json.length);
            out.add(new Mutant("lesson.json bit flipped in byte " + at, set(json, at, (byte) (json[at] ^ (1 << random.nextInt(8))))));
        }
        String[][] edits = {{"pages", "\"x\""}, {"pages.0", "5"}, {"pages.0.file", "\"../../../../etc/passwd\""},
            {"pages.0.file", "\"/etc/passwd\""}, {"id", "[]"}, {"format", "1e300"}, {"model", "{\"folder\": 3}"},
            {"prompt", "{}"}, {"pages.0.view", "{\"layer\": -99999999999}"}};
        for (String[] e : edits) {
            out.add(new Mutant("lesson.json " + e[0] + " set to " + e[1], edit(json, e[0], JSON.readTree(e[1]))));
        }
        out.add(new Mutant("lesson.json without pages", remove(json, "pages")));
        out.add(new Mutant("lesson.json nested 10^5 deep", deep(100_000)));
        out.add(new Mutant("lesson.json with a 2 MiB title", edit(json, "title", JSON.getNodeFactory().textNode(
                "x".repeat(2 << 20)))));
        out.add(new Mutant("lesson.json with a non-UTF-8 byte", set(json, json.length / 2, (byte) 0xC3)));
        return out;
    }

    private static Mutant random(byte[] seed, Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> {
                int at = random.nextInt(seed.length);
                yield new Mutant("bit flipped in byte " + at, set(seed, at, (byte) (seed[at] ^ (1 << random.nextInt(8)))));
            }
            case 1 -> {
                int at = random.nextInt(seed.length);
                byte v = (byte) random.nextInt(256);
                yield new Mutant("byte " + at + " set to " + (v & 0xFF), set(seed, at, v));
            }
            default -> {
                int n = random.nextInt(seed.length + 1);
                yield new Mutant("truncated to " + n, Arrays.copyOf(seed, n));
            }
        };
    }

    private static byte[] set(byte[] in, int at, byte value) {
        byte[] out = in.clone();
        out[at] = value;
        return out;
    }

    private static byte[] deep(int depth) {
        return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] edit(byte[] json, String path, JsonNode value) throws IOException {
        return change(json, path, value);
    }

    private static byte[] remove(byte[] json, String path) throws IOException {
        return change(json, path, null);
    }

    /** The document with the value at a dotted path replaced (or removed when {@code value} is null). */
    private static byte[] change(byte[] json, String path, JsonNode value) throws IOException {
        JsonNode root = JSON.readTree(json);
        String[] parts = path.split("\\.");
        JsonNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(parts[i])) : parent.get(parts[i]);
        }
        String last = parts[parts.length - 1];
        if (parent instanceof ObjectNode o) {
            if (value == null) {
                o.remove(last);
            } else {
                o.set(last, value);
            }
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), value);
        }
        return JSON.writeValueAsBytes(root);
    }

    private static byte[] seed(String name) throws IOException {
        try (InputStream in = LessonFuzzTest.class.getResourceAsStream("/fuzz-seeds/" + name)) {
            return in.readAllBytes();
        }
    }

}
