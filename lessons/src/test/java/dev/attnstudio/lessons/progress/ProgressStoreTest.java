package dev.attnstudio.lessons.progress;

import dev.attnstudio.lessons.format.Course;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.LessonReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress is saved atomically with a version, resumes where it was left, and survives a corrupt file. */
class ProgressStoreTest {

    static Lesson lesson;

    @BeforeAll
    static void read() {
        lesson = LessonReader.read(Course.bundled().get(0)).lesson();
    }

    @Test
    void aSavedProgressLoadsBackAndResumesWhereTheStudentLeft(@TempDir Path dir) {
        ProgressStore store = new ProgressStore(dir.resolve("attention-studio"));
        Progress p = Progress.EMPTY.pageSeen(lesson, 0).pageSeen(lesson, 1)
                .answered(lesson, "scaled-score", "-1.45", false)
                .answered(lesson, "scaled-score", "-2.91", true)
                .hintsShown(lesson, "scaled-score", 1)
                .pageSeen(lesson, 2);
        store.save(p);

        ProgressStore.Loaded loaded = new ProgressStore(dir.resolve("attention-studio")).load();
        assertTrue(loaded.notice().isEmpty());
        assertEquals(p, loaded.progress());
        assertEquals(new Progress.Resume(lesson.id(), 2), loaded.progress().resume().orElseThrow());
        ExerciseProgress e = loaded.progress().lesson(lesson.id()).exercise("scaled-score");
        assertEquals(2, e.attempts());
        assertEquals(List.of("-1.45", "-2.91"), e.answers());
        assertTrue(e.correct());
        assertEquals(1, e.hints());
        assertFalse(loaded.progress().lesson(lesson.id()).completed());
    }

    @Test
    void theFileHasAVersionAndNoTemporaryFileIsLeft(@TempDir Path dir) throws IOException {
        ProgressStore store = new ProgressStore(dir);
        store.save(Progress.EMPTY.pageSeen(lesson, 0));
        store.save(Progress.EMPTY.pageSeen(lesson, 3));
        String text = Files.readString(store.file());
        assertTrue(text.contains("\"version\" : " + Progress.VERSION), text);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(ProgressStore.FILE), files.map(f -> f.getFileName().toString()).toList());
        }
        assertEquals(3, store.load().progress().lesson(lesson.id()).page());
    }

    @Test
    void aLessonIsCompleteWhenEveryPageIsSeenAndEveryExerciseRight() {
        Progress p = Progress.EMPTY;
        for (int i = 0; i < lesson.pages().size(); i++) {
            p = p.pageSeen(lesson, i);
        }
        assertFalse(p.lesson(lesson.id()).completed());
        for (var e : lesson.exercises()) {
            p = p.answered(lesson, e.id(), "right", true);
        }
        assertTrue(p.lesson(lesson.id()).completed());
    }

    @Test
    void noFileIsAFreshStartWithoutANotice(@TempDir Path dir) {
        ProgressStore.Loaded loaded = new ProgressStore(dir.resolve("nothing-here")).load();
        assertEquals(Progress.EMPTY, loaded.progress());
        assertTrue(loaded.notice().isEmpty());
    }

    @Test
    void aCorruptFileIsSetAsideWithANoticeNotACrash(@TempDir Path dir) throws IOException {
        ProgressStore store = new ProgressStore(dir);
        Files.writeString(store.file(), "{\"version\": 1, \"lessons\": {\"05\": {\"page\": ");
        ProgressStore.Loaded loaded = store.load();
        assertEquals(Progress.EMPTY, loaded.progress());
        String notice = loaded.notice().orElseThrow();
        assertTrue(notice.contains("not valid JSON"), notice);
        assertFalse(Files.exists(store.file()));
        try (Stream<Path> files = Files.list(dir)) {
            Path aside = files.filter(f -> f.getFileName().toString().startsWith(ProgressStore.FILE + ".unreadable-"))
                    .findFirst().orElseThrow();
            assertTrue(notice.contains(aside.toString()), notice);
            assertTrue(Files.readString(aside).startsWith("{\"version\": 1"));
        }
        store.save(Progress.EMPTY.pageSeen(lesson, 1));
        assertEquals(1, store.load().progress().lesson(lesson.id()).page());
    }

    @Test
    void wrongTypesAndNewerVersionsAreSetAsideToo(@TempDir Path dir) throws IOException {
        ProgressStore store = new ProgressStore(dir);
        Files.writeString(store.file(), "{\"version\": 1, \"lessons\": {\"a\": {\"page\": -3, \"seen\": [],"
                + " \"exercises\": {}}}}");
        assertTrue(store.load().notice().orElseThrow().contains("a page is not a whole number"));
        Files.writeString(store.file(), "{\"version\": 99, \"lessons\": {}}");
        assertTrue(store.load().notice().orElseThrow().contains("newer version"));
        Files.writeString(store.file(), "[1, 2]");
        assertTrue(store.load().notice().orElseThrow().contains("does not hold a JSON object"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "each unreadable file is kept under its own name");
        }
    }

    @Test
    void theConfigFolderFollowsXdgElseThePlatform() {
        assertEquals(Path.of("/tmp/xdg", "attention-studio"),
                ConfigDir.resolve(Map.of("XDG_CONFIG_HOME", "/tmp/xdg"), "Linux", "/home/ada"));
        assertEquals(Path.of("/home/ada", ".config", "attention-studio"),
                ConfigDir.resolve(Map.of("XDG_CONFIG_HOME", "relative/path"), "Linux", "/home/ada"));
        assertEquals(Path.of("/Users/ada", "Library", "Application Support", "attention-studio"),
                ConfigDir.resolve(Map.of(), "Mac OS X", "/Users/ada"));
        assertEquals(Path.of("C:\\Users\\ada\\AppData\\Roaming", "attention-studio"),
                ConfigDir.resolve(Map.of("APPDATA", "C:\\Users\\ada\\AppData\\Roaming"), "Windows 11", "C:\\Users\\ada"));
    }
}
