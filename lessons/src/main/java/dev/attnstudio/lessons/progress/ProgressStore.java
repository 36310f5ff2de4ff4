package dev.attnstudio.lessons.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Saves a student's {@link Progress} as {@code progress.json} in a folder (the user's {@link ConfigDir}). A save writes
 * a temporary file beside it, forces it to disk and moves it over the old one in one step, so a crash leaves the old
 * file or the new one, never half of one. A file that cannot be read (corrupt, or from a newer version) is set aside
 * under a new name with a notice, and the course starts fresh: never a crash.
 */
public final class ProgressStore {

    public static final String FILE = "progress.json";

    private static final System.Logger LOG = System.getLogger(ProgressStore.class.getName());
    /** Deepest nesting read: a progress file nests 5 deep (lessons, a lesson, exercises, an exercise, answers). */
    static final int MAX_NESTING_DEPTH = 16;
    /** Longest string read: an answer a student typed; 1 MiB refuses a runaway value before it is kept. */
    static final int MAX_STRING_LENGTH = 1 << 20;
    /** Largest file read: a whole course's progress is a few KiB; 32 MiB leaves years of answers room. */
    static final long MAX_DOCUMENT_LENGTH = 32L << 20;

    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                    .build())
            .build());

    private final Path folder;

    /** A store in {@code folder} (created on the first save). */
    public ProgressStore(Path folder) {
        this.folder = folder;
    }

    /** The store in the user's configuration folder. */
    public static ProgressStore forUser() {
        return new ProgressStore(ConfigDir.forUser());
    }

    public Path file() {
        return folder.resolve(FILE);
    }

    /**
     * What loading found: the progress, and a notice for the student when the saved file could not be used.
     *
     * @param progress the saved progress, or {@link Progress#EMPTY}
     * @param notice   what happened to an unreadable file, if one was set aside
     */
    public record Loaded(Progress progress, Optional<String> notice) {
    }

    /** Reads the saved progress; no file is an empty progress, an unreadable one is set aside with a notice. */
    public Loaded load() {
        String text;
        try {
            text = Files.readString(file(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Loaded(Progress.EMPTY, Optional.empty());
        } catch (IOException e) {
            return setAside("it could not be read (" + e.getMessage() + ")");
        }
        try {
            return new Loaded(parse(JSON.readTree(text)), Optional.empty());
        } catch (JsonProcessingException e) {
            return setAside("it is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IllegalArgumentException e) {
            return setAside(e.getMessage());
        }
    }

    private Loaded setAside(String why) {
        Path aside = folder.resolve(FILE + ".unreadable-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                "yyyyMMdd-HHmmss")));
        for (int i = 1; Files.exists(aside); i++) {
            aside = folder.resolve(aside.getFileName() + "-" + i);
        }
        try {
            Files.move(file(), aside);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "cannot set " + file() + " aside: " + e.getMessage());
            return new Loaded(Progress.EMPTY, Optional.of("Your saved lesson progress could not be used: " + why
                    + ". It could not be moved aside either (" + e.getMessage() + "), so it will be replaced at the next"
                    + " save."));
        }
        String notice = "Your saved lesson progress could not be used: " + why + ". It was kept as " + aside
                + ", and the course starts fresh.";
        LOG.log(System.Logger.Level.WARNING, notice);
        return new Loaded(Progress.EMPTY, Optional.of(notice));
    }

    /** Writes the progress atomically (temporary file, forced to disk, moved over the old one). */
    public void save(Progress progress) {
        try {
            Files.createDirectories(folder);
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree(progress));
            Path tmp = Files.createTempFile(folder, FILE, ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        ch.write(buffer);
                    }
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save lesson progress to " + file() + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode tree(Progress p) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", Progress.VERSION);
        if (p.current() != null) {
            root.put("current", p.current());
        }
        ObjectNode lessons = root.putObject("lessons");
        p.lessons().forEach((id, l) -> {
            ObjectNode n = lessons.putObject(id);
            n.put("page", l.page());
            ArrayNode seen = n.putArray("seen");
            l.seen().forEach(seen::add);
            n.put("completed", l.completed());
            ObjectNode exercises = n.putObject("exercises");
            l.exercises().forEach((eid, e) -> {
                ObjectNode x = exercises.putObject(eid);
                x.put("attempts", e.attempts());
                ArrayNode answers = x.putArray("answers");
                e.answers().forEach(answers::add);
                x.put("correct", e.correct());
                x.put("hints", e.hints());
                x.put("solutionShown", e.solutionShown());
            });
        });
        return root;
    }

    /** @throws IllegalArgumentException saying what is wrong with the file */
    static Progress parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("it does not hold a JSON object");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt()) {
            throw new IllegalArgumentException("it has no version");
        }
        if (version.intValue() > Progress.VERSION) {
            throw new IllegalArgumentException("it was written by a newer version of Attention Studio (format "
                    + version.intValue() + "; this one reads " + Progress.VERSION + ")");
        }
        JsonNode current = root.get("current");
        Map<String, LessonProgress> lessons = new LinkedHashMap<>();
        JsonNode all = object(root, "lessons");
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode l = e.getValue();
            TreeSet<Integer> seen = new TreeSet<>();
            for (JsonNode s : array(l, "seen")) {
                seen.add(nonNegative(s, "a seen page"));
            }
            Map<String, ExerciseProgress> exercises = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> xs = object(l, "exercises").fields(); xs.hasNext(); ) {
                Map.Entry<String, JsonNode> x = xs.next();
                JsonNode v = x.getValue();
                List<String> answers = new ArrayList<>();
                for (JsonNode a : array(v, "answers")) {
                    answers.add(a.asText());
                }
                exercises.put(x.getKey(), new ExerciseProgress(nonNegative(v.get("attempts"), "attempts"), answers,
                        v.path("correct").asBoolean(false), nonNegative(v.path("hints"), "hints"),
                        v.path("solutionShown").asBoolean(false)));
            }
            lessons.put(e.getKey(), new LessonProgress(nonNegative(l.get("page"), "a page"), seen, exercises,
                    l.path("completed").asBoolean(false)));
        }
        return new Progress(Progress.VERSION, current != null && current.isTextual() ? current.asText() : null, lessons);
    }

    private static JsonNode object(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not an object");
        }
        return v;
    }

    private static JsonNode array(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a list");
        }
        return v;
    }

    private static int nonNegative(JsonNode v, String what) {
        if (v == null || !v.isInt() || v.intValue() < 0) {
            throw new IllegalArgumentException(what + " is not a whole number of 0 or more");
        }
        return v.intValue();
    }
}
