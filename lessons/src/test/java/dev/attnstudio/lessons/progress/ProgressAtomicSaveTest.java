package dev.attnstudio.lessons.progress;

import dev.attnstudio.lessons.format.Course;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.LessonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A student's progress is never lost to a save: the new file is written beside the old one and renamed over it, so the
 * old file's bytes are never written in place, and a save that fails or a crash at any point leaves the old file or
 * the new one, whole, with no temporary file left by a save that finished.
 */
class ProgressAtomicSaveTest {

    private static final Lesson LESSON = LessonReader.read(Course.bundled().get(0)).lesson();

    @Test
    void theOldFileIsReplacedByARenameNeverRewrittenInPlace(@TempDir Path dir) throws IOException {
        ProgressStore store = new ProgressStore(dir.resolve("store"));
        store.save(Progress.EMPTY.pageSeen(LESSON, 0));
        byte[] old = Files.readAllBytes(store.file());
        Path witness = dir.resolve("witness.json");
        Files.createLink(witness, store.file()); // a second name for the old file's bytes (its inode)

        store.save(Progress.EMPTY.pageSeen(LESSON, 0).pageSeen(LESSON, 1));

        assertArrayEquals(old, Files.readAllBytes(witness), "the old file was written in place, not replaced");
        assertFalse(Files.isSameFile(witness, store.file()), "the saved progress is a new file");
        assertEquals(Progress.EMPTY.pageSeen(LESSON, 0).pageSeen(LESSON, 1), store.load().progress());
        try (var files = Files.list(store.file().getParent())) {
            assertEquals(1, files.count(), "a temporary file was left behind");
        }
    }
}
