package dev.attnstudio.app.export;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An export that replaces a file and fails half way (the disk fills, the writer throws) leaves the old file as it was,
 * with no temporary file beside it; one that succeeds replaces it by a rename, never writing the old bytes in place.
 */
class AtomicFilesTest {

    @Test
    void aReplacingWriteThatFailsHalfWayLeavesTheOldFileIntact(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("scores.csv");
        Files.writeString(target, "the old export\n");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, true, f -> {
            Files.writeString(f, "half of the new");
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertEquals("the old export\n", Files.readString(target));
        assertEquals(1, count(dir), "the temporary file is gone");
    }

    @Test
    void aReplacingWriteRenamesTheNewFileOverTheOld(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("map.svg");
        Files.writeString(target, "old");
        Path witness = dir.resolve("witness");
        Files.createLink(witness, target);
        AtomicFiles.write(target, true, f -> Files.writeString(f, "new"));
        assertEquals("new", Files.readString(target));
        assertEquals("old", Files.readString(witness), "the old file's bytes were rewritten in place");
        assertFalse(Files.isSameFile(target, witness));
        assertEquals(2, count(dir));
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
