package dev.attnstudio.app;

import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.MapCell;
import dev.attnstudio.app.heatmap.HiddenPatches;
import dev.attnstudio.app.lesson.CourseViewModel;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.progress.Progress;
import dev.attnstudio.lessons.progress.ProgressStore;
import dev.attnstudio.lessons.run.ExerciseSession;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A student takes lessons 5 and 10 in the real window (headless Monocle): opens the course from Help > Course, answers
 * one exercise wrong (and reads the misconception's message) then right, computes the weights of a head with an
 * expression, predicts before the views appear, meets a hidden mask bug, and after the app restarts on the same
 * progress folder, the course resumes on the page they left.
 */
class CourseWindowTest {

    private static final String L05 = "05-scores-as-dot-products";
    private static final String L10 = "10-six-mask-bugs";

    @TempDir
    Path config;

    private AttentionStudioApp app;
    private final FxRobot robot = new FxRobot();

    private void start() throws Exception {
        start(false);
    }

    private void start(boolean offer) throws Exception {
        FxToolkit.registerPrimaryStage();
        ProgressStore store = new ProgressStore(config);
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(
                ModelOpener.standard(DjlRuntime.DeviceChoice.CPU), SettingsStore.inMemory(), StudioViews.all(), store,
                offer));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            FxToolkit.cleanupApplication(app);
            FxToolkit.cleanupStages();
            app = null;
        }
    }

    @Test
    void aStudentTakesLessonsFiveAndTenAndResumesAfterARestart() throws Exception {
        start();
        assertTrue(fx(() -> robot.lookup("#courseBanner").tryQuery().isEmpty()), "tests are not offered the course");
        long t0 = System.nanoTime();
        openFromHelpMenu();
        awaitPage(firstLesson(), 0); // a new student starts at the course's first lesson
        assertTrue(fx(() -> app.view().docked() != null), "Help > Course shows the lesson panel");
        robot.interact(() -> course().open(course().indexOf(L05), 0)); // as a click in the outline does
        awaitPage(L05, 0);
        assertTrue(fx(() -> pageMarkdown().contains("[0.67, 0.24, 0.09]")), "the worked example is filled in by the engine");

        // Next (the button) to the scaled-score exercise: a misconception first, then the right number
        robot.clickOn("#nextButton");
        awaitPage(L05, 1);
        ExerciseSession scaled = exercise();
        double raw = ((Answer.Number) scaled.mistakes().get(1).answer()).value();
        double right = ((Answer.Number) scaled.answer()).value();
        type("#answerField", String.format(Locale.ROOT, "%.4f", raw));
        press("#checkButton");
        awaitFeedback();
        assertTrue(text("#feedback").contains("That is the raw dot product"), text("#feedback"));
        type("#answerField", String.format(Locale.ROOT, "%.4f", right));
        press("#checkButton");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text("#feedback").startsWith("\u2714"));
        assertTrue(progress().lesson(L05).exercise("scaled-score").correct());

        // Alt+Right twice more: the pick-cell page, then the compute exercise
        robot.press(KeyCode.ALT).press(KeyCode.RIGHT).release(KeyCode.RIGHT).release(KeyCode.ALT);
        awaitPage(L05, 2);
        robot.press(KeyCode.ALT).press(KeyCode.RIGHT).release(KeyCode.RIGHT).release(KeyCode.ALT);
        awaitPage(L05, 3);
        assertTrue(fx(() -> vm().selection().layerProperty().get() == 1 && vm().selection().headProperty().get() == 0),
                "the page selects head 1.0");
        ExerciseSession pick = exercise();
        // a click on a cell of the Head view's map fills in the answer
        AttentionMapView map = fx(() -> app.view().tab("head").getContent().lookupAll("*").stream()
                .filter(n -> n instanceof AttentionMapView).map(n -> (AttentionMapView) n).findFirst().orElseThrow());
        robot.moveTo(map).moveBy(8, 8).clickOn();
        MapCell clicked = fx(() -> map.hoveredProperty().get());
        assertNotNull(clicked, "the mouse is on a cell");
        assertEquals(Integer.toString(clicked.row()), fx(() -> robot.lookup("#answerQuery").queryAs(TextInputControl.class).getText()));
        assertEquals(Integer.toString(clicked.col()), fx(() -> robot.lookup("#answerKey").queryAs(TextInputControl.class).getText()));
        Answer.Cell cell = (Answer.Cell) pick.answer();
        type("#answerQuery", Integer.toString(cell.query()));
        type("#answerKey", Integer.toString(cell.key()));
        press("#checkButton");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text("#feedback").startsWith("\u2714"));

        // the student explores on their own, then returns to the page's state; action links drive the window
        int cursor = fx(() -> vm().stepping().currentIndexProperty().get());
        robot.interact(() -> vm().stepping().stepBack());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> !vm().status().isBusy()
                && vm().stepping().currentIndexProperty().get() != cursor));
        robot.interact(() -> course().follow("view:stages?layer=0&head=3"));
        assertEquals("stages", fx(() -> app.view().shownViewProperty().get().id()));
        assertEquals(3, (int) fx(() -> vm().selection().headProperty().get()));
        robot.interact(() -> course().follow("view:nowhere"));
        assertTrue(fx(() -> course().noticeProperty().get()).contains("\"nowhere\" is not one of"));
        press("#restoreButton");
        awaitPage(L05, 3);
        assertEquals(cursor, (int) fx(() -> vm().stepping().currentIndexProperty().get()), "the page's state is back");
        assertEquals("head", fx(() -> app.view().shownViewProperty().get().id()));
        assertEquals(0, (int) fx(() -> vm().selection().headProperty().get()));
        robot.interact(() -> course().follow("run:blocks.0.attn.hook_pattern"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> !vm().status().isBusy()));
        assertTrue(fx(() -> course().noticeProperty().get()).contains("no step after the cursor matches"),
                "the page ran to the end already: the link says so");

        robot.clickOn("#nextButton");
        awaitPage(L05, 4);
        type("#answerExpression", "softmax(blocks.0.attn.hook_qk_raw[0, 2] + blocks.0.attn.hook_mask[0, 0], dim=-1)");
        press("#checkButton");
        awaitFeedback();
        assertTrue(text("#feedback").contains("You left out the scaling"), text("#feedback"));
        assertTrue(text("#feedback").contains("% of the values are right"), text("#feedback"));
        type("#answerExpression", "softmax(blocks.0.attn.hook_qk_raw[0, 2] / sqrt(d_head) + blocks.0.attn.hook_mask[0, 0],"
                + " dim=-1)");
        press("#checkButton");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> text("#feedback").startsWith("\u2714"));
        assertTrue(progress().lesson(L05).exercise("weights-by-hand").correct());

        // lesson 10 from the outline's model: a prediction hides the views until the student commits
        robot.interact(() -> app.course().course().open(course().indexOf(L10), 0));
        awaitPage(L10, 0);
        assertTrue(fx(() -> app.view().viewsConcealed()), "a predict exercise hides the views");
        assertFalse(text("#exerciseMeta").isEmpty());
        assertTrue(text("#exerciseMeta").contains("Difficulty"));
        int allowed = (int) ((Answer.Number) exercise().answer()).value();
        type("#answerField", Integer.toString(allowed + 3));
        press("#checkButton");
        awaitFeedback();
        assertTrue(text("#feedback").startsWith("\u2716"), text("#feedback"));
        assertFalse(fx(() -> app.view().viewsConcealed()), "committing shows the views");
        press("#hintButton");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#hints").queryAs(
                javafx.scene.layout.VBox.class).getChildren().size() == 1));
        assertFalse(fx(() -> robot.lookup("#solution").query().isVisible()), "the solution stays hidden");

        // the last page draws a mask bug at random: the menus must not reveal it
        int last = fx(() -> course().lessons().get(course().indexOf(L10)).lesson().pages().size() - 1);
        robot.interact(() -> course().open(course().indexOf(L10), last));
        awaitPage(L10, last);
        assertTrue(fx(() -> vm().interventions().get().specs().stream().noneMatch(s -> s.startsWith("mask-bug"))),
                "a hidden bug stays off the interventions menu");
        String bug = ((Answer.Choice) exercise().answer()).id();
        List<String> notes = fx(() -> app.view().root().lookupAll("." + Styles.PATCH_NOTE).stream()
                .filter(Node::isVisible).map(n -> ((Label) n).getText()).toList());
        assertFalse(notes.isEmpty(), "the Head view says its values were patched");
        assertTrue(notes.stream().allMatch(t -> t.contains(HiddenPatches.UNNAMED) && !t.contains(bug)), notes.toString());
        assertTrue(fx(() -> vm().stepping().currentStepProperty().get().patchText()).isEmpty()
                || !fx(() -> vm().stepping().currentStepProperty().get().patchText()).contains(bug));
        press("#solutionButton");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#solution").query().isVisible()));
        assertTrue(Files.exists(config.resolve(ProgressStore.FILE)), "progress is saved");
        System.out.printf(Locale.ROOT, "course walk: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        // restart: the course resumes on the page the student left
        stop();
        start();
        openFromHelpMenu();
        awaitPage(L10, last);
        assertTrue(progress().lesson(L05).exercise("scaled-score").correct(), "answers survive the restart");
        assertTrue(fx(() -> text("#pageWhere").contains("page " + (last + 1))), text("#pageWhere"));
    }

    @Test
    void aFirstStartOffersTheCourseInABanner() throws Exception {
        start(true);
        assertTrue(fx(() -> robot.lookup("#courseBanner").tryQuery().isPresent()), "no progress yet: the course is offered");
        assertTrue(fx(() -> app.view().menu("File").getItems().stream().anyMatch(i -> "openLessonsItem".equals(i.getId()))));
        robot.interact(() -> robot.lookup("#startCourse").queryAs(javafx.scene.control.ButtonBase.class).fire());
        awaitPage(firstLesson(), 0);
        assertTrue(fx(() -> robot.lookup("#courseBanner").tryQuery().isEmpty()), "the banner goes once answered");
        assertTrue(Files.exists(config.resolve(ProgressStore.FILE)));
        stop();
        start(true);
        assertTrue(fx(() -> robot.lookup("#courseBanner").tryQuery().isEmpty()), "a student with progress is not asked again");
    }

    @Test
    void watchesAreEvaluatedAgainAfterEveryStep() throws Exception {
        start();
        robot.interact(() -> vm().session().openSample("tiny-gpt"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
        type("#watchInput", "sum(blocks.0.attn.hook_pattern[0, 0, 3])");
        robot.interact(() -> robot.lookup("#watchAdd").queryAs(javafx.scene.control.ButtonBase.class).fire());
        type("#watchInput", "softmax(blocks.0.attn.hook_pattern +)");
        robot.interact(() -> robot.lookup("#watchInput").queryAs(javafx.scene.control.TextField.class).fireEvent(
                new javafx.event.ActionEvent()));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> watchTexts().size() == 2);
        assertTrue(watchTexts().get(0).contains("not been computed yet"), watchTexts().get(0));
        String[] error = watchTexts().get(1).split("\n");
        assertEquals("softmax(blocks.0.attn.hook_pattern +)", error[0]);
        assertEquals(error[0].indexOf(')'), error[1].indexOf('^'), "the caret points at the mistake");
        robot.interact(() -> vm().stepping().runToEnd());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> watchTexts().get(0).equals("1"));
    }

    private List<String> watchTexts() throws Exception {
        return fx(() -> {
            @SuppressWarnings("unchecked")
            javafx.scene.control.ListView<Object> list = robot.lookup("#watchList").queryAs(javafx.scene.control.ListView.class);
            return list.getItems().stream().map(r -> r.toString().replaceAll("(?s).*text=(.*), error=.*", "$1")).toList();
        });
    }

    private void openFromHelpMenu() throws Exception {
        robot.interact(() -> {
            MenuItem item = app.view().menu("Help").getItems().stream().filter(i -> "courseItem".equals(i.getId()))
                    .findFirst().orElseThrow();
            item.fire();
        });
    }

    private String firstLesson() throws Exception {
        return fx(() -> course().lessons().get(0).lesson().id());
    }

    private void awaitPage(String lesson, int page) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> {
            CourseViewModel.OpenPage p = course().pageProperty().get();
            return p != null && !course().busyProperty().get() && p.page() == page
                    && course().lessons().get(p.lesson()).lesson().id().equals(lesson)
                    && !vm().status().isBusy();
        }));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void awaitFeedback() throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#feedback").query().isVisible()
                && !course().gradingProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Presses a button of the panel (it may be scrolled out of sight, where a robot's click cannot reach it). */
    private void press(String id) {
        robot.interact(() -> robot.lookup(id).queryAs(javafx.scene.control.ButtonBase.class).fire());
    }

    private void type(String id, String value) throws Exception {
        robot.interact(() -> robot.lookup(id).queryAs(TextInputControl.class).setText(value));
    }

    private String text(String id) throws Exception {
        return fx(() -> {
            Node n = robot.lookup(id).query();
            return n instanceof Label l ? l.getText() : n.toString();
        });
    }

    private String pageMarkdown() {
        return course().pageProperty().get().session().text();
    }

    private ExerciseSession exercise() throws Exception {
        ExerciseSession e = fx(() -> course().pageProperty().get().session().exercise());
        assertNotNull(e);
        return e;
    }

    private Progress progress() throws Exception {
        Progress saved = new ProgressStore(config).load().progress();
        assertEquals(saved, fx(() -> course().progressProperty().get()), "the saved progress is the window's");
        return saved;
    }

    private CourseViewModel course() {
        return app.course().course();
    }

    private MainViewModel vm() {
        return app.viewModel();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }
}
