package dev.attnstudio.app.lesson;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.format.Course;
import dev.attnstudio.lessons.format.LessonSource;
import dev.attnstudio.lessons.progress.ProgressStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A teacher's folder beside the bundled course; a broken one is reported, not opened; progress that cannot be read. */
class CourseFoldersTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @Test
    void aTeachersLessonsComeAfterTheCourseAndABrokenOneIsReported() throws Exception {
        Path lessons = dir.resolve("my-class");
        copyLesson05(lessons.resolve("a-mine"), "my-scores");
        Files.createDirectories(lessons.resolve("b-broken"));
        Files.writeString(lessons.resolve("b-broken").resolve("lesson.json"), "{\"id\": \"broken\",\n \"title\": }");
        CourseViewModel course = fx(() -> new CourseViewModel(new MainViewModel(new DirectEngineExecutor(),
                ModelOpener.standard(DjlRuntime.DeviceChoice.CPU)), new ProgressStore(dir.resolve("config"))));
        int bundled = fx(() -> course.lessons().size());
        assertEquals(Course.bundled().size(), bundled);
        assertEquals(1, (int) fx(() -> course.addFolder(lessons)));
        CourseViewModel.Entry mine = fx(() -> course.lessons().get(bundled));
        assertEquals("my-scores", mine.lesson().id());
        assertEquals("my-class", mine.origin());
        String notice = fx(() -> course.noticeProperty().get());
        assertTrue(notice.contains("b-broken") || notice.contains("broken"), notice);
        assertTrue(notice.contains("line 2"), notice);
        fx(() -> {
            course.open(bundled, 0);
            return null;
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> course.pageProperty().get() != null));
        assertTrue(fx(() -> course.pageProperty().get().session().text().contains("[0.67, 0.24, 0.09]")));
    }

    @Test
    void unreadableProgressIsSetAsideWithANotice() throws Exception {
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve(ProgressStore.FILE), "{ not json");
        CourseViewModel course = fx(() -> new CourseViewModel(new MainViewModel(new DirectEngineExecutor(),
                ModelOpener.standard(DjlRuntime.DeviceChoice.CPU)), new ProgressStore(config)));
        assertTrue(fx(() -> course.noticeProperty().get()).contains("could not be used"));
    }

    private static void copyLesson05(Path to, String id) throws Exception {
        LessonSource source = LessonSource.resource(Course.BUNDLED + "/05-scores-as-dot-products");
        Files.createDirectories(to);
        String json = source.read("lesson.json").orElseThrow();
        Files.writeString(to.resolve("lesson.json"), json.replace("\"05-scores-as-dot-products\"", "\"" + id + "\""));
        for (String page : List.of("01-three-numbers.md", "02-a-query-meets-its-keys.md", "03-the-score-table.md",
                "04-who-gets-the-weight.md", "05-weights-by-hand.md", "06-the-order-of-things.md", "07-reading-the-grid.md")) {
            Files.writeString(to.resolve(page), source.read(page).orElseThrow());
        }
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }
}
