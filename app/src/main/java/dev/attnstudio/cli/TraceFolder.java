package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attnstudio.app.bundle.BundleSink;
import dev.attnstudio.app.bundle.FolderSink;
import dev.attnstudio.app.bundle.Manifest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder a trace is written into. A folder holding a manifest holds an earlier trace: it is refused unless
 * {@code --force}, which removes the files that manifest lists (never anything else). The manifest is written last
 * and atomically, so a folder with a manifest holds a complete trace.
 */
final class TraceFolder {

    private TraceFolder() {
    }

    /** Refuses a folder (or .npz archive) we may not write, before anything is loaded or computed. */
    static void check(Path out, boolean force) {
        if (BundleSink.isArchive(out)) {
            if (Files.isDirectory(out)) {
                throw new UsageException("--out " + out + " is a folder; a name ending in .npz means one archive");
            }
            if (Files.exists(out) && !force) {
                throw new UsageException("--out " + out + " already exists; choose another name or add --force to "
                        + "replace it");
            }
            return;
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " is a file, not a folder");
        }
        if (Files.exists(out.resolve(Manifest.FILE_NAME)) && !force) {
            throw new UsageException("--out " + out + " already holds a trace (manifest.json); "
                    + "choose another folder or add --force to replace it");
        }
    }

    /** Creates the folder, removing the trace it holds (checked with {@link #check} and --force given). */
    static void prepare(Path out, boolean force, PrintStream log) throws IOException {
        check(out, force);
        if (BundleSink.isArchive(out)) {
            return; // the archive replaces the old one atomically once complete
        }
        Path manifest = out.resolve(Manifest.FILE_NAME);
        if (Files.exists(manifest)) {
            removePreviousTrace(out, manifest, log);
        }
        Files.createDirectories(out);
    }

    private static void removePreviousTrace(Path out, Path manifest, PrintStream log) throws IOException {
        JsonNode old;
        try {
            old = Manifest.mapper().readTree(manifest.toFile());
        } catch (IOException e) {
            old = null; // unreadable: files of the same name are overwritten, others stay
        }
        // The manifest goes first: a folder must never hold a manifest whose files are gone.
        Files.delete(manifest);
        if (old == null) {
            return;
        }
        int removed = 0;
        List<Path> folders = new ArrayList<>();
        for (JsonNode group : old.path("groups")) {
            for (JsonNode file : group.path("files")) {
                Path p = inside(out, file.path("file").asText(""));
                if (p != null && p.getFileName().toString().endsWith(".npy") && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
            Path folder = inside(out, group.path("folder").asText(""));
            if (folder != null && !folder.equals(out)) {
                folders.add(folder);
            }
        }
        for (String key : List.of("vocabulary", "tokenizer")) { // the JSON entries a bundle adds to its .npy files
            Path entry = inside(out, old.path(key).asText(""));
            if (entry != null && List.of(Manifest.VOCABULARY_FILE, Manifest.TOKENIZER_FILE)
                    .contains(entry.getFileName().toString()) && Files.deleteIfExists(entry)) {
                removed++;
            }
        }
        for (Path folder : folders) {
            if (Files.isDirectory(folder) && isEmpty(folder)) {
                Files.delete(folder);
            }
        }
        log.println("--force: removed the previous trace in " + out + " (" + removed + " files)");
    }

    /** The path a manifest entry names, or null unless it stays inside {@code out}. */
    private static Path inside(Path out, String relative) {
        if (relative.isEmpty()) {
            return null;
        }
        try {
            Path p = out.resolve(relative).normalize();
            return p.startsWith(out) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Writes a file through a temporary one and an atomic move, so it is never seen half-written. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        FolderSink.writeAtomically(file, bytes);
    }
}
